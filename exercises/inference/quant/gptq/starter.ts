/**
 * quant/gptq — quantise one row of weights with GPTQ's error feedback (no blocks).
 *
 *   U = the upper Cholesky factor of hInv (UᵀU = H⁻¹), as gptq.py computes it
 *   for each column i in order:
 *     q_i = the grid value nearest the CURRENT w_i (equally near: the earlier one in grid)
 *     err = (w_i − q_i) / U_ii;    w_j −= err · U_ij  for every j > i
 *   error = Σ_i err²/2  (= Σ (w_i − q_i)²/(2·U_ii²), gptq.py's Losses)
 *
 * Return the quantised row q and the error; leave w unchanged.
 * Run `llm-tutor lesson quant/gptq` for the lesson, `llm-tutor hint` for a hint.
 */
export function gptqQuantizeRow(w: Vector, hInv: Matrix, grid: Vector): { q: Vector; error: number } {
  throw new Error('not implemented');
}
