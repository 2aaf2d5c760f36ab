/**
 * decoding/sample — model solution: the first token whose running sum is above
 * u·Σp. A weight of 0 never wins (its running sum equals the one before), and
 * if rounding leaves no token (u a hair below 1) the last of positive weight is drawn.
 */
export function sampleToken(probs: Vector, u: number): number {
  const total = probs.reduce((a, b) => a + b, 0);
  const target = u * total;
  let cumulative = 0;
  let lastPositive = 0;
  for (let i = 0; i < probs.length; i++) {
    cumulative += probs[i];
    if (target < cumulative) return i;
    if (probs[i] > 0) lastPositive = i;
  }
  return lastPositive;
}
