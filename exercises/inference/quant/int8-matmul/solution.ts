/**
 * quant/int8-matmul — model solution: the integer product accumulated exactly
 * (as an int32 accumulator would), then one multiplication per output by
 * xScale·wScales[j].
 */
export function int8Matmul(xq: number[][], xScale: number, wq: number[][], wScales: Vector): Matrix {
  const n = wq[0]?.length ?? 0;
  return xq.map((row) => {
    const y = new Array<number>(n);
    for (let j = 0; j < n; j++) {
      // Products of integers below 2^7 summed in a float64: exact far beyond any real K.
      let acc = 0;
      for (let k = 0; k < row.length; k++) acc += row[k] * wq[k][j];
      y[j] = acc * (xScale * wScales[j]);
    }
    return y;
  });
}
