/**
 * attention/causal-mask — attention in which a query never sees a later key.
 *
 *   causalAttention(Q, K, V) = softmax(Q·Kᵀ / √d + M) · V,
 *   M[i][j] = 0 if j <= m − n + i, −Infinity otherwise
 *
 *   q: [n, d]   the n newest positions of the sequence
 *   k: [m, d]   all m positions so far (m may be larger or smaller than n)
 *   v: [m, dv]  dv may differ from d
 *   returns [n, dv]
 *
 * Conventions:
 * - The mask is aligned bottom-right: the queries are the LAST n positions, so
 *   query i is at absolute position m − n + i and sees keys j <= m − n + i.
 *   With n < m (a KV cache) the first query already sees m − n + 1 keys.
 * - A masked key gets weight exactly 0 (the softmax runs over the visible keys).
 * - A query that sees no key (possible when n > m) outputs a row of zeros, not NaN.
 * - The scale is 1/√d with d = the width of q and k; the softmax must be stable.
 * Run `llm-tutor lesson attention/causal-mask` for the lesson, `llm-tutor hint` for a hint.
 */
export function causalAttention(q: Matrix, k: Matrix, v: Matrix): Matrix {
  throw new Error('not implemented');
}
