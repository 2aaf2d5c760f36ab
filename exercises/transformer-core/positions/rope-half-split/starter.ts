/**
 * positions/rope-half-split — RoPE with the pairs (i, i + d/2).
 *
 *   θ_i = base^(−2i/d)            i = 0 … d/2 − 1, d = the width of x
 *   for row r and pair i, with a = positions[r]·θ_i, x = x[r][i], y = x[r][i + d/2]:
 *     out[r][i]       = x·cos a − y·sin a
 *     out[r][i + d/2] = x·sin a + y·cos a
 *
 *   x: [T, d]          one row per token (d is even)
 *   positions: [T]     the position of each row's token
 *   base: number       10000 unless given otherwise
 *   returns [T, d]
 *
 * Conventions: pair i is dimension i of the first half with dimension i + d/2 of
 * the second half, as in GPT-NeoX and Hugging Face LLaMA (positions/rope pairs
 * neighbours instead). Same frequencies, same counter-clockwise rotation.
 * Row-major matrices: m[row][col]. Do not change the inputs.
 * Run `llm-tutor lesson positions/rope-half-split` for the lesson, `llm-tutor hint` for a hint.
 */
export function applyRopeHalf(x: Matrix, positions: number[], base: number): Matrix {
  throw new Error('not implemented');
}
