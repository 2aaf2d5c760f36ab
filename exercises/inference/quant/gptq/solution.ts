/**
 * quant/gptq — model solution: GPTQ on one row, column by column, without blocks.
 * U is the upper Cholesky factor of H⁻¹ (UᵀU = H⁻¹); each column is rounded to the
 * nearest grid value and its error, divided by U_ii, is taken off the columns after it.
 */
function choleskyUpper(a: Matrix): Matrix {
  const n = a.length;
  const u: Matrix = a.map(() => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = a[i][j];
      for (let k = 0; k < i; k++) s -= u[k][i] * u[k][j];
      u[i][j] = i === j ? Math.sqrt(s) : s / u[i][i];
    }
  }
  return u;
}

export function gptqQuantizeRow(w: Vector, hInv: Matrix, grid: Vector): { q: Vector; error: number } {
  const u = choleskyUpper(hInv);
  const x = [...w];
  const q: Vector = [];
  let error = 0;
  for (let i = 0; i < x.length; i++) {
    let best = grid[0];
    for (const g of grid) if (Math.abs(g - x[i]) < Math.abs(best - x[i])) best = g;
    q.push(best);
    const err = (x[i] - best) / u[i][i];
    for (let j = i + 1; j < x.length; j++) x[j] -= err * u[i][j];
    error += (err * err) / 2;
  }
  return { q, error };
}
