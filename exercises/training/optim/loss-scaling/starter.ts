/**
 * optim/loss-scaling — update a dynamic loss scale after one step, as torch's GradScaler.
 *
 *   gradients not finite:  skip the step; scale × backoffFactor; goodSteps ← 0
 *   gradients finite:      goodSteps + 1; when that reaches growthInterval,
 *                          scale × growthFactor (unless that is Infinity) and goodSteps ← 0
 *
 * Return { scale, goodSteps, skipStep }. Graded over runs of steps, each fed your own previous state.
 * Run `llm-tutor lesson optim/loss-scaling` for the lesson, `llm-tutor hint` for a hint.
 */
export function updateLossScale(
  state: { scale: number; goodSteps: number },
  gradsFinite: boolean,
  cfg: { growthFactor: number; backoffFactor: number; growthInterval: number },
): { scale: number; goodSteps: number; skipStep: boolean } {
  throw new Error('not implemented');
}
