/**
 * objectives/causal-lm-loss — model solution.
 * Row t of the logits predicts token t + 1: the last row has no target and
 * the first token is never predicted. Each of the T − 1 positions costs
 * logsumexp(row) − row[target], the max shifted out; the loss is their mean.
 */
function logSumExp(z: Vector): number {
  const m = Math.max(...z);
  let total = 0;
  for (const v of z) total += Math.exp(v - m);
  return m + Math.log(total);
}

export function causalLmLoss(logits: Matrix, tokens: number[]): number {
  const positions = tokens.length - 1;
  let total = 0;
  for (let t = 0; t < positions; t++) {
    total += logSumExp(logits[t]) - logits[t][tokens[t + 1]];
  }
  return total / positions;
}
