/**
 * backprop/attention-backward — model solution.
 * Recompute P, then go back through out = P·v (dv, dP), through the softmax
 * (dS = P ⊙ (dP − rowsum(dP ⊙ P))) and through S = q·kᵀ/√d (dq, dk).
 */
function matmul(a: Matrix, b: Matrix): Matrix {
  return a.map((row) => b[0].map((_, j) => row.reduce((s, v, k) => s + v * b[k][j], 0)));
}

function transpose(a: Matrix): Matrix {
  return a[0].map((_, j) => a.map((row) => row[j]));
}

function softmax(z: Vector): Vector {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

export function attentionBackward(q: Matrix, k: Matrix, v: Matrix, dOut: Matrix): { dq: Matrix; dk: Matrix; dv: Matrix } {
  const scale = 1 / Math.sqrt(q[0].length);
  const p = matmul(q, transpose(k)).map((row) => softmax(row.map((s) => s * scale)));
  const dp = matmul(dOut, transpose(v));
  const ds = p.map((row, i) => {
    const along = row.reduce((s, pij, j) => s + pij * dp[i][j], 0);
    return row.map((pij, j) => pij * (dp[i][j] - along) * scale);
  });
  return { dq: matmul(ds, k), dk: matmul(transpose(ds), q), dv: matmul(transpose(p), dOut) };
}
