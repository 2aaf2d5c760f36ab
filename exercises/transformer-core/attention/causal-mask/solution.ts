/**
 * attention/causal-mask — model solution.
 * With n queries and m keys, the queries are the last n positions of the
 * sequence: query i sits at absolute position m − n + i and sees keys
 * j <= m − n + i. Masked keys get weight exactly 0 because the softmax runs over
 * the visible keys only; a query that sees no key (possible when n > m) returns
 * a row of zeros instead of 0/0.
 */
export function causalAttention(q: Matrix, k: Matrix, v: Matrix): Matrix {
  const n = q.length;
  const m = k.length;
  const d = q[0].length;
  const dv = v[0].length;
  const scale = 1 / Math.sqrt(d);
  return q.map((qi, i) => {
    const out = new Array<number>(dv).fill(0);
    const last = m - n + i; // the last key this query may see
    if (last < 0) return out; // nothing visible: zeros, not NaN
    const scores: number[] = [];
    for (let j = 0; j <= last; j++) {
      let dot = 0;
      for (let c = 0; c < d; c++) dot += qi[c] * k[j][c];
      scores.push(dot * scale);
    }
    const max = Math.max(...scores);
    const exps = scores.map((s) => Math.exp(s - max));
    const sum = exps.reduce((a, b) => a + b, 0);
    exps.forEach((e, j) => {
      const w = e / sum;
      for (let c = 0; c < dv; c++) out[c] += w * v[j][c];
    });
    return out;
  });
}
