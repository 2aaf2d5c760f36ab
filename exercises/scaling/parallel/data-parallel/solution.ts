/**
 * parallel/data-parallel — model solution: each shard's mean gradient times
 * its number of examples gives that shard's summed gradient; the sums are
 * added up (the all-reduce) and divided by the number of examples in all.
 */
export function dataParallelGrad(shardGrads: Vector[], shardSizes: number[]): Vector {
  const total = shardSizes.reduce((sum, n) => sum + n, 0);
  const summed = new Array<number>(shardGrads[0].length).fill(0);
  shardGrads.forEach((grad, i) => {
    const n = shardSizes[i];
    if (n === 0) return; // no examples: nothing to add, whatever its gradient holds
    grad.forEach((g, j) => {
      summed[j] += n * g;
    });
  });
  return summed.map((s) => s / total);
}
