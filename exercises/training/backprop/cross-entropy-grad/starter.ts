/**
 * backprop/cross-entropy-grad — the gradient of the mean cross-entropy loss
 * with respect to the logits.
 *
 *   logits: [N, V], one row of V class scores per example
 *   targets: N class indices, targets[i] in 0 … V−1
 *
 *   loss = (1/N) · Σ_i ( logsumexp(logits[i]) − logits[i][targets[i]] )
 *   result[i][j] = ∂loss/∂logits[i][j] = (softmax(logits[i])[j] − [j = targets[i]]) / N
 *
 * Returns a matrix of the shape of logits.
 * Run `llm-tutor lesson backprop/cross-entropy-grad` for the lesson, `llm-tutor hint` for a hint.
 */
export function crossEntropyGrad(logits: Matrix, targets: number[]): Matrix {
  throw new Error('not implemented');
}
