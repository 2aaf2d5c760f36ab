/**
 * rl/ppo-clip — PPO's clipped surrogate loss, averaged over the tokens.
 *
 *   r_t = exp(logpNew_t − logpOld_t)
 *   loss = −mean_t min(r_t·A_t, clip(r_t, 1 − ε, 1 + ε)·A_t)
 *
 * logpNew, logpOld: log-probabilities of the sampled tokens; advantages as given (not normalised).
 * Run `llm-tutor lesson rl/ppo-clip` for the lesson, `llm-tutor hint` for a hint.
 */
export function ppoClipLoss(logpNew: Vector, logpOld: Vector, advantages: Vector, eps: number): number {
  throw new Error('not implemented');
}
