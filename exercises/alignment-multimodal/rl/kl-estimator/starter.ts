/**
 * rl/kl-estimator — Schulman's k3 estimator of KL(π ‖ ref), per token (GRPO's KL penalty).
 *
 *   x = logpRef − logp       k3 = e^x − x − 1
 *
 * logp and logpRef: each token's log-probability under the policy π and under the reference model.
 * Run `llm-tutor lesson rl/kl-estimator` for the lesson, `llm-tutor hint` for a hint.
 */
export function klK3(logp: Vector, logpRef: Vector): Vector {
  throw new Error('not implemented');
}
