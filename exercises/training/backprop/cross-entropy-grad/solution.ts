/**
 * backprop/cross-entropy-grad — model solution.
 * Each row: a stable softmax, minus 1 at the target, all divided by the
 * number of rows (the loss is a mean over rows).
 */
function softmax(z: Vector): Vector {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  let s = 0;
  for (const x of e) s += x;
  return e.map((x) => x / s);
}

export function crossEntropyGrad(logits: Matrix, targets: number[]): Matrix {
  const n = logits.length;
  return logits.map((z, i) => softmax(z).map((p, j) => (p - (j === targets[i] ? 1 : 0)) / n));
}
