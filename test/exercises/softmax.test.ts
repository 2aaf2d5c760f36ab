import { describe, expect, test } from 'vitest';
import { diagnoseEachMisconception, reference, wrong } from '../helpers/exercises.js';

describe('foundations/softmax', () => {
  test('reference matches the lesson worked example softmax([1, 2, 3]) = [0.090031, 0.244728, 0.665241]', async () => {
    const got = (await reference('foundations/softmax', [1, 2, 3])) as number[];
    [0.090031, 0.244728, 0.665241].forEach((want, i) => expect(got[i]).toBeCloseTo(want, 6));
  });

  test('reference: large logits stay finite, −Infinity gets probability 0, a fully masked row is zeros', async () => {
    const large = (await reference('foundations/softmax', [1000, 1000])) as number[];
    expect(large).toEqual([0.5, 0.5]);
    const masked = (await reference('foundations/softmax', [0, -Infinity])) as number[];
    expect(masked).toEqual([1, 0]);
    expect(await reference('foundations/softmax', [-Infinity, -Infinity])).toEqual([0, 0]);
  });

  test('the no-max-subtraction variant gives NaN on large logits, as naive float64 code does', async () => {
    const got = (await wrong('foundations/softmax', 'no-max-subtraction', [1000, 0])) as number[];
    expect(Number.isNaN(got[0])).toBe(true);
  });

  test('every misconception fails the reference and is diagnosed as itself', async () => {
    for (const result of await diagnoseEachMisconception('foundations/softmax')) {
      expect(result.failingCases, result.id).toBeGreaterThan(0);
      expect(result.diagnosed, result.id).toBe(result.id);
    }
  });
});
