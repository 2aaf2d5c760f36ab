/**
 * parallel/column-parallel — model solution: w's columns cut into `ranks`
 * contiguous blocks, each rank multiplying the whole x by its block, and
 * the all-gather laying the ranks' outputs side by side.
 */
export function columnParallelLinear(x: Matrix, w: Matrix, ranks: number): { shards: Matrix[]; outputs: Matrix[]; gathered: Matrix } {
  const width = w[0].length / ranks;
  const shards: Matrix[] = [];
  for (let r = 0; r < ranks; r++) shards.push(w.map((row) => row.slice(r * width, (r + 1) * width)));
  const outputs = shards.map((shard) => matmul(x, shard));
  const gathered = x.map((_, t) => outputs.flatMap((out) => out[t]));
  return { shards, outputs, gathered };
}

/** a·b for a [n, k] and b [k, m]. */
function matmul(a: Matrix, b: Matrix): Matrix {
  return a.map((row) => b[0].map((_, j) => row.reduce((sum, v, k) => sum + v * b[k][j], 0)));
}
