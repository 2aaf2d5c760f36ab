/**
 * objectives/causal-lm-loss — the next-token loss of a language model on one sequence.
 *
 *   logits: [T, V], row t = the model's scores for the token after position t (T ≥ 2)
 *   tokens: the T token ids of the sequence, each in 0 … V−1
 *
 *   loss_t = logsumexp(logits[t]) − logits[t][tokens[t + 1]]     t = 0 … T − 2
 *   result = (1/(T − 1)) · Σ_t loss_t       (the mean, natural log: nats)
 *
 * The last row predicts a token that is not there, and no row predicts
 * tokens[0]. Compute log-sum-exp stably (subtract the row max).
 * Run `llm-tutor lesson objectives/causal-lm-loss` for the lesson, `llm-tutor hint` for a hint.
 */
export function causalLmLoss(logits: Matrix, tokens: number[]): number {
  throw new Error('not implemented');
}
