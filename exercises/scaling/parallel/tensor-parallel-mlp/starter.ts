/**
 * parallel/tensor-parallel-mlp — the Megatron MLP gelu(x·w1)·w2, its hidden units split
 * across ranks, simulated rank by rank.
 *
 *   W1_r = w1[:, block r of hidden/ranks columns]     column-parallel
 *   W2_r = w2[the same block of rows, :]              row-parallel
 *   partials[r] = gelu(x · W1_r) · W2_r               no communication on the way
 *   out = Σ_r partials[r]                             the one all-reduce
 *
 * gelu(z) = 0.5·z·(1 + tanh(√(2/π)·(z + 0.044715·z³))), GPT-2's tanh form.
 * Run `llm-tutor lesson parallel/tensor-parallel-mlp` for the lesson, `llm-tutor hint` for a hint.
 */
export function tensorParallelMlp(x: Matrix, p: { w1: Matrix; w2: Matrix }, ranks: number): { partials: Matrix[]; out: Matrix } {
  throw new Error('not implemented');
}
