import { describe, expect, test } from 'vitest';
import { wrongAlternatives } from '../../helpers/exercises.js';
import { autodiff, expectDiagnosed, expectPropertyBroken, maxAbsDiff, seededMatrix, solutionWith, testDiagnosisAndSolution, testMistakeDiagnosed } from './backprop-helpers.js';

const id = 'backprop/layer-norm-backward';
const lesson = [[[1, 2, 3, 6]], [1, 0.5, 2, -1], [[0.5, -1, 2, 1]], 1e-5] as const;
const rowsSumToZero = 'each row of dx adds up to 0';
const orthogonal = 'with ε = 0, dx is orthogonal to x − μ in each row';

const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;

/**
 * The lesson's derivation in plain float64, through its Jacobian:
 * dx_k = Σ_j dn_j·rstd·([j = k] − 1/C − n_j·n_k/C), dn = dy·γ; dγ = Σ_rows dy·n, dβ = Σ_rows dy.
 */
function derived(x: number[][], gamma: number[], dy: number[][], eps: number) {
  const rows = x.map((row, i) => {
    const c = row.length;
    const mu = mean(row);
    const rstd = 1 / Math.sqrt(mean(row.map((v) => (v - mu) ** 2)) + eps);
    const n = row.map((v) => (v - mu) * rstd);
    const dn = dy[i].map((g, j) => g * gamma[j]);
    const dx = n.map((nk, k) => dn.reduce((s, g, j) => s + g * rstd * ((j === k ? 1 : 0) - 1 / c - (n[j] * nk) / c), 0));
    return { n, dx };
  });
  const overRows = (f: (i: number, j: number) => number) => gamma.map((_, j) => x.reduce((s, _row, i) => s + f(i, j), 0));
  return { dx: rows.map((r) => r.dx), dgamma: overRows((i, j) => dy[i][j] * rows[i].n[j]), dbeta: overRows((i, j) => dy[i][j]) };
}

/** Central differences of sum(dy ⊙ layerNorm(x)) with respect to x, in float64: an independent check of the lesson's dx. */
function numericDx(x: number[], gamma: number[], dy: number[], eps: number): number[] {
  const loss = (row: number[]) => {
    const mu = mean(row);
    const rstd = 1 / Math.sqrt(mean(row.map((v) => (v - mu) ** 2)) + eps);
    return row.reduce((s, v, j) => s + dy[j] * (v - mu) * rstd * gamma[j], 0);
  };
  return x.map((_, k) => (loss(x.map((v, j) => (j === k ? v + 1e-6 : v))) - loss(x.map((v, j) => (j === k ? v - 1e-6 : v)))) / 2e-6);
}

describe('backprop/layer-norm-backward', () => {
  test('the lesson table: dx by finite differences, dγ and dβ by hand, and autodiff agrees', async () => {
    const table = { dx: [[-0.400891, -0.801782, 1.737196, -0.534523]], dgamma: [-0.534522, 0.534522, 0, 1.603565], dbeta: [0.5, -1, 2, 1] };
    expect(maxAbsDiff(numericDx([1, 2, 3, 6], [1, 0.5, 2, -1], [0.5, -1, 2, 1], 1e-5), table.dx[0])).toBeLessThan(1e-6);
    expect(1 / Math.sqrt(3.5 + 1e-5)).toBeCloseTo(0.534522, 6);
    expect(maxAbsDiff(derived(...lesson), table)).toBeLessThan(1e-6);
    expect(maxAbsDiff(await autodiff(id, ...lesson), table)).toBeLessThan(5e-6);
  });

  test('the derivation matches autodiff of sum(dy ⊙ layerNorm(x)) on seeded inputs, a constant row included', async () => {
    for (const [seed, rows, c] of [[1, 3, 5], [2, 2, 16], [3, 4, 2]]) {
      const x = seededMatrix(seed, rows, c, 3);
      const gamma = seededMatrix(seed + 5, 1, c)[0];
      const dy = seededMatrix(seed + 9, rows, c);
      expect(maxAbsDiff(await autodiff(id, x, gamma, dy, 1e-5), derived(x, gamma, dy, 1e-5)), `seed ${seed}`).toBeLessThan(2e-5);
    }
    const constant = [[[2, 2, 2, 2]], [1, 2, 0.5, -1], [[1, 0, -1, 0.5]], 1e-5] as const;
    // Variance 0: rstd = 1/√ε ≈ 316.2, so dx is about 316 and float32 agrees to about 1e-7 of it.
    const want = derived(...constant);
    expect(want.dx[0][0]).toBeCloseTo(316.227766, 5);
    expect(maxAbsDiff(await autodiff(id, ...constant), want)).toBeLessThan(1e-4);
  });

  test('the pitfalls give the lesson’s numbers', async () => {
    const dx = async (m: string) => ((await wrongAlternatives(`training/${id}`, m, ...lesson)) as { dx: number[][]; dgamma: number[] }[]).map((g) => g.dx[0]);
    const [noMean] = await dx('mean-term-missing');
    expect(maxAbsDiff(noMean, [0.000001, -0.400891, 2.138087, -0.133632])).toBeLessThan(1e-6);
    expect(noMean.reduce((s, v) => s + v, 0)).toBeCloseTo(1.603565, 5);
    expect(maxAbsDiff((await dx('projection-term-missing'))[0], [-0.13363, -0.668152, 1.737196, -0.935413])).toBeLessThan(1e-6);
    expect(maxAbsDiff((await dx('gamma-forgotten'))[0], [0.162265, -0.754058, 0.734967, -0.143174])).toBeLessThan(1e-6);
    const unbiased = (await wrongAlternatives(`training/${id}`, 'unbiased-variance', ...lesson)) as { dgamma: number[] }[];
    // rstd = 1/√(14/3 + ε) = 0.462910, so dγ[3] = dy[3]·n[3] = 3·0.462910.
    expect(1 / Math.sqrt(14 / 3 + 1e-5)).toBeCloseTo(0.46291, 5);
    for (const alternative of unbiased) expect(alternative.dgamma[3]).toBeCloseTo(1.388729, 5);
  });

  testDiagnosisAndSolution(id, { [rowsSumToZero]: 2, [orthogonal]: 2 });

  testMistakeDiagnosed(id, 'divides the squared deviations by C − 1', ['mean(row.map((v) => (v - mu) ** 2))', 'row.reduce((s, v) => s + (v - mu) ** 2, 0) / (row.length - 1)'], 'unbiased-variance');

  test('check yourself and grading: without −mean(dn) the rows do not add up to 0; without −n·mean(dn·n) dx is not orthogonal to x − μ, and each such learner is diagnosed', async () => {
    const noMean = await solutionWith(id, 'rstd * (g - meanDn - n[j] * meanDnN)', 'rstd * (g - n[j] * meanDnN)');
    const noProjection = await solutionWith(id, 'rstd * (g - meanDn - n[j] * meanDnN)', 'rstd * (g - meanDn)');
    expectDiagnosed(await expectPropertyBroken(id, noMean, rowsSumToZero, /^Row \d of your dx adds up to \S+, not 0\./), 'mean-term-missing');
    expectDiagnosed(await expectPropertyBroken(id, noProjection, orthogonal, /^In row \d, Σ_j dx_j·\(x_j − μ\) is \S+, not 0\./), 'projection-term-missing');
  });
});
