/**
 * collectives/ring-all-reduce — the plan of a ring all-reduce over `ranks` GPUs.
 *
 * Every rank's data is cut into N = ranks chunks, 0..N−1. At each step every
 * rank sends one chunk to rank (r + 1) mod N, all at once. Reduce-scatter
 * steps add the chunk into the receiver's; all-gather steps overwrite it.
 * Return the steps in order, all reduce-scatter steps first: 2(N − 1) of them
 * (none for N = 1), each `{ phase, sends: [{ from, to, chunk }] }`.
 * Run `llm-tutor lesson collectives/ring-all-reduce` for the lesson, `llm-tutor hint` for a hint.
 */
export function ringAllReduceSchedule(ranks: number): { phase: "reduce-scatter" | "all-gather"; sends: { from: number; to: number; chunk: number }[] }[] {
  throw new Error('not implemented');
}
