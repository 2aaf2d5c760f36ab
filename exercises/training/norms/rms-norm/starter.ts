/**
 * norms/rms-norm — divide each token (a row of x) by its root mean square.
 *
 *   y[t][c] = x[t][c] / √(mean_c(x[t][c]²) + ε) · g[c]
 *
 * No mean is subtracted and there is no offset, as in LLaMA's RMSNorm.
 * Run `llm-tutor lesson norms/rms-norm` for the lesson, `llm-tutor hint` for a hint.
 */
export function rmsNorm(x: Matrix, g: Vector, eps: number): Matrix {
  throw new Error('not implemented');
}
