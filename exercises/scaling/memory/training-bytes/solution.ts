/**
 * memory/training-bytes — model solution.
 * fp32: weights, gradients, Adam's m and v, 4 bytes each.
 * Mixed precision (ZeRO's accounting): 16-bit weights and gradients (2 bytes
 * each), and the optimiser's fp32 master weights, m and v (4 bytes each).
 */
export function trainingBytes(params: number, mode: "fp32" | "mixed"): number {
  const bytesPerParameter =
    mode === 'fp32'
      ? 4 + 4 + 4 + 4 // weights, gradients, m, v
      : 2 + 2 + (4 + 4 + 4); // fp16 weights, fp16 gradients; fp32 master weights, m, v
  return bytesPerParameter * params;
}
