import { describe, expect, test } from 'vitest';
import { wrong } from '../../helpers/exercises.js';
import { autodiff, expectDiagnosed, expectPropertyBroken, maxAbsDiff, seededMatrix, testDiagnosisAndSolution } from './backprop-helpers.js';

const id = 'backprop/cross-entropy-grad';
const lessonLogits = [[2, 1, 0], [0.5, 2.5, -1]];
const lessonTargets = [0, 2];
const rowSums = 'each row of the gradient adds up to 0';
const halved = 'repeating the batch halves the gradient';

/** The lesson's derivation in plain float64: (softmax(z) − onehot(y)) / N per row. */
function derived(logits: number[][], targets: number[]): number[][] {
  return logits.map((z, i) => {
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    const total = e.reduce((s, x) => s + x, 0);
    return e.map((x, j) => (x / total - (j === targets[i] ? 1 : 0)) / logits.length);
  });
}

/** The lesson's derivation with its /N left out, as a learner file. */
const withoutN = `export function crossEntropyGrad(logits: Matrix, targets: number[]): Matrix {
  return logits.map((z, i) => {
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((x, j) => x / s - (j === targets[i] ? 1 : 0));
  });
}`;

/** softmax / N, the one-hot term forgotten, as a learner file. */
const withoutOneHot = `export function crossEntropyGrad(logits: Matrix, targets: number[]): Matrix {
  return logits.map((z) => {
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((x) => x / s / logits.length);
  });
}`;

describe('backprop/cross-entropy-grad', () => {
  test('the lesson table: (softmax − onehot)/2 by hand, and autodiff agrees', async () => {
    const table = [[-0.16738, 0.122364, 0.045015], [0.058057, 0.428988, -0.487046]];
    // By hand: row 0 softmax is [1, e^−1, e^−2]/(1 + e^−1 + e^−2).
    const s0 = 1 + Math.exp(-1) + Math.exp(-2);
    expect((1 / s0 - 1) / 2).toBeCloseTo(-0.16738, 6);
    expect(maxAbsDiff(derived(lessonLogits, lessonTargets), table)).toBeLessThan(1e-6);
    expect(maxAbsDiff(await autodiff(id, lessonLogits, lessonTargets), table)).toBeLessThan(2e-6);
  });

  test('the derivation matches autodiff of the mean cross-entropy on seeded batches (float32 within 1e-6)', async () => {
    for (const [seed, n, v] of [[1, 3, 5], [2, 6, 9], [3, 1, 4], [4, 8, 12]]) {
      const logits = seededMatrix(seed, n, v, 4);
      const targets = logits.map((_, i) => (i * 7 + seed) % v);
      expect(maxAbsDiff(await autodiff(id, logits, targets), derived(logits, targets)), `seed ${seed}`).toBeLessThan(1e-6);
    }
  });

  test('autodiff stays finite for logits near ±1000 and is 0 for a single class', async () => {
    const big = (await autodiff(id, [[1000, 999, 998]], [1])) as number[][];
    expect(maxAbsDiff(big, derived([[1000, 999, 998]], [1]))).toBeLessThan(1e-6);
    expect(await autodiff(id, [[1.5], [-2]], [0, 0])).toEqual([[0], [0]]);
  });

  test('the pitfalls give the numbers the lesson quotes at row 0’s target', async () => {
    const at = async (m: string) => ((await wrong(`training/${id}`, m, lessonLogits, lessonTargets)) as number[][])[0][0];
    expect(await at('no-division-by-n')).toBeCloseTo(-0.334759, 6);
    expect(await at('sign-flipped')).toBeCloseTo(0.16738, 6);
    expect(await at('onehot-missing')).toBeCloseTo(0.332620, 6);
    expect(await at('mean-over-every-entry')).toBeCloseTo(-0.055793, 6);
    const naive = (await wrong(`training/${id}`, 'softmax-without-max', [[1000, 999, 998]], [1])) as number[][];
    expect(naive[0].every(Number.isNaN)).toBe(true);
  });

  testDiagnosisAndSolution(id, { [rowSums]: 2, [halved]: 2 });

  test('check yourself and grading: the summed-loss gradient does not halve, and softmax/N does not add up to 0, and each such learner is diagnosed', async () => {
    expectDiagnosed(await expectPropertyBroken(id, withoutN, halved, /for the batch repeated twice, not half of it .* The loss is a mean over the rows/), 'no-division-by-n');
    expectDiagnosed(await expectPropertyBroken(id, withoutOneHot, rowSums, /^Row 0 of your gradient adds up to 0\.\d+, not 0\./), 'onehot-missing');
  });
});
