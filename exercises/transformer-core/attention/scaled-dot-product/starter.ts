/**
 * attention/scaled-dot-product — every query attends to every key.
 *
 *   attention(Q, K, V) = softmax(Q·Kᵀ / √d) · V
 *
 *   q: [n, d]   one row per query
 *   k: [m, d]   one row per key (same width d as the queries)
 *   v: [m, dv]  one row per key; dv may differ from d
 *   returns [n, dv]
 *
 * Conventions: the scale is 1/√d with d = the width of q and k (the head size).
 * The softmax runs over the keys, separately for each query (row i of the
 * weights adds up to 1), and must be stable: scores near ±1000 are in the cases.
 * Row-major matrices: m[row][col]. Do not change the inputs.
 * Run `llm-tutor lesson attention/scaled-dot-product` for the lesson, `llm-tutor hint` for a hint.
 */
export function attention(q: Matrix, k: Matrix, v: Matrix): Matrix {
  throw new Error('not implemented');
}
