import { describe, expect, test } from 'vitest';
import { wrongAlternatives } from '../../helpers/exercises.js';
import { autodiff, expectDiagnosed, expectPropertyBroken, maxAbsDiff, seededMatrix, solutionWith, testDiagnosisAndSolution, testMistakeDiagnosed } from './backprop-helpers.js';

const id = 'backprop/attention-backward';
const lesson = [[[1, 0], [0, 1]], [[1, 0], [0, 1], [1, 1]], [[1, 2], [3, 0], [-1, 1]], [[1, 0], [0, 1]]];
const keysSumToZero = 'the keys’ gradients add up to 0';
const valuesSum = 'the values’ gradients add up to the sum of dOut';

const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);

/** The weights P and the scores' gradient dS = P ⊙ (dP − rowsum(dP ⊙ P)), dP = dOut·vᵀ, in plain float64, loop by loop. */
function scoresGradient(q: number[][], k: number[][], v: number[][], dOut: number[][]) {
  const scale = 1 / Math.sqrt(q[0].length);
  const p = q.map((qi) => {
    const e = k.map((kj) => Math.exp(dot(qi, kj) * scale));
    const total = e.reduce((s, x) => s + x, 0);
    return e.map((x) => x / total);
  });
  const dp = dOut.map((o) => v.map((vj) => dot(o, vj)));
  return { p, ds: p.map((row, i) => row.map((pij, j) => pij * (dp[i][j] - dot(row, dp[i])))) };
}

/** The lesson's derivation: from dS, dq = dS·k/√d and dk = dSᵀ·q/√d; dv = Pᵀ·dOut. */
function derived(q: number[][], k: number[][], v: number[][], dOut: number[][]) {
  const scale = 1 / Math.sqrt(q[0].length);
  const { p, ds } = scoresGradient(q, k, v, dOut);
  return {
    dq: q.map((_, i) => q[0].map((_, c) => scale * k.reduce((s, kj, j) => s + ds[i][j] * kj[c], 0))),
    dk: k.map((_, j) => k[0].map((_, c) => scale * q.reduce((s, qi, i) => s + ds[i][j] * qi[c], 0))),
    dv: v.map((_, j) => v[0].map((_, c) => p.reduce((s, row, i) => s + row[j] * dOut[i][c], 0))),
  };
}

describe('backprop/attention-backward', () => {
  test('the lesson example: P by hand, the gradients of the derivation, and autodiff agrees', async () => {
    // Row 0's scores are [1, 0, 1]/√2, so its weights are e^{1/√2}/(2e^{1/√2} + 1) and 1/(2e^{1/√2} + 1).
    const e = Math.exp(Math.SQRT1_2);
    expect(e / (2 * e + 1)).toBeCloseTo(0.401112, 6);
    expect(1 / (2 * e + 1)).toBeCloseTo(0.197776, 6);
    const table = {
      dq: [[-0.33657, -0.115344], [0.225957, -0.168285]],
      dk: [[0.115344, 0.168285], [0.33657, -0.225957], [-0.451914, 0.057672]],
      dv: [[0.401112, 0.197776], [0.197776, 0.401112], [0.401112, 0.401112]],
    };
    // The lesson's dS heatmap.
    expect(maxAbsDiff(scoresGradient(lesson[0], lesson[1], lesson[2], lesson[3]).ds, [[0.163121, 0.475982, -0.639103], [0.237991, -0.319551, 0.081561]])).toBeLessThan(1e-6);
    expect(maxAbsDiff(derived(lesson[0], lesson[1], lesson[2], lesson[3]), table)).toBeLessThan(1e-6);
    expect(maxAbsDiff(await autodiff(id, ...lesson), table)).toBeLessThan(2e-6);
  });

  test('the derivation matches autodiff of sum(dOut ⊙ attention(q, k, v)) on seeded inputs', async () => {
    for (const [seed, n, m, d, dv] of [[1, 3, 3, 4, 4], [2, 2, 5, 3, 4], [3, 5, 2, 8, 2]]) {
      const args = [seededMatrix(seed, n, d), seededMatrix(seed + 3, m, d), seededMatrix(seed + 6, m, dv), seededMatrix(seed + 9, n, dv)] as const;
      expect(maxAbsDiff(await autodiff(id, ...args), derived(...args)), `seed ${seed}`).toBeLessThan(1e-5);
    }
  });

  test('the pitfalls give the lesson’s numbers', async () => {
    const run = async (m: string) => (await wrongAlternatives(`training/${id}`, m, ...lesson)) as { dq: number[][] }[];
    expect(maxAbsDiff((await run('rowsum-missing'))[0].dq[0], [0, 0.135917])).toBeLessThan(1e-6);
    expect(maxAbsDiff((await run('scale-missing'))[0].dq[0], [-0.475982, -0.163121])).toBeLessThan(1e-6);
    // dS[0][0] = dP·P·(1 − P) = 1·0.401112·0.598888; dq[0] = (dS[0][0] + dS[0][2], dS[0][1] + dS[0][2])/√2.
    expect(0.401112 * (1 - 0.401112)).toBeCloseTo(0.240221, 6);
    const diagonal = (await run('jacobian-diagonal-only'))[0].dq[0];
    expect(maxAbsDiff(diagonal, [0, (0.475982 - 0.240221) / Math.SQRT2])).toBeLessThan(1e-6);
  });

  testDiagnosisAndSolution(id, { [keysSumToZero]: 2, [valuesSum]: 2 });

  testMistakeDiagnosed(id, 'leaves 1/√d out of dS', ['pij * (dp[i][j] - along) * scale', 'pij * (dp[i][j] - along)'], 'scale-missing');

  test('check yourself and grading: without the row-sum term the keys’ gradients do not add up to 0; dv from the scores does not add up to dOut (and that learner is diagnosed as rowsum-missing)', async () => {
    const noRowSum = await solutionWith(id, 'pij * (dp[i][j] - along) * scale', 'pij * dp[i][j] * scale');
    const fromScores = await solutionWith(id, 'dv: matmul(transpose(p), dOut)', 'dv: matmul(transpose(matmul(q, transpose(k))), dOut)');
    expectDiagnosed(await expectPropertyBroken(id, noRowSum, keysSumToZero, /^Column \d of your dk adds up to \S+ over the keys, not 0\./), 'rowsum-missing');
    await expectPropertyBroken(id, fromScores, valuesSum, /^Column \d of your dv adds up to \S+ over the values, but dOut’s column \d adds up to \S+\./);
  });
});
