/**
 * decoding/beam-search — beam search over a bigram model, as Hugging Face's
 * generate(num_beams=beams, length_penalty=lengthPenalty, early_stopping="never").
 *
 *   logProbs[prev][next]  log-probability of token `next` after token `prev`
 *   a hypothesis's score  Σ log p of its generated tokens / len^lengthPenalty
 *                         (len counts the generated tokens, eos included)
 *
 * Each step: extend every live beam by every token, rank by Σ log p (not the score);
 * of the best 2·beams, one ending in eos is finished (only if ranked among the first
 * `beams`), the others become the next live beams until there are `beams` of them.
 * After maxLen steps the live beams join the finished hypotheses; return the best.
 * `tokens` excludes `start`. Run `llm-tutor lesson decoding/beam-search` for the lesson.
 */
export function beamSearch(logProbs: Matrix, start: number, eos: number, beams: number, maxLen: number, lengthPenalty: number): { tokens: number[]; score: number } {
  throw new Error('not implemented');
}
