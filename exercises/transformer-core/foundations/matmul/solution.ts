/**
 * foundations/matmul — model solution.
 * Each output row is a fresh array, and each entry starts its sum at 0:
 * row i of a walks along p while column j of b walks down p.
 */
export function matmul(a: Matrix, b: Matrix): Matrix {
  const n = a.length;
  const k = b.length;
  const m = b[0].length;
  const out: Matrix = [];
  for (let i = 0; i < n; i++) {
    const row = new Array<number>(m);
    for (let j = 0; j < m; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) sum += a[i][p] * b[p][j];
      row[j] = sum;
    }
    out.push(row);
  }
  return out;
}
