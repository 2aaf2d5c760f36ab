/**
 * model/forward — the forward pass of a trained GPT: the milestone of the
 * capstone. It joins your embedding, transformer block, LayerNorm and tied
 * unembedding.
 *
 *   x = wte[tokens] + wpe[0 … T−1]                 embed
 *   x = block_l(x)   for l = 0 … layers − 1        transformerBlock
 *   logits = ln_f(x)·wteᵀ                         layerNorm, unembed
 *
 *   tokens: T token ids, 1 ≤ T ≤ w.config.context     returns [T, vocabSize]
 *   w: GptWeights (below), every weight [in, out]
 *
 * Conventions:
 * - Pre-norm blocks, each with w.config.heads heads; LayerNorm's ε is 1e-5.
 * - Row t of the logits predicts token t + 1 and depends on tokens 0 … t only.
 * - The shipped models (C = 128, 4 layers, 64 tokens) must run in well under
 *   a second: loops over rows, no copy of a weight matrix per row.
 * Your earlier files are imported below: use them, or write your own.
 * Run `llm-tutor lesson model/forward` for the lesson.
 */
import { embed } from '../../training/block/embedding.js';
import { transformerBlock } from '../../training/block/transformer-block.js';
import { layerNorm } from '../../training/norms/layer-norm.js';
import { unembed } from '../../training/block/tied-unembedding.js';

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

export function gptForward(tokens: number[], w: GptWeights): Matrix {
  throw new Error('not implemented');
}
