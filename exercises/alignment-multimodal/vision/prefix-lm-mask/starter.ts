/**
 * vision/prefix-lm-mask — the attention mask of a prefix-LM (PaliGemma, T5's prefix LM).
 *
 *   mask[i][j] = true when position i may attend to position j:
 *     the prefix (positions 0 … prefixLen − 1) is seen by every position;
 *     past the prefix, position i sees positions up to itself (causal)
 *
 * Return a [total][total] list of booleans; prefixLen may be 0 or ≥ total.
 * Run `llm-tutor lesson vision/prefix-lm-mask` for the lesson, `llm-tutor hint` for a hint.
 */
export function prefixLmMask(prefixLen: number, total: number): boolean[][] {
  throw new Error('not implemented');
}
