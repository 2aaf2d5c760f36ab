import { describe, expect, test } from 'vitest';
import { maxAbsDiff, reference, wrong } from '../helpers/exercises.js';
import { expectPropertyBroken, expectSolutionHolds } from '../helpers/properties.js';

const id = 'positions/rope-scaling';
const unchanged = 'factor 1 gives the plain frequencies, with either method';
const divides = 'linear scaling divides every frequency by the factor';
const ends = 'NTK leaves the fastest frequency at 1 and divides the slowest by the factor';

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

  test.each(['linear', 'ntk'])('reference, factor 1 (%s): d = 8, base 10000 gives the plain [1, 0.1, 0.01, 0.001] (Check yourself)', async (method) => {
    expectRelClose(await reference(id, 8, 10000, 1, method), [1, 0.1, 0.01, 0.001]);
  });

  test('check yourself: the model solution holds every property on seeds 7 and 99', async () => {
    await expectSolutionHolds(id, { [unchanged]: 1, [divides]: 2, [ends]: 2 });
  });

  test('check yourself: dividing by factor + 1 (linear) and a base off by one pair (NTK) break the three properties', async () => {
    const offByOne = `export function scaledRopeFrequencies(d: number, base: number, factor: number, method: 'linear' | 'ntk'): Vector {
  const b = method === 'ntk' ? base * factor ** (d / (d - 2)) : base;
  return Array.from({ length: d / 2 }, (_, i) => (method === 'ntk' ? b ** ((-2 * (i + 1)) / d) : b ** ((-2 * i) / d) / (factor + 1)));
}`;
    await expectPropertyBroken(id, offByOne, unchanged, /^With factor 1, your "linear" frequencies differ from the plain θ_i = base\^\(−2i\/d\): entry 0 is 1 in the first and 0\.5 in the second/);
    await expectPropertyBroken(id, offByOne, divides, /^Your linear frequencies for factor \S+ are not your factor-1 frequencies divided by \S+: entry 0 is 0\.\d+ in the first and 0\.\d+ in the second/);
    await expectPropertyBroken(id, offByOne, ends, /^With NTK and factor (4|3), your θ'_0 is 0\.\d+, not 1\. base' = base · factor\^\(d\/\(d−2\)\)/);
  });

  test('check yourself: NTK with the right first pair but the slowest pair wrong fails with the slowest pair named', async () => {
    const squared = `export function scaledRopeFrequencies(d: number, base: number, factor: number, method: 'linear' | 'ntk'): Vector {
  const b = method === 'ntk' ? base * factor ** (2 * d / (d - 2)) : base;
  return Array.from({ length: d / 2 }, (_, i) => b ** ((-2 * i) / d) / (method === 'ntk' ? 1 : factor));
}`;
    await expectPropertyBroken(id, squared, ends, /^With NTK and factor 4, your slowest θ' is 0\.0000625, not 0\.001 \/ 4 = 0\.00025\.|^With NTK and factor 3, your slowest θ' is \S+, not \S+ \/ 3 = \S+\./);
  });
});
