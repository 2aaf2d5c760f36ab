/**
 * positions/rope — rotary position embedding (RoPE), neighbour pairs.
 *
 *   θ_i = base^(−2i/d)            i = 0 … d/2 − 1, d = the width of x
 *   for row r and pair i, with a = positions[r]·θ_i, x = x[r][2i], y = x[r][2i+1]:
 *     out[r][2i]   = x·cos a − y·sin a
 *     out[r][2i+1] = x·sin a + y·cos a
 *
 *   x: [T, d]          one row per token (d is even)
 *   positions: [T]     the position of each row's token (not always 0, 1, 2 …)
 *   base: number       10000 in RoFormer and LLaMA 1/2, 500000 in LLaMA 3
 *   returns [T, d]
 *
 * Conventions: pairs are neighbours (2i, 2i+1), as in RoFormer and Meta's LLaMA.
 * The rotation is counter-clockwise: (x, y) → (x cos − y sin, x sin + y cos).
 * Row-major matrices: m[row][col]. Do not change the inputs.
 * Run `llm-tutor lesson positions/rope` for the lesson, `llm-tutor hint` for a hint.
 */
export function applyRope(x: Matrix, positions: number[], base: number): Matrix {
  throw new Error('not implemented');
}
