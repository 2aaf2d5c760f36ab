/**
 * preference/reward-model — model solution: −mean log σ(r_c − r_r), with
 * −log σ(m) = softplus(−m) written so that it never overflows.
 */
function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

export function bradleyTerryLoss(chosen: Vector, rejected: Vector): number {
  let total = 0;
  for (let i = 0; i < chosen.length; i++) {
    total += softplus(rejected[i] - chosen[i]);
  }
  return total / chosen.length;
}
