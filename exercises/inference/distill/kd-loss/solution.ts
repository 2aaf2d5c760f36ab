/**
 * distill/kd-loss — model solution: Hinton et al.'s soft-target loss as PyTorch's
 * KLDivLoss(reduction="batchmean") computes it, times T².
 * Log-probabilities come from a stable log-softmax (the row's largest logit subtracted).
 */
function logSoftmax(row: Vector, t: number): Vector {
  const z = row.map((x) => x / t);
  const max = Math.max(...z);
  const logSum = Math.log(z.reduce((acc, x) => acc + Math.exp(x - max), 0));
  return z.map((x) => x - max - logSum);
}

export function distillationLoss(student: Matrix, teacher: Matrix, t: number): number {
  let total = 0;
  for (let r = 0; r < student.length; r++) {
    const logQ = logSoftmax(student[r], t);
    const logP = logSoftmax(teacher[r], t);
    for (let v = 0; v < logP.length; v++) total += Math.exp(logP[v]) * (logP[v] - logQ[v]);
  }
  return (t * t * total) / student.length;
}
