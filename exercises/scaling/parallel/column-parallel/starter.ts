/**
 * parallel/column-parallel — a linear layer y = x·w split across ranks by w's columns
 * (Megatron's ColumnParallelLinear), simulated rank by rank.
 *
 *   shards[r]  = w[:, r·out/ranks … (r+1)·out/ranks − 1]   a contiguous block of columns
 *   outputs[r] = x · shards[r]                             every rank has the whole x
 *   gathered   = outputs side by side, rank 0 first        the all-gather: x·w
 *
 * x is [T, in], w is [in, out], and ranks divides out.
 * Run `llm-tutor lesson parallel/column-parallel` for the lesson, `llm-tutor hint` for a hint.
 */
export function columnParallelLinear(x: Matrix, w: Matrix, ranks: number): { shards: Matrix[]; outputs: Matrix[]; gathered: Matrix } {
  throw new Error('not implemented');
}
