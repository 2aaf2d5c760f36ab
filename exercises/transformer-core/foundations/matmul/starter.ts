/**
 * foundations/matmul — the product of two matrices.
 *
 *   a: [n, k]    b: [k, m]    result: [n, m]
 *   result[i][j] = Σ_p a[i][p] · b[p][j]      (p = 0 … k−1)
 *
 * Matrix is number[][], row-major: a[row][col], a.length rows, a[0].length columns.
 * Both inputs have at least one row and one column, and a[0].length === b.length.
 * Return a new matrix; do not change a or b.
 * Run `llm-tutor lesson foundations/matmul` for the lesson, `llm-tutor hint` for a hint.
 */
export function matmul(a: Matrix, b: Matrix): Matrix {
  throw new Error('not implemented');
}
