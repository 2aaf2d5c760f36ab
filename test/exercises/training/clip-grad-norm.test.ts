import { describe, expect, test } from 'vitest';
import { clipGradNorm } from '../../../exercises/training/optim/clip-grad-norm/solution.js';
import { lessonGrads, type Clipped } from '../../../exercises/training/optim/clip-grad-norm/exercise.js';
import { loadTf } from '../../../src/reference/backend.js';
import { reference, wrong, wrongAlternatives } from '../../helpers/exercises.js';
import { expectClose } from '../../helpers/matrices.js';
import { casesOn, expectEachMisconceptionDiagnosed, expectPropertyBroken, expectSolutionHolds, grade, runLessonJs, seededCases, solutionWith } from './optim-helpers.js';

const id = 'optim/clip-grad-norm';
const qualified = `training/${id}`;
const toMaxNorm = 'gradients above maxNorm come back with a total norm of maxNorm';
const unchanged = 'gradients within maxNorm come back unchanged, with their norm';
const clip = async (grads: number[][], maxNorm: number) => (await reference(qualified, grads, maxNorm)) as Clipped;

/**
 * torch's rule written independently: every entry laid end to end in one
 * vector, its length by Math.hypot, then the vector multiplied by
 * min(1, maxNorm/(norm + 1e-6)) and cut back into the tensors' lengths.
 */
function flatClip(grads: number[][], maxNorm: number): Clipped {
  const flat = grads.flat();
  const norm = Math.hypot(...flat);
  const factor = Math.min(1, maxNorm / (norm + 1e-6));
  let at = 0;
  return { grads: grads.map((g) => flat.slice(at, (at += g.length)).map((x) => x * factor)), norm };
}

describe(id, () => {
  test('the lesson example by hand: norms 5 and 12 make 13, every entry times 1/(13 + 1e-6)', async () => {
    const got = await clip(lessonGrads, 1);
    expect(got.norm).toBe(13);
    const coef = 1 / (13 + 1e-6);
    expectClose(got.grads, [[3 * coef, 4 * coef], [12 * coef]], 12);
    expectClose(got.grads, [[0.230769, 0.307692], [0.923077]], 6);
    expect(Math.hypot(...got.grads.flat())).toBeCloseTo(1, 6);
  });

  test('the lesson example with maxNorm 20: unchanged, the norm still 13', async () => {
    expect(await clip(lessonGrads, 20)).toEqual({ grads: lessonGrads, norm: 13 });
  });

  test('the reference and the model solution follow the flattened computation on every seeded case', async () => {
    for (const c of await seededCases(id)) {
      const [grads, maxNorm] = c.args as [number[][], number];
      const want = flatClip(grads, maxNorm);
      for (const got of [await clip(grads, maxNorm), clipGradNorm(grads, maxNorm)]) {
        expect(got.norm, c.name).toBeCloseTo(want.norm, 12);
        expectClose(got.grads, want.grads, 12, c.name);
      }
    }
  });

  test('the cases include one where each tensor is within maxNorm but their total is not', async () => {
    const spread = (await casesOn(id, 7)).find((c) => c.name.includes('each of norm 0.8'))!;
    const [grads, maxNorm] = spread.args as [number[][], number];
    expect(grads.every((g) => Math.hypot(...g) < maxNorm)).toBe(true);
    expect(Math.hypot(...grads.flat())).toBeGreaterThan(maxNorm);
  });

  test('the wrong variants on the lesson example: per tensor [0.6, 0.8] and [1], scaled up by 20/13, norm after clipping, 17, 169', async () => {
    const perTensor = (await wrongAlternatives(qualified, 'per-tensor', lessonGrads, 1)) as Clipped[];
    expectClose(perTensor[0].grads, [[0.6, 0.8], [1]], 5);
    expect(perTensor.map((p) => p.norm)).toEqual([13, 12]);
    const up = (await wrong(qualified, 'scales-up-small-gradients', lessonGrads, 20)) as Clipped;
    expectClose(up.grads, [[60 / 13, 80 / 13], [240 / 13]], 5);
    expect(((await wrong(qualified, 'norm-after-clipping', lessonGrads, 1)) as Clipped).norm).toBeCloseTo(1, 6);
    expect(((await wrong(qualified, 'sum-of-norms', lessonGrads, 1)) as Clipped).norm).toBe(17);
    expect(((await wrong(qualified, 'squared-norm', lessonGrads, 1)) as Clipped).norm).toBeCloseTo(169, 9);
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    expect(await expectEachMisconceptionDiagnosed(id)).toEqual(['per-tensor', 'scales-up-small-gradients', 'norm-after-clipping', 'sum-of-norms', 'squared-norm']);
  });

  test('grading: clipping each tensor on its own is diagnosed as per-tensor', async () => {
    const source = `export function clipGradNorm(grads: number[][], maxNorm: number) {
  let total = 0;
  const clipped = grads.map((g) => {
    const n = Math.sqrt(g.reduce((s, x) => s + x * x, 0));
    total += n * n;
    const c = maxNorm / (n + 1e-6);
    return c < 1 ? g.map((x) => x * c) : [...g];
  });
  return { grads: clipped, norm: Math.sqrt(total) };
}`;
    const verdict = await grade(id, source);
    expect(verdict.status).toBe('fail');
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'per-tensor', confidence: 'full' });
  });

  test('check yourself: the model solution holds both properties (seeds 7 and 99)', async () => {
    await expectSolutionHolds(id, { [toMaxNorm]: 2, [unchanged]: 1 });
  });

  test('check yourself: summed norms break the first property, scaling up breaks the second', async () => {
    const summed = await solutionWith(id, ['for (const x of g) sumOfSquares += x * x;', 'sumOfSquares += Math.sqrt(g.reduce((s, x) => s + x * x, 0));'], ['const norm = Math.sqrt(sumOfSquares);', 'const norm = sumOfSquares;']);
    await expectPropertyBroken(id, summed, toMaxNorm, /^The gradients you return have a total norm of 0\.\d+, not maxNorm = (1|0\.25)\. Multiplying every entry/);
    const always = await solutionWith(id, ['const scale = coefficient < 1 ? coefficient : 1;', 'const scale = coefficient;']);
    await expectPropertyBroken(id, always, unchanged, /^Tensor 0 came back changed, though the total norm 0\.\d+ is below maxNorm/);
  });

  test('check yourself: an output without grads says what it must be', async () => {
    await expectPropertyBroken(id, 'export function clipGradNorm() { return 1; }', unchanged, /^clipGradNorm must return \{ grads, norm \}, .*; it returned 1\.$/);
  });

  test('the ```js block of In practice gives the reference\'s output on both lesson examples', async () => {
    const { tf } = await loadTf();
    for (const maxNorm of [1, 20]) {
      const got = (await runLessonJs(id, tf, { grads: lessonGrads, maxNorm })) as Clipped;
      const want = await clip(lessonGrads, maxNorm);
      expectClose(got.grads, want.grads, 5);
      expect(got.norm).toBeCloseTo(want.norm, 4);
    }
  });
});
