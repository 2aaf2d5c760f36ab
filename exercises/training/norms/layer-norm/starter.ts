/**
 * norms/layer-norm — normalise each token (a row of x) over its C features.
 *
 *   y[t][c] = (x[t][c] − μ_t) / √(σ²_t + ε) · gamma[c] + beta[c]
 *
 * μ_t and σ²_t are the mean and the variance of row t, the variance dividing
 * by C (not C − 1), as PyTorch's LayerNorm does.
 * Run `llm-tutor lesson norms/layer-norm` for the lesson, `llm-tutor hint` for a hint.
 */
export function layerNorm(x: Matrix, gamma: Vector, beta: Vector, eps: number): Matrix {
  throw new Error('not implemented');
}
