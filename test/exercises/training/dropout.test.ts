import { describe, expect, test } from 'vitest';
import { dropout } from '../../../exercises/training/optim/dropout/solution.js';
import { lessonKeep, lessonX } from '../../../exercises/training/optim/dropout/exercise.js';
import { loadTf } from '../../../src/reference/backend.js';
import { reference, wrong } from '../../helpers/exercises.js';
import { expectClose } from '../../helpers/matrices.js';
import { expectEachMisconceptionDiagnosed, expectPropertyBroken, expectSolutionHolds, grade, runLessonJs, seededCases, solutionWith } from './optim-helpers.js';

const id = 'optim/dropout';
const qualified = `training/${id}`;
const identity = 'with p = 0 and every entry kept, the output is x';
const average = 'averaged over k masks that keep each entry exactly once (p = 1 − 1/k), the outputs are x';
const lessonOut = [
  [4 / 3, 0, 4, 16 / 3],
  [0, 2 / 3, -8 / 3, 0],
];

describe(id, () => {
  test('the lesson example by hand: survivors × 1/0.75, the rest 0', async () => {
    expectClose(lessonOut, [
      [1.333333, 0, 4, 5.333333],
      [0, 0.666667, -2.666667, 0],
    ], 6);
    expectClose(await reference(qualified, lessonX, lessonKeep, 0.25), lessonOut, 12);
  });

  test('the reference and the model solution agree on the seeded cases; keep masks match their p', async () => {
    for (const c of await seededCases(id)) {
      const [x, keep, p] = c.args as [number[][], boolean[][], number];
      expect(keep.map((r) => r.length), c.name).toEqual(x.map((r) => r.length));
      if (p === 0) expect(keep.flat().every(Boolean), c.name).toBe(true);
      expectClose(dropout(x, keep, p), await reference(qualified, x, keep, p), 12, c.name);
    }
  });

  test('the expectation, by brute force: over every mask of a 1×3 row weighted by its probability, the output averages x', async () => {
    const x = [[2, -1, 0.5]];
    const p = 0.3;
    let mean = [0, 0, 0];
    for (let bits = 0; bits < 8; bits++) {
      const keep = [[0, 1, 2].map((j) => ((bits >> j) & 1) === 1)];
      const probability = keep[0].reduce((acc, k) => acc * (k ? 1 - p : p), 1);
      const out = (await reference(qualified, x, keep, p)) as number[][];
      mean = mean.map((m, j) => m + probability * out[0][j]);
    }
    expectClose(mean, x[0], 12);
  });

  test('the wrong variants on the lesson example: no rescale, ÷p, ×(1 − p), the mask flipped', async () => {
    expectClose(await wrong(qualified, 'no-rescale', lessonX, lessonKeep, 0.25), [[1, 0, 3, 4], [0, 0.5, -2, 0]], 12);
    expectClose(((await wrong(qualified, 'divided-by-p', lessonX, lessonKeep, 0.25)) as number[][])[0][2], 12, 12);
    expectClose(((await wrong(qualified, 'times-keep-probability', lessonX, lessonKeep, 0.25)) as number[][])[0][2], 2.25, 12);
    expectClose(((await wrong(qualified, 'mask-inverted', lessonX, lessonKeep, 0.25)) as number[][])[0], [0, 8 / 3, 0, 0], 12);
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    expect(await expectEachMisconceptionDiagnosed(id)).toEqual(['no-rescale', 'divided-by-p', 'times-keep-probability', 'mask-inverted']);
  });

  test('grading: dividing by p fails every case but p = 0.5 and is diagnosed', async () => {
    const verdict = await grade(id, await solutionWith(id, ['const scale = 1 / (1 - p);', 'const scale = 1 / p;']));
    const passing = verdict.cases.filter((c) => c.status === 'pass' && !c.name.includes(': k = ') && !c.name.startsWith('with p = 0')).map((c) => c.name);
    expect(passing).toEqual(['random 4×6, p = 0.5']);
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'divided-by-p', confidence: 'full' });
  });

  test('check yourself: the model solution holds both properties (seeds 7 and 99)', async () => {
    await expectSolutionHolds(id, { [identity]: 1, [average]: 2 });
  });

  test('check yourself: ÷p breaks both (Infinity at p = 0, x/3 at k = 4); no rescaling breaks the average', async () => {
    const byP = await solutionWith(id, ['const scale = 1 / (1 - p);', 'const scale = 1 / p;']);
    await expectPropertyBroken(id, byP, identity, /^With p = 0 nothing is dropped and nothing needs rescaling, yet entry \[0\]\[0\] came out -?Infinity instead of x = /);
    const noRescale = await solutionWith(id, ['const scale = 1 / (1 - p);', 'const scale = 1;']);
    await expectPropertyBroken(id, noRescale, average, /^Over the (2|4) masks, entry \[0\]\[0\] averages -?[\d.]+, not x = -?[\d.]+\. Each entry is kept in one mask of (2|4), a fraction 1 − p = 0\.(5|25)/);
  });

  test('the ```js block of In practice gives the lesson\'s output', async () => {
    const { tf } = await loadTf();
    expectClose(await runLessonJs(id, tf, { x: lessonX, keep: lessonKeep, p: 0.25 }), lessonOut, 5);
  });
});
