/**
 * Rounds x to a binary format with `bits` significant bits (the leading 1
 * included) whose smallest normal exponent is `minExponent`, ties to even;
 * magnitudes at or above `overflow` become ±Infinity.
 */
function roundToFormat(x: number, bits: number, minExponent: number, overflow: number): number {
  if (!Number.isFinite(x) || x === 0) return x; // NaN, ±Infinity and ±0 are kept
  const a = Math.abs(x);
  if (a >= overflow) return Math.sign(x) * Infinity;
  // The exponent of a: 2^e ≤ a < 2^(e+1) (log2 can be one off near a power of two).
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e -= 1;
  if (2 ** (e + 1) <= a) e += 1;
  // The spacing of representable numbers around a; below the normal range it stays that of the smallest normals (subnormals).
  const ulp = 2 ** (Math.max(e, minExponent) - (bits - 1));
  const scaled = a / ulp; // exact: ulp is a power of two
  const floor = Math.floor(scaled);
  const rest = scaled - floor;
  const units = rest > 0.5 || (rest === 0.5 && floor % 2 === 1) ? floor + 1 : floor;
  return Math.sign(x) * units * ulp;
}

/** binary16: 11 significant bits, exponents from −14, largest 65504; 65520 (halfway to 2^16) and above overflow. */
export function roundToFloat16(x: number): number {
  return roundToFormat(x, 11, -14, 65520);
}

/** bfloat16: 8 significant bits, float32's exponents from −126; (2 − 2^−8)·2^127 and above overflow. */
export function roundToBfloat16(x: number): number {
  return roundToFormat(x, 8, -126, (2 - 2 ** -8) * 2 ** 127);
}
