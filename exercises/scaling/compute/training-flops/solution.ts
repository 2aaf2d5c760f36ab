/**
 * compute/training-flops — model solution.
 * D defaults to 20·N only when absent (Chinchilla); training costs 6·N·D
 * FLOPs (forward 2ND, backward 4ND); the cluster achieves gpus·peak·mfu FLOP/s.
 */
export function trainingPlan(cfg: { params: number; tokens?: number; gpus: number; peakFlops: number; mfu: number }): { tokens: number; flops: number; seconds: number } {
  const tokens = cfg.tokens ?? 20 * cfg.params;
  const flops = 6 * cfg.params * tokens;
  const flopsPerSecond = cfg.gpus * cfg.peakFlops * cfg.mfu;
  return { tokens, flops, seconds: flops / flopsPerSecond };
}
