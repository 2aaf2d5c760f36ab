/**
 * lora/qlora-forward — model solution.
 * Dequantises the frozen weight (row-major: W0[r][c] is flat index r·cols + c,
 * scaled by the absmax of block ⌊index / blockSize⌋), then runs the LoRA forward
 * pass h = x·W0 + (α/r)·(x·A)·B on it.
 */
const NF4 = [
  -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0,
  0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0,
];

export function qloraForward(
  x: Matrix,
  base: { codes: number[]; absmax: number[]; blockSize: number; rows: number; cols: number },
  a: Matrix,
  b: Matrix,
  alpha: number,
): Matrix {
  const { codes, absmax, blockSize, rows, cols } = base;
  const w0: Matrix = [];
  for (let r = 0; r < rows; r++) {
    const row = new Array<number>(cols);
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      row[c] = NF4[codes[i]] * absmax[Math.floor(i / blockSize)];
    }
    w0.push(row);
  }

  const rank = a[0].length;
  const scale = alpha / rank;
  return x.map((token) => {
    const down = new Array<number>(rank).fill(0);
    for (let p = 0; p < rows; p++) {
      for (let k = 0; k < rank; k++) down[k] += token[p] * a[p][k];
    }
    const out = new Array<number>(cols);
    for (let j = 0; j < cols; j++) {
      let frozen = 0;
      for (let p = 0; p < rows; p++) frozen += token[p] * w0[p][j];
      let update = 0;
      for (let k = 0; k < rank; k++) update += down[k] * b[k][j];
      out[j] = frozen + scale * update;
    }
    return out;
  });
}
