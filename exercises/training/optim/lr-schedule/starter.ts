/**
 * optim/lr-schedule — the learning rate at a step: linear warm-up, then cosine decay.
 *
 *   t < Tw:        maxLr · t / Tw
 *   Tw ≤ t ≤ Tc:   minLr + ½(1 + cos(π·(t − Tw)/(Tc − Tw)))·(maxLr − minLr)
 *   t > Tc:        minLr
 *
 * Tw = cfg.warmupSteps, Tc = cfg.cosineSteps (an absolute step, greater than Tw); steps count from 0.
 * Run `llm-tutor lesson optim/lr-schedule` for the lesson, `llm-tutor hint` for a hint.
 */
export function learningRate(step: number, cfg: { maxLr: number; minLr: number; warmupSteps: number; cosineSteps: number }): number {
  throw new Error('not implemented');
}
