/**
 * memory/training-bytes — the bytes that training with Adam keeps per model,
 * before activations: weights, gradients and optimiser states.
 *
 *   params   Ψ, the number of parameters
 *   mode     "fp32": every tensor in 32 bits
 *            "mixed": mixed precision as the ZeRO paper counts it (16-bit
 *            weights and gradients, fp32 for what the optimiser keeps)
 *
 * Returns bytes (a 32-bit value is 4 bytes, a 16-bit one 2).
 * Run `llm-tutor lesson memory/training-bytes` for the lesson, `llm-tutor hint` for a hint.
 */
export function trainingBytes(params: number, mode: "fp32" | "mixed"): number {
  throw new Error('not implemented');
}
