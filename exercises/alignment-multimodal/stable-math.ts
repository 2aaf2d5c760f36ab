// The pack's stable numerics, in float64: the softplus, log-sigmoid,
// log-sum-exp and log-softmax that the references and wrong variants of the
// preference, rl and vision tracks build on, and the naive forms the
// misconceptions about stability compute.

/** softplus(x) = log(1 + eˣ), stably: max(x, 0) + log1p(e^(−|x|)), finite for any finite x. */
export function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/** log σ(x) = −softplus(−x): −1000 at x = −1000, −0 at x = 1000. */
export const logSigmoid = (x: number): number => -softplus(-x);

/** The naive log σ(x) = log(1 / (1 + e^(−x))): −Infinity once e^(−x) overflows (x ≲ −710). */
export const naiveLogSigmoid = (x: number): number => Math.log(1 / (1 + Math.exp(-x)));

/** The other naive form, log(eˣ / (1 + eˣ)): −Infinity for x ≲ −745, NaN once eˣ overflows (x ≳ 710). */
export const naiveLogSigmoidRatio = (x: number): number => Math.log(Math.exp(x) / (1 + Math.exp(x)));

/** log Σ exp(z), the row's maximum subtracted first: finite for logits of ±1000. */
export function logSumExp(row: readonly number[]): number {
  const max = Math.max(...row);
  return max + Math.log(row.reduce((acc, x) => acc + Math.exp(x - max), 0));
}

/** log softmax of one row of logits: z − log-sum-exp(z). */
export function logSoftmax(row: readonly number[]): number[] {
  const logSum = logSumExp(row);
  return row.map((x) => x - logSum);
}

/** The mean of a list of numbers. */
export const mean = (xs: readonly number[]): number => xs.reduce((acc, x) => acc + x, 0) / xs.length;
