/**
 * x rounded to the nearest IEEE 754 half-precision (binary16) number, ties to
 * the even one, with subnormals; ±Infinity at or above 65520 in magnitude.
 */
export function roundToFloat16(x: number): number {
  throw new Error('not implemented');
}

/**
 * x rounded to the nearest bfloat16 number (float32's exponent, 8 significant
 * bits), ties to the even one, with subnormals.
 */
export function roundToBfloat16(x: number): number {
  throw new Error('not implemented');
}
