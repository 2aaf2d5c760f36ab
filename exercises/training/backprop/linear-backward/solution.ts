/**
 * backprop/linear-backward — model solution.
 * Each gradient has the shape of its value: dx = dy·wᵀ, dw = xᵀ·dy, and db
 * the column sums of dy (every row adds b once).
 */
function matmul(a: Matrix, b: Matrix): Matrix {
  return a.map((row) => b[0].map((_, j) => row.reduce((s, v, k) => s + v * b[k][j], 0)));
}

function transpose(a: Matrix): Matrix {
  return a[0].map((_, j) => a.map((row) => row[j]));
}

export function linearBackward(x: Matrix, w: Matrix, dy: Matrix): { dx: Matrix; dw: Matrix; db: Vector } {
  const db = dy[0].map((_, j) => dy.reduce((s, row) => s + row[j], 0));
  return { dx: matmul(dy, transpose(w)), dw: matmul(transpose(x), dy), db };
}
