/**
 * lora/forward — model solution.
 * The frozen path x·W0 and the adapter path (x·A)·B are computed separately and
 * added, the adapter's output scaled by α/r. A takes each token down to r numbers
 * and B brings them back up, so the update never forms an [in, out] matrix.
 */
export function loraForward(x: Matrix, w0: Matrix, a: Matrix, b: Matrix, alpha: number): Matrix {
  const r = a[0].length; // = b.length
  const scale = alpha / r;
  const dIn = w0.length;
  const dOut = w0[0].length;
  return x.map((row) => {
    // The token's r-dimensional code: row·A.
    const down = new Array<number>(r).fill(0);
    for (let p = 0; p < dIn; p++) {
      for (let k = 0; k < r; k++) down[k] += row[p] * a[p][k];
    }
    const out = new Array<number>(dOut).fill(0);
    for (let j = 0; j < dOut; j++) {
      let base = 0;
      for (let p = 0; p < dIn; p++) base += row[p] * w0[p][j];
      let update = 0;
      for (let k = 0; k < r; k++) update += down[k] * b[k][j];
      out[j] = base + scale * update;
    }
    return out;
  });
}
