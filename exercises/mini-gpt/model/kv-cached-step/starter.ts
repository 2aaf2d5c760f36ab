/**
 * model/kv-cached-step — one decoding step of a trained GPT with a KV cache.
 * It joins your LayerNorm, MLP and tied unembedding with transformer-core's
 * decodeStep, run once per head.
 *
 *   t = cache[0].k.length                the token's position
 *   x = wte[token] + wpe[t]              one row
 *   per layer l:  h = ln_1(x);  q, k, v = h·wq + bq, h·wk + bk, h·wv + bv
 *                 K = [cache[l].k; k],  V = [cache[l].v; v]     (t + 1 rows)
 *                 head j: softmax(q_j·K_jᵀ/√d)·V_j, d = C / heads
 *                 a = x + [head_0, …]·wo + bo;  x = a + mlp(ln_2(a))
 *   logits = ln_f(x)·wteᵀ
 *
 *   token: a token id        cache: one { k, v } per layer, [t, C] each
 *   returns { logits: [vocabSize], cache: one { k, v } per layer, [t + 1, C] }
 *
 * Conventions:
 * - Append first, then attend: the token sees itself. A run of steps from
 *   the empty cache, w.h.map(() => ({ k: [], v: [] })), gives gptForward's
 *   rows one by one.
 * - The cache holds the full C-wide keys and values (biases included),
 *   heads side by side, as c_attn computes them.
 * - Return a new cache; the one passed in must not change.
 * Your earlier files are imported below: use them, or write your own.
 * Run `llm-tutor lesson model/kv-cached-step` for the lesson.
 */
import { layerNorm } from '../../training/norms/layer-norm.js';
import { mlp } from '../../training/block/mlp.js';
import { unembed } from '../../training/block/tied-unembedding.js';
import { decodeStep } from '../../transformer-core/attention/kv-cache.js';

/** The parameters of one GPT-2 block (h.{l}): the training pack's BlockParams. */
export interface BlockParams {
  ln_1: { gamma: Vector; beta: Vector };
  attn: { wq: Matrix; bq: Vector; wk: Matrix; bk: Vector; wv: Matrix; bv: Vector; wo: Matrix; bo: Vector };
  ln_2: { gamma: Vector; beta: Vector };
  mlp: { w1: Matrix; b1: Vector; w2: Matrix; b2: Vector };
}

/** A GPT-2-style model's weights (exercises/mini-gpt/README.md). */
export interface GptWeights {
  config: {
    vocabSize: number; // tokens in the vocabulary (rows of wte)
    context: number; // the longest sequence (rows of wpe)
    layers: number; // blocks
    heads: number; // attention heads per block
    width: number; // C, the residual stream's width
  };
  wte: Matrix; // [vocabSize, C]   token embedding, also the output layer
  wpe: Matrix; // [context, C]     position embedding
  h: BlockParams[]; // h[l] is GPT-2's h.{l}
  ln_f: { gamma: Vector; beta: Vector }; // the final LayerNorm, [C] each
}

/** One entry per layer: the keys and values of every position so far, [t, C] each (heads side by side). */
export type GptCache = { k: Matrix; v: Matrix }[];

export function gptStep(token: number, cache: GptCache, w: GptWeights): { logits: Vector; cache: GptCache } {
  throw new Error('not implemented');
}
