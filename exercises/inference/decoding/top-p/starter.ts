/**
 * decoding/top-p — nucleus filtering, as Hugging Face's TopPLogitsWarper.
 *
 *   probs = softmax(logits)
 *   keep the smallest set of most probable tokens whose probabilities add up
 *   to p or more (the token that crosses p included; at least one token;
 *   equal probabilities: the lower index first); the others become −Infinity
 *
 * Return the logits with the removed ones at −Infinity (kept ones unchanged).
 * Run `llm-tutor lesson decoding/top-p` for the lesson, `llm-tutor hint` for a hint.
 */
export function topPFilter(logits: Vector, p: number): Vector {
  throw new Error('not implemented');
}
