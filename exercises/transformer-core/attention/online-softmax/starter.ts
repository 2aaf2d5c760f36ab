/**
 * attention/online-softmax — attention for one query in a single pass over key/value blocks.
 *
 *   flashAttentionRow(q, blocks) = softmax(q·Kᵀ / √d) · V
 *   where K and V are all the blocks' rows, in order
 *
 *   q:      [d]
 *   blocks: an iterable of { k: [b, d], v: [b, dv] }; b may differ per block, and may be 0
 *   returns [dv]
 *
 * Conventions:
 * - The blocks can be read ONCE (a second for...of throws), as a stream of
 *   blocks coming from memory would be: there is no second pass.
 *   Keep a running max m (start at −Infinity), a running sum ℓ and a running
 *   output o, and rescale ℓ and o by exp(m_old − m_new) when the max grows.
 * - The scale is 1/√d with d = q.length. Scores near ±1000 are in the cases.
 * - With no keys at all there is no value width: return [].
 * Run `llm-tutor lesson attention/online-softmax` for the lesson, `llm-tutor hint` for a hint.
 */
export function flashAttentionRow(q: Vector, blocks: Iterable<{ k: Matrix; v: Matrix }>): Vector {
  throw new Error('not implemented');
}
