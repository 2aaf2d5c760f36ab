/**
 * attention/padding-mask — attention in which a mask says which keys each query may see.
 *
 *   maskedAttention(Q, K, V, mask) = softmax(Q·Kᵀ / √d + M) · V,
 *   M[i][j] = 0 if mask[i][j] is true, −Infinity otherwise
 *
 *   q:    [n, d]   one row per query
 *   k:    [m, d]   one row per key
 *   v:    [m, dv]  one row per key; dv may differ from d
 *   mask: [n, m]   mask[i][j] === true means query i MAY attend to key j
 *   returns [n, dv]
 *
 * Conventions:
 * - A masked key gets weight exactly 0 (the softmax runs over the allowed keys only).
 * - A query whose mask row is all false (a padding position) outputs a row of
 *   zeros: not NaN, and not the mean of v.
 * - The scale is 1/√d with d = the width of q and k; the softmax must be stable.
 * Do not change the inputs.
 * Run `llm-tutor lesson attention/padding-mask` for the lesson, `llm-tutor hint` for a hint.
 */
export function maskedAttention(q: Matrix, k: Matrix, v: Matrix, mask: boolean[][]): Matrix {
  throw new Error('not implemented');
}
