import { describe, expect, test } from 'vitest';
import { loadExercise, reference } from '../helpers/exercises.js';
import { wrongOutputs } from '../../src/core/grading/diagnose.js';
import { expectPropertyBroken, expectSolutionHolds, propertyResults } from '../helpers/properties.js';

const id = 'positions/rope-frequencies';
const decreasing = 'the frequencies start at θ_0 = 1 and strictly decrease';
const geometric = 'each frequency is the previous one times base^(−2/d)';

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

  test('check yourself (lesson): θ for d = 8, base 10000 falls by 10000^(−2/8) = 0.1 from each pair to the next', async () => {
    const theta = (await reference(id, 8, 10000)) as number[];
    expect(10000 ** (-2 / 8)).toBeCloseTo(0.1, 12);
    theta.slice(1).forEach((t, i) => expect(t / theta[i]).toBeCloseTo(0.1, 6));
  });

  test('check yourself: the model solution starts at 1, decreases and is geometric (seeds 7 and 99)', async () => {
    await expectSolutionHolds(id, { [decreasing]: 3, [geometric]: 3 });
  });

  test('check yourself: the frequencies listed slowest first break both properties', async () => {
    const reversed = `export function ropeFrequencies(d: number, base: number): Vector {
  return Array.from({ length: d / 2 }, (_, i) => base ** (-(2 * i) / d)).reverse();
}`;
    await expectPropertyBroken(id, reversed, decreasing, /^Your θ_0 is \S+\. The first pair turns fastest, at base\^0 = 1 radian per position\.$/);
    await expectPropertyBroken(id, reversed, geometric, /^Your θ_1 \/ θ_0 is \S+, but with d = \d+ and base \d+ every ratio is base\^\(−2\/d\) = \S+\. The frequencies form a geometric sequence/);
  });

  test('check yourself: evenly spaced frequencies decrease from 1 but are not geometric', async () => {
    const linear = `export function ropeFrequencies(d: number, base: number): Vector {
  return Array.from({ length: d / 2 }, (_, i) => 1 - (2 * i) / d);
}`;
    const verdict = await expectPropertyBroken(id, linear, geometric, /^Your θ_1 \/ θ_0 is 0\.\d+, but with d = \d+/);
    expect(propertyResults(verdict, decreasing).map((c) => c.status)).toEqual(['pass', 'pass', 'pass']);
  });
});

