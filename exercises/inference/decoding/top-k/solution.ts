/**
 * decoding/top-k — model solution: the k-th largest logit is the threshold;
 * everything strictly below it becomes −Infinity, ties with it stay.
 */
export function topKFilter(logits: Vector, k: number): Vector {
  const sorted = [...logits].sort((a, b) => b - a);
  const threshold = sorted[Math.min(k, logits.length) - 1];
  return logits.map((z) => (z < threshold ? -Infinity : z));
}
