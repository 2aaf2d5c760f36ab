/**
 * attention/padding-mask — model solution.
 * Each query runs a stable softmax over the keys its mask row allows (masked
 * keys get weight exactly 0 because they are never scored) and mixes the
 * matching rows of v. A query that may see no key returns a row of zeros
 * instead of the 0/0 of an empty softmax.
 */
export function maskedAttention(q: Matrix, k: Matrix, v: Matrix, mask: boolean[][]): Matrix {
  const d = q[0].length;
  const dv = v[0].length;
  const scale = 1 / Math.sqrt(d);
  return q.map((qi, i) => {
    const out = new Array<number>(dv).fill(0);
    const visible: number[] = [];
    for (let j = 0; j < k.length; j++) if (mask[i][j]) visible.push(j);
    if (visible.length === 0) return out; // nothing to attend to: zeros, not NaN
    const scores = visible.map((j) => {
      let dot = 0;
      for (let c = 0; c < d; c++) dot += qi[c] * k[j][c];
      return dot * scale;
    });
    const max = Math.max(...scores);
    const exps = scores.map((s) => Math.exp(s - max));
    const sum = exps.reduce((a, b) => a + b, 0);
    visible.forEach((j, x) => {
      const w = exps[x] / sum;
      for (let c = 0; c < dv; c++) out[c] += w * v[j][c];
    });
    return out;
  });
}
