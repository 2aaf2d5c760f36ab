/**
 * attention/grouped-query — model solution.
 * H query heads share H_kv key/value heads in consecutive groups of
 * H / H_kv: query head h reads KV head ⌊h / group⌋. Each head is ordinary
 * causal attention, aligned bottom-right (query i is at position m − n + i).
 */
export function groupedQueryAttention(q: Matrix[], k: Matrix[], v: Matrix[]): Matrix[] {
  const group = q.length / k.length; // query heads per KV head
  return q.map((qh, h) => {
    const g = Math.floor(h / group);
    return causalHead(qh, k[g], v[g]);
  });
}

/** Causal attention for one head: q [n, d], k [m, d], v [m, dv] → [n, dv]. */
function causalHead(q: Matrix, k: Matrix, v: Matrix): Matrix {
  const n = q.length;
  const m = k.length;
  const d = q[0].length;
  const dv = v[0].length;
  const scale = 1 / Math.sqrt(d);
  return q.map((qi, i) => {
    const out = new Array<number>(dv).fill(0);
    const last = m - n + i; // the last key this query may see
    if (last < 0) return out;
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
      for (let c = 0; c < dv; c++) out[c] += (e / sum) * v[j][c];
    });
    return out;
  });
}
