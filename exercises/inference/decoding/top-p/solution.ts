/**
 * decoding/top-p — model solution: walk the tokens from the most probable down
 * and keep each one while the probability above it is still below p.
 */
export function topPFilter(logits: Vector, p: number): Vector {
  const max = Math.max(...logits);
  const exps = logits.map((z) => Math.exp(z - max));
  const total = exps.reduce((a, b) => a + b, 0);
  const probs = exps.map((e) => e / total);
  const order = probs.map((_, i) => i).sort((a, b) => probs[b] - probs[a] || a - b);
  const out = logits.map(() => -Infinity);
  let above = 0;
  for (const i of order) {
    if (above < p) out[i] = logits[i];
    above += probs[i];
  }
  return out;
}
