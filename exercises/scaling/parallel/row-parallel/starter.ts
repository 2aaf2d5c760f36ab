/**
 * parallel/row-parallel — a linear layer y = x·w + b split across ranks by w's rows
 * (Megatron's RowParallelLinear), simulated rank by rank.
 *
 * Rank r holds xShards[r], a block of x's columns, and the rows of w that meet them
 * (as many rows as xShards[r] is wide, after those of the ranks before it):
 *
 *   partials[r] = xShards[r] · W_r            a full-width [T, out] partial sum
 *   out         = Σ_r partials[r] + b         the all-reduce, then the bias once
 *
 * Run `llm-tutor lesson parallel/row-parallel` for the lesson, `llm-tutor hint` for a hint.
 */
export function rowParallelLinear(xShards: Matrix[], w: Matrix, b: Vector): { partials: Matrix[]; out: Matrix } {
  throw new Error('not implemented');
}
