/**
 * decoding/repetition-penalty — penalise tokens already generated, as CTRL and
 * Hugging Face's RepetitionPenaltyLogitsProcessor.
 *
 *   for each DISTINCT token i in seen (seen may repeat a token):
 *     out[i] = logits[i] / penalty   if logits[i] > 0
 *     out[i] = logits[i] * penalty   if logits[i] < 0
 *   every other logit unchanged
 *
 * Run `llm-tutor lesson decoding/repetition-penalty` for the lesson, `llm-tutor hint` for a hint.
 */
export function repetitionPenalty(logits: Vector, seen: number[], penalty: number): Vector {
  throw new Error('not implemented');
}
