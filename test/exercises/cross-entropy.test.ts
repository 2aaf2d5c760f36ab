import { describe, expect, test } from 'vitest';
import { diagnoseEachMisconception, gradeLearnerSource, reference, solutionWith, wrong, wrongAlternatives } from '../helpers/exercises.js';
import { expectPropertyBroken, expectSolutionHolds } from '../helpers/properties.js';

const id = 'foundations/cross-entropy';
const nonNegative = 'the loss is never negative';
const uniform = 'equal logits give log V';

describe('foundations/cross-entropy', () => {
  test('reference matches the lesson worked example: row losses 0.407606 and 3.653178, mean 2.030392', async () => {
    const got = (await reference(id, [[2, 1, 0], [0.5, 2.5, -1]], [0, 2])) as number;
    expect(got).toBeCloseTo(2.030392, 5);
    expect((await reference(id, [[2, 1, 0]], [0])) as number).toBeCloseTo(0.407606, 5);
    expect((await reference(id, [[0.5, 2.5, -1]], [2])) as number).toBeCloseTo(3.653178, 5);
  });

  test('reference: log-sum-exp keeps extreme logits finite, banned classes are fine, V = 1 gives 0', async () => {
    expect(await reference(id, [[0, 200]], [0])).toBe(200);
    expect(await reference(id, [[0, 1000]], [0])).toBe(1000);
    expect((await reference(id, [[1000, 999, 998]], [1])) as number).toBeCloseTo(1 + Math.log(1 + Math.exp(-1) + Math.exp(-2)), 5);
    expect((await reference(id, [[-1000, -1001, -1003]], [1])) as number).toBeCloseTo(1 + Math.log(1 + Math.exp(-1) + Math.exp(-3)), 5);
    const banned = (await reference(id, [[1, -Infinity, 0.5, 2], [0, 1, -Infinity, -Infinity]], [3, 1])) as number;
    expect(Number.isFinite(banned)).toBe(true);
    expect((await reference(id, [[0, 0, 0, 0], [3, 3, 3, 3]], [1, 3])) as number).toBeCloseTo(Math.log(4), 6);
    expect(await reference(id, [[1.5], [-2]], [0, 0])).toBe(0);
  });

  test('the wrong variants fail where the lesson says they do', async () => {
    // In float64, −log(softmax) survives [0, 200] but not [0, 1000].
    expect(await wrong(id, 'log-of-softmax', [[0, 200]], [0])).toBeCloseTo(200, 9);
    expect(await wrong(id, 'log-of-softmax', [[0, 1000]], [0])).toBe(Infinity);
    expect(await wrong(id, 'lse-without-max', [[1000, 999, 998]], [1])).toBe(Infinity);
    expect(await wrong(id, 'sum-instead-of-mean', [[2, 1, 0], [0.5, 2.5, -1]], [0, 2])).toBeCloseTo(4.060784, 5);
    expect(Number.isNaN(await wrong(id, 'one-hot-times-log-probs', [[1, -Infinity, 0.5, 2]], [3]))).toBe(true);
  });

  test('the log-base-2 variant on the lesson example: 2.929236 bits (rows 0.588051, 5.270422), or 2.154520 with log₂ only on the sum', async () => {
    // Independently, from the lesson's nats: row losses 0.407606 and 3.653178, divided by ln 2.
    expect(0.407606 / Math.log(2)).toBeCloseTo(0.588051, 5);
    expect(3.653178 / Math.log(2)).toBeCloseTo(5.270422, 5);
    expect(2.030392 * Math.LOG2E).toBeCloseTo(2.929236, 5);
    // Row 1 with log₂ on the sum only: 2.5 + log₂(e^−2 + 1 + e^−3.5) + 1.
    expect(2.5 + Math.log2(Math.exp(-2) + 1 + Math.exp(-3.5)) + 1).toBeCloseTo(3.720989, 5);
    expect((0.588051 + 3.720989) / 2).toBeCloseTo(2.15452, 5);
    const [bits, mixed] = (await wrongAlternatives(id, 'log-base-2', [[2, 1, 0], [0.5, 2.5, -1]], [0, 2])) as number[];
    expect(bits).toBeCloseTo(2.929236, 5);
    expect(mixed).toBeCloseTo(2.15452, 5);
  });

  test('grading: a learner who writes Math.log2 for the log of the sum is diagnosed as log-base-2; equal logits over 4 classes give 2, not ln 4', async () => {
    for (const output of (await wrongAlternatives(id, 'log-base-2', [[0, 0, 0, 0]], [1])) as number[]) expect(output).toBeCloseTo(2, 9);
    const source = await solutionWith(id, ['return m + Math.log(sum);', 'return m + Math.log2(sum);']);
    const verdict = await gradeLearnerSource(id, { [`${id}.ts`]: source });
    expect(verdict.status).toBe('fail');
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'log-base-2', confidence: 'full' });
  });

  test('every misconception fails the reference and is diagnosed as itself', async () => {
    for (const seed of [7, 1, 2024]) {
      for (const result of await diagnoseEachMisconception(id, seed)) {
        expect(result.failingCases, `${result.id} (seed ${seed})`).toBeGreaterThan(0);
        expect(result.diagnosed, `${result.id} (seed ${seed})`).toBe(result.id);
      }
    }
  });

  test('check yourself (lesson): equal logits give log 4 = 1.386294, log 5 = 1.609438 and log 50 = 3.912023; a confident, correct row costs nearly 0', async () => {
    expect((await reference(id, [[0, 0, 0, 0], [3, 3, 3, 3]], [1, 3])) as number).toBeCloseTo(1.386294, 5);
    expect((await reference(id, [[-2, -2, -2, -2, -2]], [4])) as number).toBeCloseTo(1.609438, 5);
    expect((await reference(id, [new Array(50).fill(7)], [0])) as number).toBeCloseTo(3.912023, 5);
    expect([Math.log(4), Math.log(5), Math.log(50)].map((x) => Number(x.toFixed(6)))).toEqual([1.386294, 1.609438, 3.912023]);
    const confident = (await reference(id, [[30, 0, 0]], [0])) as number;
    expect(confident).toBeGreaterThanOrEqual(0);
    expect(confident).toBeLessThan(1e-6);
    // In float64, the row [30, 0, 0] with target 0 costs log(1 + 2·e^−30) ≈ 2e-13; GPT-2's V = 50257 gives log V ≈ 10.82.
    expect(Math.log1p(2 * Math.exp(-30))).toBeCloseTo(1.87e-13, 15);
    expect(Math.log(50257)).toBeCloseTo(10.82, 2);
  });

  test('check yourself: the model solution never gives a negative loss and gives log V for equal logits (seeds 7 and 99)', async () => {
    await expectSolutionHolds(id, { [nonNegative]: 2, [uniform]: 2 });
  });

  test('check yourself: a log-sum-exp over the other classes only breaks both properties', async () => {
    const othersOnly = `export function crossEntropy(logits: Matrix, targets: number[]): number {
  const losses = logits.map((z, i) => {
    const others = z.filter((_, j) => j !== targets[i]);
    const m = Math.max(...others);
    return m + Math.log(others.reduce((s, v) => s + Math.exp(v - m), 0)) - z[targets[i]];
  });
  return losses.reduce((s, l) => s + l, 0) / losses.length;
}`;
    await expectPropertyBroken(id, othersOnly, nonNegative, /^Your loss is -\S+\. Each row's loss is −log p_y, and a probability p_y is at most 1/);
    await expectPropertyBroken(id, othersOnly, uniform, /^With (5|50) equal logits in every row your loss is \S+, not log (5 = 1\.60944|50 = 3\.91202)\. Equal logits make a uniform distribution/);
  });
});

