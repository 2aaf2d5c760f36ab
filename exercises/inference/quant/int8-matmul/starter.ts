/**
 * quant/int8-matmul — y = x·w from int8 operands, as an int8 GEMM computes it.
 *
 *   xq [T, K]: activations quantised per tensor, x ≈ xq · xScale
 *   wq [K, N]: weight quantised per column,     w[:, j] ≈ wq[:, j] · wScales[j]
 *
 *   acc[t][j] = Σ_k xq[t][k] · wq[k][j]           integers, summed exactly
 *   y[t][j]   = acc[t][j] · xScale · wScales[j]
 *
 * Return y [T, N]; leave the arguments unchanged.
 * Run `llm-tutor lesson quant/int8-matmul` for the lesson, `llm-tutor hint` for a hint.
 */
export function int8Matmul(xq: number[][], xScale: number, wq: number[][], wScales: Vector): Matrix {
  throw new Error('not implemented');
}
