import { expect } from 'vitest';

/** Expects two matrices (or vectors, or lists of matrices) of the same shape to agree to `digits` decimals, naming the first entry that differs. */
export function expectClose(got: unknown, want: unknown, digits = 5, where = ''): void {
  if (typeof want === 'number') {
    expect(got, where).toBeCloseTo(want, digits);
    return;
  }
  expect(Array.isArray(got), `${where} is an array`).toBe(true);
  const g = got as unknown[];
  const w = want as unknown[];
  expect(g.length, `${where} length`).toBe(w.length);
  w.forEach((x, i) => expectClose(g[i], x, digits, `${where}[${i}]`));
}

/** A plain triple-loop matrix product, written here so the checks do not depend on any exercise's helpers. */
export function mm(p: number[][], q: number[][]): number[][] {
  return p.map((row) => q[0].map((_, j) => row.reduce((s, v, k) => s + v * q[k][j], 0)));
}
