/**
 * optim/dropout — model solution: inverted dropout.
 * Survivors are divided by 1 − p in training, so the expected output is x
 * and inference needs no rescaling.
 */
export function dropout(x: Matrix, keep: boolean[][], p: number): Matrix {
  const scale = 1 / (1 - p);
  return x.map((row, i) => row.map((v, j) => (keep[i][j] ? v * scale : 0)));
}
