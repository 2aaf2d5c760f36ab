/**
 * memory/zero — the bytes of model states each GPU holds under ZeRO.
 *
 *   params   Ψ, the number of parameters
 *   gpus     N, the data-parallel GPUs the states are sharded over
 *   stage    0: nothing sharded (plain data parallelism)
 *            1: optimiser states sharded
 *            2: optimiser states and gradients sharded
 *            3: optimiser states, gradients and weights sharded
 *
 * Mixed-precision Adam: 16-bit weights (2 bytes per parameter), 16-bit
 * gradients (2) and optimiser states K = 12 (fp32 master weights, m and v).
 * Returns bytes per GPU (not always a whole number when N does not divide Ψ).
 * Run `llm-tutor lesson memory/zero` for the lesson, `llm-tutor hint` for a hint.
 */
export function zeroBytesPerGpu(params: number, gpus: number, stage: 0 | 1 | 2 | 3): number {
  throw new Error('not implemented');
}
