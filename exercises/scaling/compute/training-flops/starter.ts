/**
 * compute/training-flops — the tokens, FLOPs and time of a training run.
 *
 *   cfg.params     N, the model's parameters
 *   cfg.tokens     D, the training tokens; when absent, Chinchilla's
 *                  compute-optimal 20 tokens per parameter
 *   cfg.gpus       the GPUs training together
 *   cfg.peakFlops  one GPU's peak, FLOP/s (312e12 for an A100 in bf16)
 *   cfg.mfu        model FLOPs utilisation: the fraction of the peak achieved
 *
 * Returns { tokens, flops, seconds }: the tokens used, the FLOPs of the whole
 * run (forward and backward passes) and its wall-clock time in seconds.
 * Run `llm-tutor lesson compute/training-flops` for the lesson, `llm-tutor hint` for a hint.
 */
export function trainingPlan(cfg: { params: number; tokens?: number; gpus: number; peakFlops: number; mfu: number }): { tokens: number; flops: number; seconds: number } {
  throw new Error('not implemented');
}
