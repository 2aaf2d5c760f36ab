/**
 * backprop/layer-norm-backward — the backward pass of LayerNorm over each row.
 *
 *   forward, per row of x (C entries):
 *     μ = mean(x),  σ² = mean((x − μ)²)  (biased: divide by C)
 *     rstd = 1/√(σ² + eps),  n = (x − μ)·rstd,  y = n ⊙ gamma + beta
 *   dy: [N, C], the gradient of the loss with respect to y
 *
 *   dbeta  = Σ_rows dy,   dgamma = Σ_rows dy ⊙ n,   dn = dy ⊙ gamma
 *   dx     = rstd·(dn − mean(dn) − n·mean(dn ⊙ n)), per row
 *
 * beta is not an argument: no gradient depends on it.
 * Run `llm-tutor lesson backprop/layer-norm-backward` for the lesson, `llm-tutor hint` for a hint.
 */
export function layerNormBackward(x: Matrix, gamma: Vector, dy: Matrix, eps: number): { dx: Matrix; dgamma: Vector; dbeta: Vector } {
  throw new Error('not implemented');
}
