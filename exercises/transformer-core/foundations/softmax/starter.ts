/**
 * foundations/softmax — turn a vector of scores (logits) into probabilities.
 *
 *   softmax(x)_i = exp(x_i − max(x)) / Σ_j exp(x_j − max(x))
 *
 * Entries may be −Infinity (a masked position): its probability is exactly 0.
 * If every entry is −Infinity, return all zeros (a fully masked attention row).
 * Run `llm-tutor lesson foundations/softmax` for the lesson, `llm-tutor hint` for a hint.
 */
export function softmax(x: Vector): Vector {
  throw new Error('not implemented');
}
