/**
 * optim/lr-schedule — model solution: CS336's get_lr_cosine_schedule.
 * A linear warm-up from 0, half a cosine from maxLr down to minLr between
 * the end of warm-up and the absolute step cosineSteps, then minLr.
 */
export function learningRate(step: number, cfg: { maxLr: number; minLr: number; warmupSteps: number; cosineSteps: number }): number {
  const { maxLr, minLr, warmupSteps, cosineSteps } = cfg;
  if (step < warmupSteps) return (maxLr * step) / warmupSteps;
  if (step > cosineSteps) return minLr;
  const progress = (step - warmupSteps) / (cosineSteps - warmupSteps);
  return minLr + 0.5 * (1 + Math.cos(Math.PI * progress)) * (maxLr - minLr);
}
