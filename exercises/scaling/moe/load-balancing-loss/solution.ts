/**
 * moe/load-balancing-loss — model solution: route every token (full softmax,
 * top k, ties to the lower index), count each slot's choices into f[slot][e],
 * average the probabilities into P[e], and return E · Σ f·P.
 */
export function loadBalancingLoss(routerLogits: Matrix, k: number): number {
  const T = routerLogits.length;
  const E = routerLogits[0].length;
  const f = Array.from({ length: k }, () => new Array<number>(E).fill(0));
  const P = new Array<number>(E).fill(0);
  for (const row of routerLogits) {
    const max = Math.max(...row);
    const exps = row.map((z) => Math.exp(z - max));
    const total = exps.reduce((a, b) => a + b, 0);
    const probs = exps.map((x) => x / total);
    // A stable sort of the indices in order: equal probabilities keep the lower index first.
    const chosen = probs.map((_, e) => e).sort((a, b) => probs[b] - probs[a]);
    for (let slot = 0; slot < k; slot++) f[slot][chosen[slot]] += 1 / T;
    probs.forEach((p, e) => (P[e] += p / T));
  }
  let sum = 0;
  for (const row of f) row.forEach((fraction, e) => (sum += fraction * P[e]));
  return E * sum;
}
