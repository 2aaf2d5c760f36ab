/**
 * vision/cross-attention — model solution: the Q-Former's cross-attention layer
 * (LAVIS BertSelfAttention with is_cross_attention), without bias, dropout or residual.
 * Heads are contiguous blocks of columns; each query's softmax runs over the image tokens.
 */
function matmul(a: Matrix, b: Matrix): Matrix {
  return a.map((row) => b[0].map((_, j) => row.reduce((acc, x, k) => acc + x * b[k][j], 0)));
}

export function crossAttention(queries: Matrix, image: Matrix, w: { wq: Matrix; wk: Matrix; wv: Matrix; wo: Matrix }, numHeads: number): Matrix {
  const dOut = w.wo[0].length;
  if (image.length === 0) return queries.map(() => new Array<number>(dOut).fill(0));
  const q = matmul(queries, w.wq);
  const k = matmul(image, w.wk);
  const v = matmul(image, w.wv);
  const width = q[0].length;
  const dHead = width / numHeads;
  const merged = q.map(() => new Array<number>(width).fill(0));
  for (let h = 0; h < numHeads; h++) {
    const cols = Array.from({ length: dHead }, (_, c) => h * dHead + c);
    q.forEach((qi, i) => {
      const scores = k.map((kj) => cols.reduce((acc, c) => acc + qi[c] * kj[c], 0) / Math.sqrt(dHead));
      const max = Math.max(...scores);
      const exps = scores.map((s) => Math.exp(s - max));
      const sum = exps.reduce((a, b) => a + b, 0);
      exps.forEach((e, j) => {
        for (const c of cols) merged[i][c] += (e / sum) * v[j][c];
      });
    });
  }
  return matmul(merged, w.wo);
}
