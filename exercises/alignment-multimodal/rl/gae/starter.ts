/**
 * rl/gae — generalised advantage estimation over one rollout of T steps.
 *
 *   δ_t = r_t + γ·V_{t+1} − V_t
 *   A_t = δ_t + γ·λ·A_{t+1}      from t = T − 1 down to 0, with A_T = 0
 *   returns_t = A_t + V_t
 *
 * rewards has T entries, values T + 1 (the last is the bootstrap, 0 when the episode ended).
 * Run `llm-tutor lesson rl/gae` for the lesson, `llm-tutor hint` for a hint.
 */
export function gae(rewards: Vector, values: Vector, gamma: number, lambda: number): { advantages: Vector; returns: Vector } {
  throw new Error('not implemented');
}
