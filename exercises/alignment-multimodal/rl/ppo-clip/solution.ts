/**
 * rl/ppo-clip — model solution: CleanRL's
 * `torch.max(-adv * ratio, -adv * torch.clamp(ratio, 1 - eps, 1 + eps)).mean()`,
 * written as −mean min(r·A, clip(r)·A).
 */
export function ppoClipLoss(logpNew: Vector, logpOld: Vector, advantages: Vector, eps: number): number {
  let total = 0;
  for (let t = 0; t < logpNew.length; t++) {
    const ratio = Math.exp(logpNew[t] - logpOld[t]);
    const clippedRatio = Math.min(Math.max(ratio, 1 - eps), 1 + eps);
    total += Math.min(ratio * advantages[t], clippedRatio * advantages[t]);
  }
  return -total / logpNew.length;
}
