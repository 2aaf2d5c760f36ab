import { describe, expect, test } from 'vitest';
import { wrongAlternatives } from '../../helpers/exercises.js';
import { autodiff, expectDiagnosed, expectPropertyBroken, maxAbsDiff, seededMatrix, solutionWith, testDiagnosisAndSolution } from './backprop-helpers.js';

const id = 'backprop/gelu-backward';
const lessonX = [-2, -0.5, 0, 1, 2.7];
const lessonDy = [1, 2, 1, -1, 0.5];
const linear = 'the gradient is linear in dy';
const slopesDown = 'GELU slopes down left of its minimum';

const c = Math.sqrt(2 / Math.PI);
const gelu = (x: number) => 0.5 * x * (1 + Math.tanh(c * (x + 0.044715 * x ** 3)));

/** The lesson's derivation in plain float64: product rule, tanh′ = 1 − t², u′ = √(2/π)(1 + 3·0.044715·x²). */
function derived(x: number[], dy: number[]): number[] {
  return x.map((v, i) => {
    const t = Math.tanh(c * (v + 0.044715 * v ** 3));
    return dy[i] * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * c * (1 + 3 * 0.044715 * v * v));
  });
}

/** Central differences of gelu in float64, an independent check of the table. */
const numericSlope = (x: number) => (gelu(x + 1e-6) - gelu(x - 1e-6)) / 2e-6;

describe('backprop/gelu-backward', () => {
  test('the lesson table: its gelu′ column is GELU’s slope by finite differences, its dx column is autodiff’s', async () => {
    const slopes = [-0.086099, 0.13263, 0.5, 1.082964, 1.024668];
    lessonX.forEach((x, i) => expect(numericSlope(x), `x = ${x}`).toBeCloseTo(slopes[i], 6));
    const dx = [-0.086099, 0.26526, 0.5, -1.082964, 0.512334];
    expect(maxAbsDiff(derived(lessonX, lessonDy), dx)).toBeLessThan(1e-6);
    expect(maxAbsDiff(await autodiff(id, lessonX, lessonDy), dx)).toBeLessThan(2e-6);
  });

  test('the lesson’s heatmap of gelu′ from −3 to 3, and GELU’s minimum −0.170 at x ≈ −0.7525', () => {
    const xs = [-3, -2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2, 3];
    expect(xs.map((x) => numericSlope(x).toFixed(3))).toEqual(['-0.012', '-0.086', '-0.128', '-0.083', '0.133', '0.500', '0.867', '1.083', '1.128', '1.086', '1.012']);
    expect(numericSlope(-0.7525)).toBeCloseTo(0, 4);
    expect(gelu(-0.7525)).toBeCloseTo(-0.17, 3);
  });

  test('the derivation matches autodiff of sum(dy ⊙ gelu_tanh(x)) on seeded inputs, far tails included', async () => {
    for (const seed of [1, 2, 3]) {
      const [x, dy] = seededMatrix(seed, 2, 12, 4);
      expect(maxAbsDiff(await autodiff(id, x, dy), derived(x, dy)), `seed ${seed}`).toBeLessThan(5e-6);
    }
    expect(maxAbsDiff(await autodiff(id, [-20, -8, 8, 20], [1, 1, 1, 1]), [0, 0, 1, 1])).toBeLessThan(1e-5);
  });

  test('the pitfalls give the lesson’s numbers', async () => {
    const at = async (m: string, x: number) => ((await wrongAlternatives(`training/${id}`, m, [x], [1])) as number[][]).map((out) => out[0]);
    const [constant, sech2One] = await at('tanh-derivative-dropped', 1);
    expect(constant).toBeCloseTo(0.841192, 6);
    expect(sech2One).toBeCloseTo(1.29365, 6);
    expect((await at('tanh-derivative-dropped', 2.7))[1]).toBeCloseTo(3.12721, 5);
    expect(await at('inner-derivative-wrong', 1)).toEqual([expect.closeTo(1.054368, 6), expect.closeTo(1.108368, 6)]);
    expect(await at('inner-derivative-wrong', 2.7)).toEqual([expect.closeTo(1.010844, 6), expect.closeTo(1.014425, 6)]);
    const exact = (await wrongAlternatives(`training/${id}`, 'exact-gelu-derivative', [2, 1], [1, 1])) as number[][];
    expect(Math.abs(exact[0][0] - derived([2], [1])[0])).toBeCloseTo(8.7e-4, 5);
    // The exact form's slope at 1 is Φ(1) + φ(1): Φ(1) = exact GELU(1) = 0.841345 (PyTorch's nn.GELU), φ(1) = e^−½/√(2π).
    expect(exact[0][1]).toBeCloseTo(0.841345 + Math.exp(-0.5) / Math.sqrt(2 * Math.PI), 6);
  });

  testDiagnosisAndSolution(id, { [linear]: 2, [slopesDown]: 2 });

  test('check yourself and grading: gelu′ without dy is not linear in dy; tanh taken as constant never slopes down, and each such learner is diagnosed', async () => {
    const noDy = await solutionWith(id, 'dy[i] * geluDerivative(v)', 'geluDerivative(v)');
    const constantTanh = await solutionWith(id, '0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x)', '0.5 * (1 + t)');
    expectDiagnosed(await expectPropertyBroken(id, noDy, linear, /^With dy multiplied by 3 your entry \d+ went from \S+ to \S+, not \S+\./), 'dy-ignored');
    expectDiagnosed(await expectPropertyBroken(id, constantTanh, slopesDown, /^At x = -\d(\.\d)? your gelu′ is 0\.\d+, but GELU falls there/), 'tanh-derivative-dropped');
  });
});
