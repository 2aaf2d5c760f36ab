import { describe, expect, test } from 'vitest';
import { loadExercise, reference } from '../helpers/exercises.js';
import { wrongOutputs } from '../../src/core/grading/diagnose.js';

const id = 'positions/rope-frequencies';

/** Greatest relative difference, for numbers that span orders of magnitude. */
function maxRelDiff(got: number[], want: number[]): number {
  expect(got).toHaveLength(want.length);
  return Math.max(...want.map((w, i) => Math.abs(got[i] - w) / Math.abs(w)));
}

describe(id, () => {
  test('reference: d=8, base 10000 gives [1, 0.1, 0.01, 0.001]', async () => {
    expect(maxRelDiff((await reference(id, 8, 10000)) as number[], [1, 0.1, 0.01, 0.001])).toBeLessThan(1e-6);
  });

  test('reference: d=128 gives 64 frequencies from 1 down to 10000^(−126/128) ≈ 1.1548e-4 (2.4551e-6 with base 500000)', async () => {
    const plain = (await reference(id, 128, 10000)) as number[];
    expect(plain).toHaveLength(64);
    expect(maxRelDiff([plain[0], plain[63]], [1, 1.1547819846894582e-4])).toBeLessThan(1e-6);
    const llama3 = (await reference(id, 128, 500000)) as number[];
    expect(maxRelDiff([llama3[63]], [2.455140791131609e-6])).toBeLessThan(1e-6);
  });

  test('reference: one pair (d=2) is [1] whatever the base', async () => {
    expect(await reference(id, 2, 123)).toEqual([1]);
  });

  test('the d-entries misconception covers the four ways of getting d numbers, each of length d', async () => {
    const { definition, ctx } = await loadExercise(id);
    const m = definition.misconceptions!.find((x) => x.id === 'd-entries')!;
    const outputs = (await wrongOutputs(m, ctx, [8, 10000])) as number[][];
    expect(outputs.map((o) => o.length)).toEqual([8, 8, 8, 8]);
    expect(maxRelDiff(outputs[2], [1, 1, 0.1, 0.1, 0.01, 0.01, 0.001, 0.001])).toBeLessThan(1e-12);
    expect(maxRelDiff(outputs[3], [1, 0.1, 0.01, 0.001, 1, 0.1, 0.01, 0.001])).toBeLessThan(1e-12);
  });
});
