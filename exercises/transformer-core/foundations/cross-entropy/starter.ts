/**
 * foundations/cross-entropy — the mean cross-entropy loss of a batch of logits.
 *
 *   logits: [N, V], one row of V class scores per example (N ≥ 1, V ≥ 1)
 *   targets: N class indices, targets[i] in 0 … V−1
 *
 *   loss_i = logsumexp(logits[i]) − logits[i][targets[i]]
 *   logsumexp(z) = m + log Σ_j exp(z_j − m),   m = max_j z_j
 *   result = (1/N) · Σ_i loss_i      (the mean over rows, natural log)
 *
 * Compute it stably: never form the probabilities (−log(softmax) gives
 * Infinity when the target's probability underflows to 0). A logit may be
 * −Infinity (a banned class) as long as it is not the target's.
 * Run `llm-tutor lesson foundations/cross-entropy` for the lesson, `llm-tutor hint` for a hint.
 */
export function crossEntropy(logits: Matrix, targets: number[]): number {
  throw new Error('not implemented');
}
