/**
 * foundations/cross-entropy — model solution.
 * Per row: logsumexp with the max subtracted (and added back), minus the
 * target's logit, picked by index. The loss is the mean over rows.
 */
function logSumExp(z: Vector): number {
  const m = Math.max(...z);
  let sum = 0;
  for (const v of z) sum += Math.exp(v - m);
  return m + Math.log(sum);
}

export function crossEntropy(logits: Matrix, targets: number[]): number {
  let total = 0;
  for (let i = 0; i < logits.length; i++) {
    total += logSumExp(logits[i]) - logits[i][targets[i]];
  }
  return total / logits.length;
}
