/**
 * decoding/top-k — keep the k largest logits, as Hugging Face's TopKLogitsWarper.
 *
 *   kth    = the k-th largest logit (k larger than the vocabulary: all of them)
 *   out[i] = −Infinity where logits[i] < kth, logits[i] otherwise
 *
 * Ties with the k-th value are kept, so more than k tokens may survive.
 * Run `llm-tutor lesson decoding/top-k` for the lesson, `llm-tutor hint` for a hint.
 */
export function topKFilter(logits: Vector, k: number): Vector {
  throw new Error('not implemented');
}
