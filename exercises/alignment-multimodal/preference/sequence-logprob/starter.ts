/**
 * preference/sequence-logprob — the log-probability of a response: the sum of
 * its tokens' log-probabilities, each predicted by the row before it.
 *
 *   log p(response) = Σ_{t = max(promptLen, 1)}^{T−1} log softmax(logits[t − 1])[tokens[t]]
 *
 * logits is [T, V] (row t predicts token t + 1; the last row is not used),
 * tokens has T entries, the first promptLen of them the prompt. Compute the
 * log-softmax stably. Run `llm-tutor lesson preference/sequence-logprob` for the lesson.
 */
export function sequenceLogProb(logits: Matrix, tokens: number[], promptLen: number): number {
  throw new Error('not implemented');
}
