import { describe, expect, test } from 'vitest';
import { maxAbsDiff, reference, wrong } from '../helpers/exercises.js';

const id = 'positions/rope-scaling';

function expectRelClose(got: unknown, want: number[], rel = 1e-6): void {
  expect(got).toHaveLength(want.length);
  want.forEach((w, i) => expect(Math.abs((got as number[])[i] - w) / Math.abs(w), `[${i}]`).toBeLessThan(rel));
}

describe(id, () => {
  test('reference, linear: the lesson example divides [1, 0.1, 0.01, 0.001] by 4', async () => {
    expectRelClose(await reference(id, 8, 10000, 4, 'linear'), [0.25, 0.025, 0.0025, 0.00025]);
  });

  test('reference, NTK: base 10000 · 4^(8/6) = 63496.04 gives [1, 0.062996, 0.003969, 0.00025]', async () => {
    expectRelClose(await reference(id, 8, 10000, 4, 'ntk'), [1, 0.06299605249474366, 0.003968502629920499, 0.00025]);
  });

  test.each([
    [4, 3],
    [16, 2.5],
    [128, 8],
  ])('reference, NTK (d=%i, factor %d): θ_0 is unchanged and the last frequency is divided by exactly the factor', async (d, factor) => {
    const plain = (await reference('positions/rope-frequencies', d, 10000)) as number[];
    const ntk = (await reference(id, d, 10000, factor, 'ntk')) as number[];
    expect(ntk[0]).toBeCloseTo(1, 6);
    expectRelClose([ntk[d / 2 - 1]], [plain[d / 2 - 1] / factor], 1e-5);
  });

  test('reference: factor 1 changes nothing, with either method', async () => {
    const plain = (await reference('positions/rope-frequencies', 16, 10000)) as number[];
    expectRelClose(await reference(id, 16, 10000, 1, 'linear'), plain);
    expectRelClose(await reference(id, 16, 10000, 1, 'ntk'), plain);
  });

  test('the inverted-exponent variant: base 10000 · 4^(6/8) = 28284.27 slows the last pair by 4^(9/16) ≈ 2.18 (the lesson pitfall)', async () => {
    // Hand-worked: 4^(3/4) = 2√2, so base' = 20000√2 and θ'_i = base'^(−i/4) = 10^(−i) · (2√2)^(−i/4).
    const base = 20000 * Math.SQRT2;
    expect(base).toBeCloseTo(28284.27, 2);
    const want = [0, 1, 2, 3].map((i) => 10 ** -i * (2 * Math.SQRT2) ** (-i / 4));
    expectRelClose(await wrong(id, 'ntk-exponent-inverted', 8, 10000, 4, 'ntk'), want);
    // The lesson prints them to 6 decimals.
    expect(maxAbsDiff(want, [1, 0.077111, 0.005946, 0.000459])).toBeLessThan(5e-7);
    expect(0.001 / want[3]).toBeCloseTo(2.18, 2);
    // With d = 128 and factor 8 both exponents are near 1: 8^(126/128) and 8^(128/126).
    expect(10000 * 8 ** (126 / 128)).toBeCloseTo(77442.5, 0);
    expect(10000 * 8 ** (128 / 126)).toBeCloseTo(82684.6, 0);
  });

  test('the base·factor variant slows the last pair by 4^(3/4) only (the lesson pitfall)', async () => {
    expectRelClose(await wrong(id, 'ntk-base-times-factor', 8, 10000, 4, 'ntk'), [1, 0.0707106781, 0.005, 0.000353553391]);
  });
});
