/**
 * preference/dpo — model solution: trainers.py's preference_loss with
 * reference_free=False and no label smoothing, −log σ written as a stable softplus.
 */
function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

export function dpoLoss(
  pi: { chosen: Vector; rejected: Vector },
  ref: { chosen: Vector; rejected: Vector },
  beta: number,
): { loss: number; chosenRewards: Vector; rejectedRewards: Vector } {
  const n = pi.chosen.length;
  let total = 0;
  const chosenRewards: Vector = [];
  const rejectedRewards: Vector = [];
  for (let i = 0; i < n; i++) {
    const chosenRatio = pi.chosen[i] - ref.chosen[i];
    const rejectedRatio = pi.rejected[i] - ref.rejected[i];
    total += softplus(-beta * (chosenRatio - rejectedRatio));
    chosenRewards.push(beta * chosenRatio);
    rejectedRewards.push(beta * rejectedRatio);
  }
  return { loss: total / n, chosenRewards, rejectedRewards };
}
