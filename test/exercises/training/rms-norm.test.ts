import { describe, expect, test } from 'vitest';
import { expectMisconceptionsDiagnosed, reference, wrong } from '../../helpers/exercises.js';
import { expectClose } from '../../helpers/matrices.js';
import { expectPropertyBroken, expectSolutionHolds } from '../../helpers/properties.js';

const id = 'training/norms/rms-norm';
const unitRows = 'with g = 1, every row has mean square ms/(ms + ε), just under 1';
const invariance = 'scaling a token by a > 0 leaves its output unchanged';

const x = [
  [1, 2, 3, 6],
  [0.001, -0.002, 0.002, 0.001],
];
const g = [1, 2, 1, 0.5];
/** The lesson's output, worked by hand in the lesson. */
const lessonOutput = [
  [0.282843, 1.13137, 0.848528, 0.848528],
  [0.282843, -1.131371, 0.565685, 0.141421],
];

describe(id, () => {
  test('the lesson worked example by hand: mean squares 50/4 = 12.5 and 1e-5/4 = 2.5e-6', () => {
    expect((1 + 4 + 9 + 36) / 4).toBe(12.5);
    expect(Math.sqrt(12.5 + 1e-5)).toBeCloseTo(3.535535, 6);
    expectClose([1, 2, 3, 6].map((v, c) => (v / Math.sqrt(12.5 + 1e-5)) * g[c]), lessonOutput[0], 6);
    expect((1e-6 + 4e-6 + 4e-6 + 1e-6) / 4).toBeCloseTo(2.5e-6, 15);
    expect(Math.sqrt(1.25e-5)).toBeCloseTo(0.003536, 6);
    expectClose(x[1].map((v, c) => (v / Math.sqrt(1.25e-5)) * g[c]), lessonOutput[1], 6);
  });

  test('the reference gives the lesson output [[0.282843, 1.131370, 0.848528, 0.848528], [0.282843, −1.131371, 0.565685, 0.141421]]', async () => {
    expectClose(await reference(id, x, g, 1e-5), lessonOutput, 5);
  });

  test('the reference: an all-zero token stays 0, and a row of mean 0 is LayerNorm without β', async () => {
    expectClose(await reference(id, [[0, 0, 0]], [2, 3, 4], 1e-5), [[0, 0, 0]], 7);
    // [−1, 1, −3, 3] has mean 0 and variance 5: LayerNorm's (x − μ)/√(σ² + ε).
    expectClose(await reference(id, [[-1, 1, -3, 3]], [1, 1, 1, 1], 1e-5), [[-1, 1, -3, 3].map((v) => v / Math.sqrt(5 + 1e-5))], 6);
  });

  test('pitfalls (lesson table): the mean subtracted, ε outside the √ and Gemma\'s 1 + g, on the worked example', async () => {
    expectClose(await wrong(id, 'mean-subtracted', x, g, 1e-5), [[-1.069043, -1.069043, 0, 0.801783], [0.142857, -1.428571, 0.428571, 0.071429]], 5);
    expectClose(await wrong(id, 'eps-outside-sqrt', x, g, 1e-5), [[0.282842, 1.131368, 0.848526, 0.848526], [0.628481, -2.513923, 1.256961, 0.31424]], 5);
    expectClose(await wrong(id, 'gemma-one-plus-g', x, g, 1e-5), [[0.565685, 1.697056, 1.697056, 2.545583], [0.565685, -1.697056, 1.131371, 0.424264]], 5);
    // Hand-worked: token 1 centred is [0.0005, −0.0025, 0.0015, 0.0005], variance 2.25e-6, √(2.25e-6 + 1e-5) = 0.0035.
    expect(Math.sqrt(2.25e-6 + 1e-5)).toBeCloseTo(0.0035, 12);
    expect(Math.sqrt(2.5e-6) + 1e-5).toBeCloseTo(0.001591, 6);
  });

  test("what differs: with ε = float32's machine epsilon token 1 becomes [0.617895, −2.471581, 1.235791, 0.308948]", () => {
    // Plain float64 arithmetic with the ε that torch.finfo(torch.float32).eps gives, 2⁻²³.
    const eps = 2 ** -23;
    expectClose(x[1].map((v, c) => (v / Math.sqrt(2.5e-6 + eps)) * g[c]), [0.617895, -2.471581, 1.235791, 0.308948], 6);
  });

  test.each([7, 99])('each misconception fails the reference and is diagnosed as itself (seed %i)', async (seed) => {
    await expectMisconceptionsDiagnosed(id, seed, ['eps-outside-sqrt', 'gemma-one-plus-g', 'mean-subtracted']);
  });

  test('check yourself (lesson): token 0 normalised has mean square 0.999999, and so does 2·x', async () => {
    const ones = [1, 1, 1, 1];
    const normalised = [[0.282843, 0.565685, 0.848528, 1.697056]];
    expectClose(await reference(id, [x[0]], ones, 1e-5), normalised, 5);
    expectClose(await reference(id, [x[0].map((v) => 2 * v)], ones, 1e-5), normalised, 5);
    expect(12.5 / 12.50001).toBeCloseTo(0.999999, 6);
  });

  test('check yourself: the model solution holds both properties and passes every case (seeds 7 and 99)', async () => {
    await expectSolutionHolds(id, { [unitRows]: 2, [invariance]: 1 });
  });

  test('check yourself: dividing by the mean square instead of its root breaks both properties', async () => {
    const noSqrt = `export function rmsNorm(x: Matrix, g: Vector, eps: number): Matrix {
  return x.map((row) => {
    const ms = row.reduce((a, v) => a + v * v, 0) / row.length;
    return row.map((v, c) => (v / (ms + eps)) * g[c]);
  });
}`;
    await expectPropertyBroken(id, noSqrt, unitRows, /^With g = 1, row \d of your output has mean square \S+; it should be 0\.99\d+\. /);
    await expectPropertyBroken(id, noSqrt, invariance, /^Scaling each token by a > 0 changed your output \(\[\d\]\[\d\] is \S+ in the first and \S+ in the second\)\./);
  });
});
