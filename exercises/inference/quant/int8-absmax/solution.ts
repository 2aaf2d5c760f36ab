/**
 * quant/int8-absmax — model solution: q = round(127·x/max|x|) with ties to
 * even, scale = max|x|/127; an all-zero input gives zeros and scale 0.
 */
export function quantizeAbsmax(x: Vector): { q: number[]; scale: number } {
  let m = 0;
  for (const v of x) m = Math.max(m, Math.abs(v));
  if (m === 0) return { q: x.map(() => 0), scale: 0 };
  return { q: x.map((v) => roundHalfEven((127 * v) / m)), scale: m / 127 };
}

/** The nearest integer to v; an exact .5 goes to the even one (Math.round would send it up). */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  // r − v is exactly 0.5 only when v was exactly halfway and Math.round went up.
  if (r - v === 0.5 && r % 2 !== 0) return r - 1;
  return r === 0 ? 0 : r; // never −0
}
