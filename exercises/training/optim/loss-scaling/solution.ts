/**
 * optim/loss-scaling — model solution: GradScaler.update after one step.
 * An overflow skips the step, backs the scale off and restarts the count;
 * growthInterval finite steps in a row grow the scale (unless the product
 * overflows) and restart it.
 */
export function updateLossScale(
  state: { scale: number; goodSteps: number },
  gradsFinite: boolean,
  cfg: { growthFactor: number; backoffFactor: number; growthInterval: number },
): { scale: number; goodSteps: number; skipStep: boolean } {
  if (!gradsFinite) return { scale: state.scale * cfg.backoffFactor, goodSteps: 0, skipStep: true };
  const goodSteps = state.goodSteps + 1;
  if (goodSteps < cfg.growthInterval) return { scale: state.scale, goodSteps, skipStep: false };
  const grown = state.scale * cfg.growthFactor;
  return { scale: Number.isFinite(grown) ? grown : state.scale, goodSteps: 0, skipStep: false };
}
