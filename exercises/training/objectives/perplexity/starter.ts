/**
 * objectives/perplexity — the perplexity of a language model on one sequence.
 *
 *   logits: [T, V], row t = the model's scores for the token after position t (T ≥ 2)
 *   tokens: the T token ids of the sequence, each in 0 … V−1
 *
 *   loss = (1/(T − 1)) · Σ_{t=0}^{T−2} ( logsumexp(logits[t]) − logits[t][tokens[t + 1]] )
 *   result = exp(loss)       (the loss in nats, so exp, not 2^)
 *
 * Run `llm-tutor lesson objectives/perplexity` for the lesson, `llm-tutor hint` for a hint.
 */
export function perplexity(logits: Matrix, tokens: number[]): number {
  throw new Error('not implemented');
}
