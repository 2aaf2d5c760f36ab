/**
 * block/tied-unembedding — GPT-2's output layer, which reuses the token embedding.
 *
 *   logits = h · wteᵀ              logits[t][v] = h[t] · wte[v]
 *
 *   h:   [T, C]   the last block's output, after the final LayerNorm (ln_f)
 *   wte: [V, C]   the token embedding of block/embedding
 *   returns [T, V]
 *
 * Conventions:
 * - Return logits (raw scores of any sign), not probabilities: no softmax.
 * - GPT-2 ties lm_head.weight to wte: the same [V, C] table, no bias, no scale.
 * Run `llm-tutor lesson block/tied-unembedding` for the lesson, `llm-tutor hint` for a hint.
 */
export function unembed(h: Matrix, wte: Matrix): Matrix {
  throw new Error('not implemented');
}
