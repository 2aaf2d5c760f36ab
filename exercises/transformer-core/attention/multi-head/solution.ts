/**
 * attention/multi-head — model solution.
 * Project x to Q, K and V; give head h the contiguous columns
 * h·dHead … (h+1)·dHead − 1 of each; run causal attention in every head with
 * the scale 1/√dHead; write each head's output back into its own columns; and
 * multiply the merged [T, C] matrix by wo.
 */
export function multiHeadAttention(x: Matrix, w: { wq: Matrix; wk: Matrix; wv: Matrix; wo: Matrix }, numHeads: number): Matrix {
  const T = x.length;
  const C = x[0].length;
  const dHead = C / numHeads;
  const scale = 1 / Math.sqrt(dHead);
  const q = matmul(x, w.wq);
  const k = matmul(x, w.wk);
  const v = matmul(x, w.wv);
  const merged = Array.from({ length: T }, () => new Array<number>(C).fill(0));
  for (let h = 0; h < numHeads; h++) {
    const first = h * dHead; // this head's first column
    for (let i = 0; i < T; i++) {
      // Causal: token i sees tokens 0..i.
      const scores: number[] = [];
      for (let j = 0; j <= i; j++) {
        let dot = 0;
        for (let c = first; c < first + dHead; c++) dot += q[i][c] * k[j][c];
        scores.push(dot * scale);
      }
      const max = Math.max(...scores);
      const exps = scores.map((s) => Math.exp(s - max));
      const sum = exps.reduce((a, b) => a + b, 0);
      exps.forEach((e, j) => {
        for (let c = first; c < first + dHead; c++) merged[i][c] += (e / sum) * v[j][c];
      });
    }
  }
  return matmul(merged, w.wo);
}

/** [n, k] · [k, m] → [n, m]. */
function matmul(a: Matrix, b: Matrix): Matrix {
  return a.map((row) => b[0].map((_, j) => row.reduce((acc, x, p) => acc + x * b[p][j], 0)));
}
