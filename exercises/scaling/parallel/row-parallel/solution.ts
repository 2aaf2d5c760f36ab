/**
 * parallel/row-parallel — model solution: each rank multiplies its block of
 * x's columns by the matching block of w's rows; the all-reduce adds the
 * partial sums, and the bias is added once, after it.
 */
export function rowParallelLinear(xShards: Matrix[], w: Matrix, b: Vector): { partials: Matrix[]; out: Matrix } {
  const partials: Matrix[] = [];
  let firstRow = 0;
  for (const x of xShards) {
    const width = x[0].length;
    const rows = w.slice(firstRow, firstRow + width);
    partials.push(x.map((xRow) => b.map((_, j) => xRow.reduce((sum, v, k) => sum + v * rows[k][j], 0))));
    firstRow += width;
  }
  const out = partials[0].map((row, t) => row.map((_, j) => partials.reduce((sum, p) => sum + p[t][j], 0) + b[j]));
  return { partials, out };
}
