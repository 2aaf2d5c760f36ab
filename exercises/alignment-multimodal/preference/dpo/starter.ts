/**
 * preference/dpo — the DPO loss of Rafailov et al., as the authors' trainers.py computes it.
 *
 *   logits = (π_c − π_r) − (ref_c − ref_r)              one per preference pair
 *   loss = −(1/n) · Σ log σ(β · logits)
 *   chosenRewards = β·(π_c − ref_c)     rejectedRewards = β·(π_r − ref_r)
 *
 * pi and ref hold the sequence log-probabilities of each pair's chosen and
 * rejected responses under the policy and the frozen reference model.
 * Compute log σ stably. Run `llm-tutor lesson preference/dpo` for the lesson.
 */
export function dpoLoss(
  pi: { chosen: Vector; rejected: Vector },
  ref: { chosen: Vector; rejected: Vector },
  beta: number,
): { loss: number; chosenRewards: Vector; rejectedRewards: Vector } {
  throw new Error('not implemented');
}
