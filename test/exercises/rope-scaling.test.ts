import { describe, expect, test } from 'vitest';
import { reference, wrong } from '../helpers/exercises.js';

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

  test('the base·factor variant slows the last pair by 4^(3/4) only (the lesson pitfall)', async () => {
    expectRelClose(await wrong(id, 'ntk-base-times-factor', 8, 10000, 4, 'ntk'), [1, 0.0707106781, 0.005, 0.000353553391]);
  });
});
