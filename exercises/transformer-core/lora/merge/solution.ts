/**
 * lora/merge — model solution.
 * Folds the adapter into the weight: merged = W0 + (α/r)·A·B. A is [in, r] and
 * B is [r, out], so A·B has W0's shape. The result is a new matrix; w0 is left
 * as it was (the frozen weight may still be needed, e.g. to unmerge).
 */
export function mergeLora(w0: Matrix, a: Matrix, b: Matrix, alpha: number): Matrix {
  const r = a[0].length; // = b.length
  const scale = alpha / r;
  return w0.map((row, i) =>
    row.map((w, j) => {
      let update = 0;
      for (let k = 0; k < r; k++) update += a[i][k] * b[k][j];
      return w + scale * update;
    }),
  );
}
