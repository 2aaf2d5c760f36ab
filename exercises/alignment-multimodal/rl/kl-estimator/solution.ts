/**
 * rl/kl-estimator — model solution: TRL's GRPO per-token KL,
 * `torch.exp(ref - logp) - (ref - logp) - 1`.
 */
export function klK3(logp: Vector, logpRef: Vector): Vector {
  return logp.map((lp, t) => {
    const logRatio = logpRef[t] - lp;
    return Math.exp(logRatio) - logRatio - 1;
  });
}
