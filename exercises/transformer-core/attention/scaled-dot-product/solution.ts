/**
 * attention/scaled-dot-product — model solution.
 * Each query scores every key with a dot product divided by √d, a stable
 * softmax along that query's row turns the scores into weights, and the output
 * row is the weighted sum of the value rows.
 */
export function attention(q: Matrix, k: Matrix, v: Matrix): Matrix {
  const d = q[0].length;
  const dv = v[0].length;
  const scale = 1 / Math.sqrt(d);
  return q.map((qi) => {
    // Scores of this query against every key: one row of q·kᵀ/√d.
    const scores = k.map((kj) => {
      let dot = 0;
      for (let c = 0; c < d; c++) dot += qi[c] * kj[c];
      return dot * scale;
    });
    // Softmax over the keys, with the max subtracted so nothing overflows.
    const max = Math.max(...scores);
    const exps = scores.map((s) => Math.exp(s - max));
    const sum = exps.reduce((a, b) => a + b, 0);
    // Weighted sum of the value rows.
    const out = new Array<number>(dv).fill(0);
    exps.forEach((e, j) => {
      const w = e / sum;
      for (let c = 0; c < dv; c++) out[c] += w * v[j][c];
    });
    return out;
  });
}
