/**
 * quant/per-channel — model solution: each column of w [in, out] (an output
 * channel) quantised by its own absmax to [−127, 127], rounding half to even.
 */
export function quantizePerChannel(w: Matrix): { q: number[][]; scales: Vector } {
  const cols = w[0]?.length ?? 0;
  const absmax = new Array<number>(cols).fill(0);
  for (const row of w) row.forEach((v, j) => (absmax[j] = Math.max(absmax[j], Math.abs(v))));
  const q = w.map((row) => row.map((v, j) => (absmax[j] === 0 ? 0 : roundHalfEven((127 * v) / absmax[j]))));
  return { q, scales: absmax.map((m) => m / 127) };
}

/** The nearest integer to v; an exact .5 goes to the even one (Math.round would send it up). */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  if (r - v === 0.5 && r % 2 !== 0) return r - 1;
  return r === 0 ? 0 : r; // never −0
}
