import { describe, expect, test } from 'vitest';
import { learningRate } from '../../../exercises/training/optim/lr-schedule/solution.js';
import { lessonConfig, type ScheduleConfig } from '../../../exercises/training/optim/lr-schedule/exercise.js';
import { loadTf } from '../../../src/reference/backend.js';
import { reference, wrong } from '../../helpers/exercises.js';
import { expectEachMisconceptionDiagnosed, expectPropertyBroken, expectSolutionHolds, grade, runLessonJs, seededCases, solutionWith } from './optim-helpers.js';

const id = 'optim/lr-schedule';
const qualified = `training/${id}`;
const rises = 'the rate rises through warm-up, then never rises again';
const symmetric = 'the cosine is symmetric: lr(Tw + s) + lr(Tc − s) = maxLr + minLr';
const at = async (t: number, cfg: ScheduleConfig = lessonConfig) => (await reference(qualified, t, cfg)) as number;

describe(id, () => {
  test('the lesson\'s table, by hand: 0 and 5e-4 in warm-up, maxLr at its end, 5.5e-4 mid-cosine, minLr at and after cosineSteps', async () => {
    // Warm-up 1e-3·t/10; the cosine's middle is r = (55 − 10)/90 = ½, cos(π/2) = 0; at step 85, r = 5/6 and ½(1 + cos(5π/6)) = ½(1 − √3/2).
    const byHand: [number, number][] = [
      [0, 0],
      [5, 5e-4],
      [10, 1e-3],
      [55, 1e-4 + 0.5 * 9e-4],
      [85, 1e-4 + 0.5 * (1 - Math.sqrt(3) / 2) * 9e-4],
      [100, 1e-4],
      [150, 1e-4],
    ];
    expect(byHand[4][1]).toBeCloseTo(1.60289e-4, 9);
    for (const [t, want] of byHand) {
      expect(await at(t), `step ${t}`).toBeCloseTo(want, 15);
      expect(learningRate(t, lessonConfig), `step ${t}`).toBeCloseTo(want, 15);
    }
    // The check-yourself sum: lr(25) + lr(85) = maxLr + minLr.
    expect((await at(25)) + (await at(85))).toBeCloseTo(1.1e-3, 15);
    expect(await at(25)).toBeCloseTo(9.39711e-4, 9);
  });

  test('the pieces meet: just below maxLr at Tw − 1, maxLr at Tw, minLr at Tc, for a GPT-3-like schedule', async () => {
    const cfg = { maxLr: 6e-4, minLr: 6e-5, warmupSteps: 375, cosineSteps: 5000 };
    expect(await at(374, cfg)).toBeCloseTo((6e-4 * 374) / 375, 15);
    expect(await at(375, cfg)).toBe(6e-4);
    expect(await at(5000, cfg)).toBeCloseTo(6e-5, 15);
    expect(await at(5001, cfg)).toBe(6e-5);
  });

  test('the reference and the model solution agree on the seeded cases', async () => {
    for (const c of await seededCases(id)) {
      const [t, cfg] = c.args as [number, ScheduleConfig];
      expect(learningRate(t, cfg), c.name).toBeCloseTo(await at(t, cfg), 15);
    }
  });

  test('the wrong variants at the lesson\'s steps: nanoGPT\'s warm-up, the cosine from 0, cosineSteps as a length, down to 0', async () => {
    expect(await wrong(qualified, 'nanogpt-warmup', 5, lessonConfig)).toBeCloseTo((1e-3 * 6) / 11, 15);
    expect(await wrong(qualified, 'nanogpt-warmup', 0, lessonConfig)).toBeCloseTo(1e-3 / 11, 15);
    expect(await wrong(qualified, 'warmup-counted-from-1', 0, lessonConfig)).toBeCloseTo(1e-4, 15);
    expect(await wrong(qualified, 'cosine-from-zero', 10, lessonConfig)).toBeCloseTo(1e-4 + 0.5 * (1 + Math.cos(Math.PI / 10)) * 9e-4, 15);
    expect(await wrong(qualified, 'cosine-from-zero', 10, lessonConfig)).toBeCloseTo(9.77975e-4, 9);
    expect(await wrong(qualified, 'cosine-steps-after-warmup', 55, lessonConfig)).toBeCloseTo(6.20396e-4, 9);
    expect(await wrong(qualified, 'min-lr-ignored', 55, lessonConfig)).toBeCloseTo(5e-4, 15);
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    expect(await expectEachMisconceptionDiagnosed(id)).toEqual(['nanogpt-warmup', 'warmup-counted-from-1', 'cosine-from-zero', 'cosine-steps-after-warmup', 'min-lr-ignored']);
  });

  test('grading: nanoGPT\'s warm-up fails the warm-up cases only, and is diagnosed', async () => {
    const verdict = await grade(id, await solutionWith(id, ['return (maxLr * step) / warmupSteps;', 'return (maxLr * (step + 1)) / (warmupSteps + 1);']));
    expect(verdict.cases.filter((c) => c.status === 'fail').map((c) => c.name)).toEqual([
      "the lesson's schedule at step 0 (the first step: 0)",
      "the lesson's schedule at step 5 (halfway through warm-up)",
      expect.stringMatching(/^random: step \d+ of \d+ warm-up steps$/),
    ]);
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'nanogpt-warmup', confidence: 'full' });
  });

  test('check yourself: the model solution holds both properties (seeds 7 and 99)', async () => {
    await expectSolutionHolds(id, { [rises]: 1, [symmetric]: 1 });
  });

  test('check yourself: a cosine down to 0 then back to minLr breaks both; a cosine from step 0 breaks the symmetry', async () => {
    const toZero = await solutionWith(id, ['return minLr + 0.5 * (1 + Math.cos(Math.PI * progress)) * (maxLr - minLr);', 'return 0.5 * (1 + Math.cos(Math.PI * progress)) * maxLr;']);
    await expectPropertyBroken(id, toZero, rises, /^Your rate goes from 0 at step \d+ to 0\.0001 at step \d+\. From the end of warm-up on, the rate may only fall or stay/);
    await expectPropertyBroken(id, toZero, symmetric, /^lr\(\d+\) \+ lr\(\d+\) is 0\.001, not maxLr \+ minLr = 0\.0011\. Half a cosine/);
    const fromZero = await solutionWith(id, ['const progress = (step - warmupSteps) / (cosineSteps - warmupSteps);', 'const progress = step / cosineSteps;']);
    await expectPropertyBroken(id, fromZero, symmetric, /^lr\(\d+\) \+ lr\(\d+\) is [\d.e-]+, not maxLr \+ minLr = 0\.0011\./);
  });

  test('check yourself: a rate that is not a number says so', async () => {
    await expectPropertyBroken(id, 'export function learningRate() { return "1e-3"; }', rises, /^learningRate must return a finite number; at step 0 it returned 1e-3\.$/);
  });

  test('the ```js block of In practice gives the reference\'s rate at every step of the lesson\'s schedule', async () => {
    const { tf } = await loadTf();
    for (const step of [0, 5, 10, 55, 100, 150]) expect(await runLessonJs(id, tf, { step, cfg: lessonConfig })).toBeCloseTo(await at(step), 15);
  });
});
