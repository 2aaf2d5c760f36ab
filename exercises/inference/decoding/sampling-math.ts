import { describeType } from 'llm-tutor/pack';
import { isVector } from '../../transformer-core/properties.js';

// Shared pieces of the sampling exercises (temperature, top-k, top-p, the
// repetition penalty, drawing a token): a stable softmax, the filters written
// as Hugging Face's logits processors compute them, and the messages' numbers.

export { isVector, show, showList } from '../../transformer-core/properties.js';

/** The message for an output that is not a list of `length` numbers, or undefined. */
export function notLogits(entry: string, out: unknown, length: number): string | undefined {
  if (isVector(out) && out.length === length) return undefined;
  return `${entry} must return a list of ${length} logits, one per token; it returned ${describeType(out)}.`;
}

/** softmax(z), with the largest logit subtracted first; −Infinity gives 0. */
export function softmax(z: readonly number[]): number[] {
  const max = Math.max(...z);
  const e = z.map((v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/** The token indices from the largest value to the smallest; equal values: the lower index first. */
export function descending(values: readonly number[]): number[] {
  return values.map((_, i) => i).sort((a, b) => values[b] - values[a] || a - b);
}

/** HF TopKLogitsWarper: the k-th largest value (k clamped to the vocabulary), and every logit below it at −Infinity. */
export function topKSteps(logits: readonly number[], k: number) {
  const kk = Math.min(k, logits.length);
  const kth = [...logits].sort((a, b) => b - a)[kk - 1];
  return { steps: { kth, kept: logits.filter((z) => z >= kth).length }, output: logits.map((z) => (z < kth ? -Infinity : z)) };
}

/**
 * HF TopPLogitsWarper, as it computes: sort the probabilities ascending (equal
 * ones: the higher index first, so that the lower index is kept), add them up
 * from the smallest, remove every token whose cumulative sum is ≤ 1 − p, and
 * never the last (most probable) one. The trace lists the tokens from the most
 * probable down, with the probability above each one.
 */
export function topPSteps(logits: readonly number[], p: number) {
  const probs = softmax(logits);
  const order = descending(probs);
  const ascending = [...order].reverse();
  const remove = new Array<boolean>(logits.length).fill(false);
  let cumulative = 0;
  ascending.forEach((i, at) => {
    cumulative += probs[i];
    remove[i] = cumulative <= 1 - p && at < ascending.length - 1;
  });
  let above = 0;
  const massAbove = order.map((i) => {
    const before = above;
    above += probs[i];
    return before;
  });
  return {
    steps: { probs, order, massAbove, kept: order.filter((i) => !remove[i]) },
    output: logits.map((z, i) => (remove[i] ? -Infinity : z)),
  };
}

/** CTRL / HF RepetitionPenaltyLogitsProcessor: every distinct seen token's logit ÷ penalty if positive, × penalty if negative. */
export function penalise(logits: readonly number[], seen: readonly number[], penalty: number): number[] {
  const distinct = new Set(seen);
  return logits.map((z, i) => (distinct.has(i) ? (z < 0 ? z * penalty : z / penalty) : z));
}

/** The running sums of the weights, their total, u·total, and the first i with u·total < cumulative[i] (the last token of positive weight if rounding leaves none). */
export function sampleSteps(probs: readonly number[], u: number) {
  const cumulative: number[] = [];
  let total = 0;
  for (const w of probs) cumulative.push((total += w));
  const target = u * total;
  let token = cumulative.findIndex((c) => target < c);
  if (token < 0) token = probs.reduce((last, w, i) => (w > 0 ? i : last), 0);
  return { steps: { cumulative, total, target }, output: token };
}
