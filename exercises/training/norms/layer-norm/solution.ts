/**
 * norms/layer-norm — model solution.
 * Each token (row) is centred on its mean and divided by √(σ² + ε), σ² the
 * biased variance (÷ N, as PyTorch); then feature c is scaled by gamma[c] and
 * shifted by beta[c].
 */
export function layerNorm(x: Matrix, gamma: Vector, beta: Vector, eps: number): Matrix {
  return x.map((row) => {
    const n = row.length;
    const mean = row.reduce((a, v) => a + v, 0) / n;
    const variance = row.reduce((a, v) => a + (v - mean) ** 2, 0) / n;
    const rstd = 1 / Math.sqrt(variance + eps);
    return row.map((v, c) => (v - mean) * rstd * gamma[c] + beta[c]);
  });
}
