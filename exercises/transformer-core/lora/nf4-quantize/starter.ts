/**
 * lora/nf4-quantize — blockwise 4-bit NormalFloat (NF4) quantisation, as in QLoRA.
 *
 * The 16 NF4 levels, indices 0–15, as bitsandbytes lists them (copy them as they are):
 *   [-1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453,
 *    -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0,
 *    0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224,
 *    0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0]
 *
 *   w          the weights, flattened
 *   blockSize  the number of consecutive values that share one scale
 *   returns    codes: one integer 0–15 per value (in the order of w)
 *              absmax: one number per block
 *
 * Rules:
 * - Blocks are w[0 … blockSize−1], w[blockSize … 2·blockSize−1], …; the last block
 *   may be shorter and has its own absmax.
 * - absmax of a block = the largest |x| in it.
 * - code = the index of the level nearest to x / absmax. A value exactly halfway
 *   between two levels takes the lower index.
 * - An all-zero block has absmax 0 and every code 7 (the level 0.0).
 * Codes and absmax are compared exactly.
 * Run `llm-tutor lesson lora/nf4-quantize` for the lesson, `llm-tutor hint` for a hint.
 */
export function quantizeNf4(w: Vector, blockSize: number): { codes: number[]; absmax: number[] } {
  throw new Error('not implemented');
}
