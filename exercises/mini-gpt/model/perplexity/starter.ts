/**
 * model/perplexity — how well the model predicts text it was not trained on.
 *
 *   windows  = ⌊(N − 1)/context⌋                 N = tokens.length
 *   window j reads   tokens[j·context … (j+1)·context − 1]
 *            predicts tokens[j·context + 1 … (j+1)·context]
 *   loss     = mean over every prediction of every window of
 *              −log softmax(logits[t])[target t]          (nats)
 *   result   = exp(loss)
 *
 *   tokens: ids of w's vocabulary     context: ≤ w.config.context
 *
 * Conventions:
 * - The windows do not overlap; the tokens after the last whole window are
 *   not used. Every window scores `context` predictions, its last row too.
 * - Natural logarithms: the loss is in nats and its inverse is exp.
 * Your earlier files are imported below: your gptForward of model/forward
 * gives a window's logits, and your causalLmLoss of the training pack a
 * window's mean loss (give it the window's tokens and the one after).
 * Run `llm-tutor lesson model/perplexity` for the lesson.
 */
import { gptForward } from './forward.js';
import { causalLmLoss } from '../../training/objectives/causal-lm-loss.js';

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

export function evalPerplexity(tokens: number[], w: GptWeights, context: number): number {
  throw new Error('not implemented');
}
