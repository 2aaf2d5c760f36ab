import { describe, expect, test } from 'vitest';
import { wrong } from '../../helpers/exercises.js';
import { autodiff, expectDiagnosed, expectPropertyBroken, maxAbsDiff, seededMatrix, solutionWith, testDiagnosisAndSolution } from './backprop-helpers.js';

const id = 'backprop/linear-backward';
const lesson = [[[1, 2], [3, -1]], [[1, 0, -1], [2, 1, 0]], [[1, 0, 2], [-1, 1, 0.5]]];
const shapes = 'each gradient has the shape of its value';
const sums = 'the gradients of a batch are the sums over its rows';

/** The lesson's derivation, entry by entry in plain float64: dx[n][i] = Σ_j dy·w, dw[i][j] = Σ_n x·dy, db[j] = Σ_n dy. */
function derived(x: number[][], w: number[][], dy: number[][]) {
  const rows = x.map((_, n) => n);
  return {
    dx: x.map((row, n) => row.map((_, i) => w[i].reduce((s, wij, j) => s + dy[n][j] * wij, 0))),
    dw: w.map((row, i) => row.map((_, j) => rows.reduce((s, n) => s + x[n][i] * dy[n][j], 0))),
    db: w[0].map((_, j) => rows.reduce((s, n) => s + dy[n][j], 0)),
  };
}

describe('backprop/linear-backward', () => {
  test('the lesson table, by hand, and autodiff agrees', async () => {
    const table = { dx: [[-1, 2], [-1.5, -1]], dw: [[-2, 3, 3.5], [3, -1, 3.5]], db: [0, 1, 2.5] };
    // dw[0][2] = x[0][0]·dy[0][2] + x[1][0]·dy[1][2], as the lesson writes it out.
    expect(1 * 2 + 3 * 0.5).toBe(3.5);
    expect(derived(lesson[0], lesson[1], lesson[2])).toEqual(table);
    expect(maxAbsDiff(await autodiff(id, ...lesson), table)).toBeLessThan(1e-6);
  });

  test('the derivation matches autodiff of sum(dy ⊙ (x·w + b)) on seeded layers', async () => {
    for (const [seed, n, inputs, outputs] of [[1, 4, 3, 2], [2, 1, 5, 5], [3, 6, 2, 7]]) {
      const args = [seededMatrix(seed, n, inputs), seededMatrix(seed + 10, inputs, outputs), seededMatrix(seed + 20, n, outputs)] as const;
      expect(maxAbsDiff(await autodiff(id, ...args), derived(...args)), `seed ${seed}`).toBeLessThan(1e-5);
    }
  });

  test('the pitfalls give the lesson’s numbers', async () => {
    const run = async (m: string) => (await wrong(`training/${id}`, m, ...lesson)) as { dw: number[][]; db: number[] };
    expect((await run('dw-transposed')).dw).toEqual([[-2, 3], [3, -1], [3.5, 3.5]]);
    expect((await run('db-averaged')).db).toEqual([0, 0.5, 1.25]);
    expect((await run('dw-averaged')).dw).toEqual([[-1, 1.5, 1.75], [1.5, -0.5, 1.75]]);
  });

  testDiagnosisAndSolution(id, { [shapes]: 2, [sums]: 2 });

  test('check yourself and grading: a transposed dw has the wrong shape, an averaged db is not the sum over rows, and each such learner is diagnosed', async () => {
    const transposed = await solutionWith(id, 'dw: matmul(transpose(x), dy)', 'dw: matmul(transpose(dy), x)');
    const averaged = await solutionWith(id, 's + row[j], 0))', 's + row[j], 0) / dy.length)');
    expectDiagnosed(await expectPropertyBroken(id, transposed, shapes, /^Your dw has shape \[\d, \d\] but w is \[\d, \d\]\./), 'dw-transposed');
    expectDiagnosed(await expectPropertyBroken(id, averaged, sums, /^For the batch of \d rows your db\[0\] is \S+, but the sum of your db\[0\] over its rows/), 'db-averaged');
  });
});
