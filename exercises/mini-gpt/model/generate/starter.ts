/**
 * model/generate — text from the model: your gptStep and your samplers in a loop.
 *
 *   run the prompt through gptStep, one token at a time, from the empty cache
 *   repeat n times:
 *     token = nextToken(last logits, opts, u[i])     new token i uses u[i]
 *     keep it, and run it through gptStep
 *   return the n new tokens (not the prompt)
 *
 *   nextToken(logits, opts, u):
 *     temperature 0: the argmax (the lower index on a tie)
 *     else: logits / T → top-k (if given) → top-p (if given) → softmax
 *           → the first token whose cumulative probability exceeds u
 *
 *   prompt: token ids, length ≥ 1      prompt.length + n ≤ w.config.context
 *   opts: { temperature ≥ 0, topK?, topP? }      u: n numbers in [0, 1)
 *
 * Conventions:
 * - Hugging Face's order: temperature, then top-k, then top-p; each filter
 *   returns logits with the removed tokens at −Infinity.
 * - Your applyTemperature takes t > 0 only: temperature 0 is greedy, and
 *   nextToken must say so before any division.
 * - `llm-tutor play` calls your nextToken with your gptStep's logits.
 * Your earlier files are imported below: use them, or write your own.
 * Run `llm-tutor lesson model/generate` for the lesson.
 */
import { gptStep } from './kv-cached-step.js';
import { applyTemperature } from '../../inference/decoding/temperature.js';
import { topKFilter } from '../../inference/decoding/top-k.js';
import { topPFilter } from '../../inference/decoding/top-p.js';
import { sampleToken } from '../../inference/decoding/sample.js';
import { softmax } from '../../transformer-core/foundations/softmax.js';

/** The parameters of one GPT-2 block (h.0.ln_1, h.0.attn, h.0.ln_2, h.0.mlp). */
export interface BlockParams {
  ln_1: { gamma: Vector; beta: Vector };
  attn: { wq: Matrix; bq: Vector; wk: Matrix; bk: Vector; wv: Matrix; bv: Vector; wo: Matrix; bo: Vector };
  ln_2: { gamma: Vector; beta: Vector };
  mlp: { w1: Matrix; b1: Vector; w2: Matrix; b2: Vector };
}

/** The model's weights (exercises/mini-gpt/README.md). */
export interface GptWeights {
  config: { vocabSize: number; context: number; layers: number; heads: number; width: number };
  wte: Matrix; // [vocabSize, C]   token embedding, also the output layer
  wpe: Matrix; // [context, C]     position embedding
  h: BlockParams[];
  ln_f: { gamma: Vector; beta: Vector };
}

/** One entry per layer: the keys and values of every position so far, [t, C] each. */
export type GptCache = { k: Matrix; v: Matrix }[];

export function nextToken(logits: Vector, opts: { temperature: number; topK?: number; topP?: number }, u: number): number {
  throw new Error('not implemented');
}

export function generate(prompt: number[], n: number, w: GptWeights, opts: { temperature: number; topK?: number; topP?: number }, u: Vector): number[] {
  throw new Error('not implemented');
}
