/**
 * preference/reward-model — the reward model's Bradley–Terry loss over a batch
 * of preference pairs.
 *
 *   loss = −(1/n) · Σ_i log σ(chosen[i] − rejected[i])
 *
 * chosen[i] and rejected[i] are the rewards of the two responses to prompt i.
 * Compute log σ stably: log σ(x) = −softplus(−x).
 * Run `llm-tutor lesson preference/reward-model` for the lesson.
 */
export function bradleyTerryLoss(chosen: Vector, rejected: Vector): number {
  throw new Error('not implemented');
}
