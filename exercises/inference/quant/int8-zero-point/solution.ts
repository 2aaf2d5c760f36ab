/**
 * quant/int8-zero-point — model solution: torch's MinMaxObserver parameters
 * for the range [0, 2^bits − 1], then quantize_per_tensor, rounding half to even.
 */
export function quantizeAsymmetric(x: Vector, bits: number): { q: number[]; scale: number; zeroPoint: number } {
  const qmin = 0;
  const qmax = 2 ** bits - 1;
  // 0 is always in the range, so that it is exactly a level: the zero-point.
  const lo = Math.min(0, ...x);
  const hi = Math.max(0, ...x);
  // torch.finfo(torch.float32).eps = 2⁻²³ keeps an all-zero input from dividing by 0.
  const scale = Math.max((hi - lo) / (qmax - qmin), 2 ** -23);
  const zeroPoint = clamp(qmin - roundHalfEven(lo / scale), qmin, qmax);
  const q = x.map((v) => clamp(roundHalfEven(v / scale) + zeroPoint, qmin, qmax));
  return { q, scale, zeroPoint };
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

/** The nearest integer to v; an exact .5 goes to the even one (Math.round would send it up). */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  if (r - v === 0.5 && r % 2 !== 0) return r - 1;
  return r === 0 ? 0 : r; // never −0
}
