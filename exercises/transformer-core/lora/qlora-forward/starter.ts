/**
 * lora/qlora-forward — a LoRA layer whose frozen weight is stored in NF4.
 *
 *   W0[r][c] = NF4[codes[i]] · absmax[⌊i / blockSize⌋]   with i = r·cols + c
 *   h = x·W0 + (α/r)·(x·A)·B
 *
 *   x:    [n, in]    n tokens, one per row
 *   base: the frozen weight W0 ([in, out], so rows = in and cols = out), quantised:
 *         codes      one NF4 code (0–15) per weight, W0 flattened row by row
 *         absmax     one scale per block of blockSize consecutive codes
 *                    (blocks run over the flattened matrix and may end mid-row)
 *         blockSize, rows, cols
 *   a:    [in, r]    b: [r, out]    alpha: the LoRA α
 *   returns [n, out]
 *
 * The 16 NF4 levels, indices 0–15 (bitsandbytes), as a JavaScript array:
 *   [-1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453,
 *    -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0,
 *    0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224,
 *    0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0]
 *
 * Conventions: row-vector convention (y = x·W, W: [in, out]); r = a[0].length and
 * the update is scaled by α/r. Matrix is number[][], row-major.
 * Run `llm-tutor lesson lora/qlora-forward` for the lesson, `llm-tutor hint` for a hint.
 */
export function qloraForward(
  x: Matrix,
  base: { codes: number[]; absmax: number[]; blockSize: number; rows: number; cols: number },
  a: Matrix,
  b: Matrix,
  alpha: number,
): Matrix {
  throw new Error('not implemented');
}
