/**
 * moe/moe-layer — model solution: route each token (softmax over every
 * expert, top k, ties to the lower index, weights renormalised), then add up
 * its k SwiGLU experts' outputs with those weights.
 */
export function moeLayer(x: Matrix, p: { router: Matrix; experts: { w1: Matrix; w3: Matrix; w2: Matrix }[] }, k: number): Matrix {
  const times = (v: number[], w: Matrix): number[] => w[0].map((_, j) => v.reduce((s, vi, i) => s + vi * w[i][j], 0));
  const silu = (z: number) => z / (1 + Math.exp(-z));
  return x.map((row) => {
    const logits = times(row, p.router);
    const max = Math.max(...logits);
    const exps = logits.map((z) => Math.exp(z - max));
    const total = exps.reduce((a, b) => a + b, 0);
    const probs = exps.map((e) => e / total);
    // A stable sort of the indices in order: equal probabilities keep the lower index first.
    const chosen = probs
      .map((_, e) => e)
      .sort((a, b) => probs[b] - probs[a])
      .slice(0, k);
    const sum = chosen.reduce((s, e) => s + probs[e], 0);
    const out = new Array<number>(row.length).fill(0);
    for (const e of chosen) {
      const { w1, w3, w2 } = p.experts[e];
      const gate = times(row, w1);
      const up = times(row, w3);
      const y = times(gate.map((g, i) => silu(g) * up[i]), w2);
      y.forEach((v, i) => (out[i] += (probs[e] / sum) * v));
    }
    return out;
  });
}
