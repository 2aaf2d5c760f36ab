import { describe, expect, test } from 'vitest';
import { diagnoseEachMisconception, gradeLearnerSource, reference, solutionWith, wrong } from '../helpers/exercises.js';
import { expectPropertyBroken, expectSolutionHolds } from '../helpers/properties.js';

const shift = 'adding the same number to every logit leaves the output unchanged';
const distribution = 'the outputs are between 0 and 1 and add up to 1';

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

  test('the max-subtracted-in-numerator-only variant on the lesson example: [0.004482, 0.012184, 0.033120], summing to e^−3', async () => {
    // Hand-worked: exp([−2, −1, 0]) = [0.135335, 0.367879, 1] over e + e² + e³ = 30.193 (not 1.503215).
    const unshiftedSum = Math.E + Math.E ** 2 + Math.E ** 3;
    expect(unshiftedSum).toBeCloseTo(30.193, 3);
    expect(Math.exp(-2) + Math.exp(-1) + 1).toBeCloseTo(1.503215, 6);
    const got = (await wrong('foundations/softmax', 'max-subtracted-in-numerator-only', [1, 2, 3])) as number[];
    [0.004482, 0.012184, 0.03312].forEach((want, i) => expect(got[i]).toBeCloseTo(want, 6));
    expect(got.reduce((a, b) => a + b, 0)).toBeCloseTo(0.049787, 6);
    expect(Math.exp(-3)).toBeCloseTo(0.049787, 6);
  });

  test('grading: a learner whose sum is not shifted is diagnosed as max-subtracted-in-numerator-only', async () => {
    const source = await solutionWith('foundations/softmax', ['const sum = exps.reduce((a, b) => a + b, 0);', 'const sum = x.reduce((a, v) => a + Math.exp(v), 0);']);
    const verdict = await gradeLearnerSource('foundations/softmax', { 'foundations/softmax.ts': source });
    expect(verdict.status).toBe('fail');
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'max-subtracted-in-numerator-only', confidence: 'full' });
  });

  test('every misconception fails the reference and is diagnosed as itself', async () => {
    for (const result of await diagnoseEachMisconception('foundations/softmax')) {
      expect(result.failingCases, result.id).toBeGreaterThan(0);
      expect(result.diagnosed, result.id).toBe(result.id);
    }
  });

  test('check yourself (lesson): softmax([11, 12, 13]) is softmax([1, 2, 3]) = [0.090031, 0.244728, 0.665241], which adds up to 1', async () => {
    const got = (await reference('foundations/softmax', [11, 12, 13])) as number[];
    [0.090031, 0.244728, 0.665241].forEach((want, i) => expect(got[i]).toBeCloseTo(want, 6));
    expect(0.090031 + 0.244728 + 0.665241).toBeCloseTo(1, 6);
  });

  test('check yourself: the model solution is shift-invariant and its outputs add up to 1 (seeds 7 and 99)', async () => {
    await expectSolutionHolds('foundations/softmax', { [shift]: 2, [distribution]: 2 });
  });

  test('check yourself: an extra 1 in the denominator breaks both properties', async () => {
    const plusOne = `export function softmax(x: Vector): Vector {
  const e = x.map((v) => Math.exp(v));
  const total = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / (1 + total));
}`;
    await expectPropertyBroken('foundations/softmax', plusOne, shift, /^softmax\(x\) and softmax\(x \+ -?\d+\) differ: entry \d+ is \S+ in the first and \S+ in the second\. exp\(x_i \+ c\) \/ Σ_j exp\(x_j \+ c\) = exp\(x_i\) \/ Σ_j exp\(x_j\)/);
    await expectPropertyBroken('foundations/softmax', plusOne, distribution, /^Your (8|20) outputs add up to 0\.\d+\. A softmax is a probability distribution/);
  });

  test('check yourself: an output that is not a list fails the property with what it was', async () => {
    await expectPropertyBroken('foundations/softmax', 'export function softmax(x: Vector): Vector { return x.length as unknown as Vector; }', distribution, /^softmax must return a list of numbers; it returned number\.$/);
  });
});

