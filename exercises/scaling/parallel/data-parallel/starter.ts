/**
 * parallel/data-parallel — the gradient of the whole batch from the ranks' gradients.
 *
 * shardGrads[i] is the gradient of rank i's OWN mean loss, over its shardSizes[i]
 * examples. Return the gradient of the mean loss over all the examples:
 *
 *   Σ_i n_i·g_i / Σ_i n_i        (a shard of 0 examples contributes nothing)
 *
 * Run `llm-tutor lesson parallel/data-parallel` for the lesson, `llm-tutor hint` for a hint.
 */
export function dataParallelGrad(shardGrads: Vector[], shardSizes: number[]): Vector {
  throw new Error('not implemented');
}
