/**
 * block/tied-unembedding — model solution.
 * Logit v of position t is the dot product of h[t] with row v of wte:
 * h · wteᵀ, [T, V], with no softmax.
 */
export function unembed(h: Matrix, wte: Matrix): Matrix {
  return h.map((row) => wte.map((token) => token.reduce((sum, w, c) => sum + w * row[c], 0)));
}
