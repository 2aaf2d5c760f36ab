/**
 * attention/online-softmax — model solution.
 * One pass over the key/value blocks, as FlashAttention-2 does for one query:
 * keep the largest score so far (m), the sum of exp(score − m) so far (ℓ) and
 * the weighted sum of value rows so far (o, on the same scale as ℓ). When a
 * block raises the max, rescale ℓ and o by exp(m_old − m_new). Divide once at
 * the end.
 */
export function flashAttentionRow(q: Vector, blocks: Iterable<{ k: Matrix; v: Matrix }>): Vector {
  const scale = 1 / Math.sqrt(q.length);
  let m = -Infinity;
  let sum = 0;
  let out: Vector = [];
  for (const { k, v } of blocks) {
    if (k.length === 0) continue; // nothing to add, and exp(−∞ − (−∞)) would be NaN
    if (out.length === 0) out = new Array<number>(v[0].length).fill(0);
    const scores = k.map((kj) => {
      let dot = 0;
      for (let c = 0; c < q.length; c++) dot += q[c] * kj[c];
      return dot * scale;
    });
    const mNew = Math.max(m, ...scores);
    const rescale = Math.exp(m - mNew); // exp(−∞) = 0 on the first block
    sum *= rescale;
    for (let c = 0; c < out.length; c++) out[c] *= rescale;
    scores.forEach((s, j) => {
      const p = Math.exp(s - mNew);
      sum += p;
      for (let c = 0; c < out.length; c++) out[c] += p * v[j][c];
    });
    m = mNew;
  }
  return out.map((o) => o / sum); // [] when there were no keys
}
