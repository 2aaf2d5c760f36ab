/**
 * norms/rms-norm — model solution.
 * Each token (row) is divided by its root mean square, √(mean(x²) + ε), with
 * no mean subtracted, then feature c is scaled by g[c] (LLaMA's RMSNorm).
 */
export function rmsNorm(x: Matrix, g: Vector, eps: number): Matrix {
  return x.map((row) => {
    const meanSquare = row.reduce((a, v) => a + v * v, 0) / row.length;
    const rstd = 1 / Math.sqrt(meanSquare + eps);
    return row.map((v, c) => v * rstd * g[c]);
  });
}
