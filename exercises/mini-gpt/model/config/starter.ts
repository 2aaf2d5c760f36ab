/**
 * model/config — what a trained GPT is, read from its weights: its sizes,
 * its parameter count and its size in bytes.
 *
 *   vocabSize = rows of wte        context = rows of wpe
 *   width C   = columns of wte     layers  = entries of h
 *   heads     = w.config.heads     (no shape says it: wq is [C, C] anyway)
 *   headWidth = C / heads
 *   params    = every stored number once; wte is also the output layer
 *               (logits = ln_f(x)·wteᵀ), so it counts once
 *   bytes     = 4 · params         (float32)
 *
 * Conventions: GptWeights as in the pack's README (below); every weight is
 * [in, out]; every linear layer has a bias, every LayerNorm a γ and a β.
 * Your gptParamCount of the scaling pack is imported below: use it (the
 * MLP is 4C wide, the embedding tied), or count the arrays yourself.
 * Run `llm-tutor lesson model/config` for the lesson.
 */
import { gptParamCount } from '../../scaling/memory/gpt-params.js';

/** The parameters of one GPT-2 block (h.{l}.ln_1, attn, ln_2, mlp), as in the training pack. */
export interface BlockParams {
  ln_1: { gamma: Vector; beta: Vector };
  attn: { wq: Matrix; bq: Vector; wk: Matrix; bk: Vector; wv: Matrix; bv: Vector; wo: Matrix; bo: Vector };
  ln_2: { gamma: Vector; beta: Vector };
  mlp: { w1: Matrix; b1: Vector; w2: Matrix; b2: Vector };
}

/** A GPT's weights, as the pack's README fixes them. */
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

/** One entry per layer: the keys and values of every position so far, [t, C] each. */
export type GptCache = { k: Matrix; v: Matrix }[];

export function describeModel(w: GptWeights): { params: number; layers: number; heads: number; width: number; headWidth: number; context: number; vocabSize: number; bytes: number } {
  throw new Error('not implemented');
}
