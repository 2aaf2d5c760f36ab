/**
 * moe/top-k-router — model solution: softmax over all the experts, the k most
 * probable (ties to the lower index), renormalised over the k when asked.
 */
export function topKRouter(logits: Matrix, k: number, normalize: boolean): { experts: number[][]; weights: number[][] } {
  const experts: number[][] = [];
  const weights: number[][] = [];
  for (const row of logits) {
    const max = Math.max(...row);
    const exps = row.map((z) => Math.exp(z - max));
    const total = exps.reduce((a, b) => a + b, 0);
    const probs = exps.map((e) => e / total);
    // Array.prototype.sort is stable, and the indices start in order: equal probabilities keep the lower index first.
    const chosen = probs
      .map((_, e) => e)
      .sort((a, b) => probs[b] - probs[a])
      .slice(0, k);
    const picked = chosen.map((e) => probs[e]);
    const sum = picked.reduce((a, b) => a + b, 0);
    experts.push(chosen);
    weights.push(normalize ? picked.map((p) => p / sum) : picked);
  }
  return { experts, weights };
}
