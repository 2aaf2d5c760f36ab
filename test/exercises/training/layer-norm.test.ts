import { describe, expect, test } from 'vitest';
import { expectMisconceptionsDiagnosed, reference, wrong, wrongAlternatives } from '../../helpers/exercises.js';
import { expectClose } from '../../helpers/matrices.js';
import { expectPropertyBroken, expectSolutionHolds } from '../../helpers/properties.js';

const id = 'training/norms/layer-norm';
const unitRows = 'with γ = 1 and β = 0, every row has mean 0 and variance σ²/(σ² + ε), just under 1';
const invariance = 'scaling a token by a > 0 and shifting it leaves its output unchanged';

const x = [
  [1, 2, 3, 6],
  [0.002, 0.004, 0.001, 0.001],
];
const gamma = [1, 2, 1, 0.5];
const beta = [0, 0, 1, -1];
/** The lesson's output, worked by hand in the lesson. */
const lessonOutput = [
  [-1.069043, -1.069043, 1, -0.198217],
  [0, 1.179536, 0.705116, -1.147442],
];

describe(id, () => {
  test('the lesson worked example by hand: token 0 has μ = 3 and σ² = 14/4, token 1 μ = 0.002 and σ² = 1.5e-6', () => {
    // Written out term by term, apart from the exercise's code.
    const d0 = [1 - 3, 2 - 3, 3 - 3, 6 - 3];
    expect((1 + 2 + 3 + 6) / 4).toBe(3);
    expect(d0.map((d) => d * d).reduce((a, b) => a + b)).toBe(14);
    expect(Math.sqrt(14 / 4 + 1e-5)).toBeCloseTo(1.870831, 6);
    expectClose(d0.map((d, c) => (d / Math.sqrt(3.5 + 1e-5)) * gamma[c] + beta[c]), lessonOutput[0], 6);
    const d1 = [0, 0.002, -0.001, -0.001];
    expect((0.002 + 0.004 + 0.001 + 0.001) / 4).toBeCloseTo(0.002, 15);
    expect(d1.reduce((a, d) => a + d * d, 0) / 4).toBeCloseTo(1.5e-6, 15);
    expect(Math.sqrt(1.5e-6 + 1e-5)).toBeCloseTo(0.003391, 6);
    expectClose(d1.map((d, c) => (d / Math.sqrt(1.5e-6 + 1e-5)) * gamma[c] + beta[c]), lessonOutput[1], 6);
  });

  test('the reference gives the lesson output [[−1.069043, −1.069043, 1, −0.198217], [0, 1.179536, 0.705116, −1.147442]]', async () => {
    expectClose(await reference(id, x, gamma, beta, 1e-5), lessonOutput, 5);
  });

  test('the reference: a constant token and a single feature come out as β', async () => {
    expectClose(await reference(id, [[2.5, 2.5, 2.5]], [3, -1, 2], [0.1, 0.2, 0.3], 1e-5), [[0.1, 0.2, 0.3]], 6);
    expectClose(await reference(id, [[4], [-7]], [2], [0.5], 1e-5), [[0.5], [0.5]], 6);
  });

  test('pitfalls (lesson table): ÷ (C − 1), ε outside the √, and γ, β left out, on the worked example', async () => {
    expectClose(await wrong(id, 'unbiased-variance', x, gamma, beta, 1e-5), [[-0.925819, -0.925819, 1, -0.305636], [0, 1.154701, 0.711325, -1.144338]], 5);
    expectClose(await wrong(id, 'eps-outside-sqrt', x, gamma, beta, 1e-5), [[-1.069039, -1.069039, 1, -0.198221], [0, 3.239536, 0.190116, -1.404942]], 5);
    const dropped = await wrongAlternatives(id, 'gamma-beta-dropped', x, gamma, beta, 1e-5);
    expectClose(dropped![0], [[-1.069043, -0.534522, 0, 1.603565], [0, 0.589768, -0.294884, -0.294884]], 5);
    // Hand-worked: σ = √1.5e-6 = 0.0012247, plus ε.
    expect(Math.sqrt(1.5e-6) + 1e-5).toBeCloseTo(0.001235, 6);
    expect((0.002 / (Math.sqrt(1.5e-6) + 1e-5)) * 2).toBeCloseTo(3.239536, 5);
  });

  test('pitfalls: normalising columns turns each column of two tokens into about ±1 (token 0 ≈ [1, 2, 2, −0.5])', async () => {
    expectClose(await wrong(id, 'normalised-columns', x, gamma, beta, 1e-5), [[0.99998, 1.99999, 1.999998, -0.5], [-0.99998, -1.99999, 0.000002, -1.5]], 5);
  });

  test('the unbiased variance gives NaN with one feature', async () => {
    const got = (await wrong(id, 'unbiased-variance', [[4]], [1], [0], 1e-5)) as number[][];
    expect(Number.isNaN(got[0][0])).toBe(true);
  });

  test('what differs: with tfjs-layers\' ε = 1e-3, token 1 becomes [0, 0.126396, 0.968401, −1.015800]', async () => {
    expectClose(await reference(id, [x[1]], gamma, beta, 1e-3), [[0, 0.126396, 0.968401, -1.0158]], 5);
  });

  test.each([7, 99])('each misconception fails the reference and is diagnosed as itself (seed %i)', async (seed) => {
    await expectMisconceptionsDiagnosed(id, seed, ['eps-outside-sqrt', 'gamma-beta-dropped', 'normalised-columns', 'unbiased-variance']);
  });

  test('check yourself (lesson): 2·x + 1 = [3, 5, 7, 13] has mean 7 and variance 14, and normalises as x does', async () => {
    const y = [3, 5, 7, 13];
    expect(y.reduce((a, b) => a + b) / 4).toBe(7);
    expect(y.reduce((a, v) => a + (v - 7) ** 2, 0) / 4).toBe(14);
    const ones = [1, 1, 1, 1];
    const zeros = [0, 0, 0, 0];
    expectClose(await reference(id, [y], ones, zeros, 1e-5), [[-1.069043, -0.534522, 0, 1.603565]], 5);
    expect(14 / 3.50001 / 4).toBeCloseTo(0.999997, 6);
  });

  test('check yourself: the model solution holds both properties and passes every case (seeds 7 and 99)', async () => {
    await expectSolutionHolds(id, { [unitRows]: 2, [invariance]: 1 });
  });

  test('check yourself: dividing by σ² + ε instead of its square root breaks both properties', async () => {
    const noSqrt = `export function layerNorm(x: Matrix, gamma: Vector, beta: Vector, eps: number): Matrix {
  return x.map((row) => {
    const mean = row.reduce((a, v) => a + v, 0) / row.length;
    const variance = row.reduce((a, v) => a + (v - mean) ** 2, 0) / row.length;
    return row.map((v, c) => ((v - mean) / (variance + eps)) * gamma[c] + beta[c]);
  });
}`;
    await expectPropertyBroken(id, noSqrt, unitRows, /^With γ = 1 and β = 0, row \d of your output has mean \S+ and variance \S+; it should have mean 0 and variance 0\.99\d+\. /);
    await expectPropertyBroken(id, noSqrt, invariance, /^Scaling each token by a > 0 and adding a constant to it changed your output \(\[\d\]\[\d\] is \S+ in the first and \S+ in the second\)\./);
  });
});
