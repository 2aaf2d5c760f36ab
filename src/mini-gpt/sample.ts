/**
 * Text from a capstone model, for its quality checks and the training
 * record: each step runs the model on the last `context` tokens and draws
 * the next token at a temperature from a given generator (no KV cache: the
 * reference's plain form).
 */
import type { Rng } from '../core/authoring/rng.js';
import type { Tf } from '../core/authoring/exercise.js';
import { gptLogits, type GptConfig } from './model.js';

type Tensor = ReturnType<Tf['tensor']>;

/** How a next token is chosen: temperature 0 is greedy; topK and topP filter as Hugging Face's warpers (absent: off). */
export interface SampleOptions {
  temperature: number;
  topK?: number;
  topP?: number;
}

/**
 * The next token from a row of logits and one uniform number u in [0, 1), in
 * Hugging Face's order: logits ÷ temperature, top-k (every logit below the
 * k-th largest removed), top-p (sorted ascending by probability, every token
 * whose cumulative probability is ≤ 1 − p removed, never the most probable),
 * softmax, then the first token whose cumulative probability exceeds u
 * (inverse CDF, the interval each token owns in index order). Temperature 0
 * is the argmax (the lower index on a tie). The rule of the inference pack's
 * samplers and of mini-gpt's model/generate.
 */
export function nextToken(logits: ArrayLike<number>, opts: SampleOptions, u: number): number {
  const n = logits.length;
  if (opts.temperature === 0) {
    let best = 0;
    for (let i = 1; i < n; i++) if (logits[i] > logits[best]) best = i;
    return best;
  }
  const z = Array.from(logits, (v) => v / opts.temperature);
  if (opts.topK !== undefined && opts.topK < n) {
    const kth = [...z].sort((a, b) => b - a)[Math.max(1, opts.topK) - 1];
    for (let i = 0; i < n; i++) if (z[i] < kth) z[i] = -Infinity;
  }
  const max = Math.max(...z);
  let probs = z.map((v) => Math.exp(v - max));
  const sum = probs.reduce((a, b) => a + b, 0);
  probs = probs.map((v) => v / sum);
  if (opts.topP !== undefined) {
    // Ascending by probability; equal ones: the higher index first, so the lower index is kept.
    const ascending = probs.map((_, i) => i).sort((a, b) => probs[a] - probs[b] || b - a);
    let cumulative = 0;
    const removed = new Array<boolean>(n).fill(false);
    ascending.forEach((i, at) => {
      cumulative += probs[i];
      removed[i] = cumulative <= 1 - opts.topP! && at < n - 1;
    });
    const kept = probs.map((p, i) => (removed[i] ? 0 : p));
    const total = kept.reduce((a, b) => a + b, 0);
    probs = kept.map((p) => p / total);
  }
  const target = u * probs.reduce((a, b) => a + b, 0);
  let cumulative = 0;
  let last = 0;
  for (let i = 0; i < n; i++) {
    if (probs[i] > 0) last = i;
    cumulative += probs[i];
    if (target < cumulative) return i;
  }
  return last;
}

/** One run of generation: how many tokens, the settings, and one uniform number per token. */
export interface GenerationPlan {
  n: number;
  opts: SampleOptions;
  u: readonly number[];
}

/**
 * `plan.n` tokens generated after `prompt` (at least one token): each step
 * runs the model on the last `context` tokens (no KV cache: the reference's
 * plain form) and draws with `nextToken` and that step's uniform number.
 */
export function generateTokens(tf: Tf, params: Record<string, Tensor>, config: GptConfig, prompt: readonly number[], plan: GenerationPlan): number[] {
  const tokens = [...prompt];
  for (let i = 0; i < plan.n; i++) {
    const window = tokens.slice(-config.context);
    const last = tf.tidy(() => {
      const logits = gptLogits(tf, params, config, tf.tensor2d([window], [1, window.length], 'int32'));
      return tf.slice(logits, [0, window.length - 1, 0], [1, 1, config.vocabSize]).dataSync();
    });
    tokens.push(nextToken(last, plan.opts, plan.u[i]));
  }
  return tokens.slice(prompt.length);
}

/** `n` tokens generated after `prompt` at `temperature`, the uniform numbers drawn from `rng`. */
export function sampleTokens(tf: Tf, params: Record<string, Tensor>, config: GptConfig, prompt: readonly number[], n: number, temperature: number, rng: Rng): number[] {
  return generateTokens(tf, params, config, prompt, { n, opts: { temperature }, u: Array.from({ length: n }, () => rng.next()) });
}

/**
 * The lines of generated poems, the text between two marks of ，。 or a
 * newline, and how many hold exactly five characters: the Tang model's
 * measure of having learned the form. The text before the first mark and
 * after the last is left out (it may be cut).
 */
export function fiveCharacterLines(text: string): { lines: number; five: number } {
  const pieces = text.split(/[，。\n]/);
  const inner = pieces.slice(1, -1).filter((piece) => piece !== '');
  return { lines: inner.length, five: inner.filter((piece) => Array.from(piece).length === 5).length };
}
