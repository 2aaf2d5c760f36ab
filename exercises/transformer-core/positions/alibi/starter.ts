/**
 * positions/alibi — ALiBi: attention with linear biases (Press et al., 2021).
 *
 *   m_h = 2^(−8h/H)                  the slope of head h = 1 … H (H a power of two)
 *   bias[h−1][i][j] = −m_h·(i − j)    for a key at or before the query (j ≤ i)
 *                   = −Infinity       for a key after it (j > i)
 *
 *   heads: number    H, the number of attention heads
 *   n: number        the number of tokens: queries i and keys j = 0 … n − 1
 *   returns [H][n][n]: one bias matrix per head, added to that head's scores
 *
 * Conventions: heads are counted from 1 in the formula (bias[0] has slope
 * 2^(−8/H)). When H is not a power of two, take c = the largest power of two
 * below H: the first c slopes are those of c heads, then the 1st, 3rd, 5th …
 * slopes of 2c heads, H − c of them (the paper's get_slopes; 6 heads:
 * 1/4, 1/16, 1/64, 1/256, 1/2, 1/8).
 * Run `llm-tutor lesson positions/alibi` for the lesson, `llm-tutor hint` for a hint.
 */
export function alibiBias(heads: number, n: number): Matrix[] {
  throw new Error('not implemented');
}
