import { describe, expect, test } from 'vitest';
import { quantizeAbsmax } from '../../../exercises/inference/quant/int8-absmax/solution.js';
import { halvesX, halvesX2, lessonX, negativeMaxX } from '../../../exercises/inference/quant/int8-absmax/exercise.js';
import { loadTf } from '../../../src/reference/backend.js';
import { reference, solutionWith, wrong, wrongAlternatives } from '../../helpers/exercises.js';
import { expectPropertyBroken, expectSolutionHolds } from '../../helpers/properties.js';
import { absErrors, expectEachMisconceptionDiagnosed, expectNear, grade, namedCase, runLessonJs, seededCases, tfRound } from './quant-helpers.js';

const id = 'quant/int8-absmax';
const qualified = `inference/${id}`;
const halfStep = 'every value comes back within half a step: |q·scale − x| ≤ scale/2';
const times4 = 'multiplying x by 4 leaves q unchanged and multiplies scale by 4';
type Absmax = { q: number[]; scale: number };
const quantise = async (x: number[]) => (await reference(qualified, x)) as Absmax;

/** The lesson's small weight [4, 3], quantised with one absmax for the whole matrix in its "What it costs" section. */
const lessonW = [
  [0.12, -0.8, 0.05],
  [-0.34, 2.9, -0.07],
  [0.25, -1.6, 0.11],
  [-0.05, 0.4, -0.09],
];

describe(id, () => {
  test('the lesson example (NUMERICS.md): [1.2, −0.5, −4.3, 1.2, −3.1, 0.8, 2.4, 5.4] → [28, −12, −101, 28, −73, 19, 56, 127], scale 5.4/127', async () => {
    const got = await quantise(lessonX);
    expect(got.q).toEqual([28, -12, -101, 28, -73, 19, 56, 127]);
    expectNear(got.scale, 5.4 / 127, 'scale');
    expect(got.scale).toBeCloseTo(0.0425197, 7);
  });

  test('the lesson table: dequantised values and their errors, largest 0.018898 at 2.4, mean 0.008169, all within scale/2 = 0.02126', async () => {
    const { q, scale } = await quantise(lessonX);
    const back = q.map((v) => v * scale);
    const table = [1.190551, -0.510236, -4.294488, 1.190551, -3.103937, 0.807874, 2.381102, 5.4];
    back.forEach((v, i) => expect(v, `entry ${i}`).toBeCloseTo(table[i], 6));
    const { max, mean } = absErrors(lessonX, back);
    expect(max).toBeCloseTo(0.018898, 6);
    expect(Math.abs(back[6] - 2.4)).toBe(max);
    expect(mean).toBeCloseTo(0.008169, 6);
    expect(scale / 2).toBeCloseTo(0.02126, 5);
    expect(max).toBeLessThan(scale / 2);
  });

  test('the lesson\'s weight, one absmax for the matrix: the q it prints, max error 0.011024, mean 0.003215, 0.05 back as 0.045669', async () => {
    const { q, scale } = await quantise(lessonW.flat());
    expect(q).toEqual([5, -35, 2, -15, 127, -3, 11, -70, 5, -2, 18, -4]);
    expect(scale).toBeCloseTo(0.0228346, 7);
    const { max, mean } = absErrors(lessonW.flat(), q.map((v) => v * scale));
    expect(max).toBeCloseTo(0.011024, 6);
    expect(mean).toBeCloseTo(0.003215, 6);
    expect(scale / 2).toBeCloseTo(0.011417, 6);
    expect(q[2] * scale).toBeCloseTo(0.045669, 6);
    expect(Math.min(...[0, 2].flatMap((j) => [0, 1, 2, 3].map((i) => q[3 * i + j])))).toBe(-15);
    expect(Math.max(...[0, 2].flatMap((j) => [0, 1, 2, 3].map((i) => q[3 * i + j])))).toBe(11);
  });

  test('exact halves round to even: [127, 2.5, −3.5, 0.5, 1.5, −0.5] → [127, 2, −4, 0, 2, 0]; max 63.5 doubles, 1.25 → 2 and −0.75 → −2', async () => {
    expect(await quantise(halvesX)).toEqual({ q: [127, 2, -4, 0, 2, 0], scale: 1 });
    expect(await quantise(halvesX2)).toEqual({ q: [127, 2, -2, 0, -40], scale: 0.5 });
    // tf.round (half to even, documented) on the same exact halves.
    expect(await tfRound([2.5, -3.5, 0.5, 1.5, -0.5, -1.5])).toEqual([2, -4, 0, 2, 0, -2]);
  });

  test('the edge cases: all zeros give q 0 and scale 0; the largest magnitude negative maps to −127', async () => {
    expect(await quantise([0, 0, 0, 0])).toEqual({ q: [0, 0, 0, 0], scale: 0 });
    expect((await quantise(negativeMaxX)).q).toEqual([-127, 32, 48, -16]);
    expect(await quantise([-2.5])).toEqual({ q: [-127], scale: 2.5 / 127 });
  });

  test('the reference and the model solution agree with tf.round(127·x/max|x|) in float32 on every seeded case', async () => {
    for (const c of await seededCases(id)) {
      const [x] = c.args as [number[]];
      const m = Math.max(...x.map(Math.abs));
      const want = m === 0 ? x.map(() => 0) : await tfRound(x.map((v) => (127 * v) / m));
      for (const got of [await quantise(x), quantizeAbsmax(x)]) {
        expect(got.q, c.name).toEqual(want);
        expectNear(got.scale, m / 127, c.name);
      }
    }
  });

  test('the outlier case: one 60 among small values, which use few of the levels', async () => {
    const [x] = (await namedCase(id, 'an outlier')).args as [number[]];
    expect(x.filter((v) => v === 60)).toHaveLength(1);
    const { q } = await quantise(x);
    expect(q.filter((v) => Math.abs(v) < 10).length).toBeGreaterThanOrEqual(8);
  });

  test('the wrong variants as the Pitfalls quote them: Math.round on the halves, 128 on the lesson, max(x) on [−8, 2, 3, −1]', async () => {
    expect(((await wrong(qualified, 'round-half-up', halvesX)) as Absmax).q).toEqual([127, 3, -3, 1, 2, 0]);
    expect(await wrong(qualified, 'round-half-up', lessonX)).toEqual(await quantise(lessonX));
    const wide = (await wrong(qualified, 'levels-128', lessonX)) as Absmax;
    expect(wide.q).toEqual([28, -12, -102, 28, -73, 19, 57, 128]);
    expect(wide.scale).toBe(0.0421875);
    const byMax = (await wrongAlternatives(qualified, 'max-not-abs', negativeMaxX)) as Absmax[];
    expect(byMax.map((a) => a.q)).toEqual([[-339, 85, 127, -42], [-339, 85, 127, -42]]);
    // Every value negative: Math.max(...x) is −2.5, a loop from 0 finds 0.
    expect((await wrongAlternatives(qualified, 'max-not-abs', [-2.5])) as Absmax[]).toEqual([{ q: [127], scale: -2.5 / 127 }, { q: [0], scale: 0 }]);
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    expect(await expectEachMisconceptionDiagnosed(id)).toEqual(['round-half-up', 'levels-128', 'max-not-abs']);
  });

  test('grading: a solution with Math.round is diagnosed as round-half-up', async () => {
    const verdict = await grade(id, await solutionWith(qualified, ['roundHalfEven((127 * v) / m)', 'Math.round((127 * v) / m)']));
    expect(verdict.status).toBe('fail');
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'round-half-up', confidence: 'full' });
  });

  test('check yourself: the model solution holds both properties (seeds 7 and 99)', async () => {
    await expectSolutionHolds(qualified, { [halfStep]: 2, [times4]: 1 });
  });

  test('check yourself: truncating breaks the half step; a fixed scale of 1/127 breaks the factor 4', async () => {
    const truncated = await solutionWith(qualified, ['roundHalfEven((127 * v) / m)', 'Math.trunc((127 * v) / m)']);
    await expectPropertyBroken(qualified, truncated, halfStep, /^x\[\d+\] = -?[\d.]+ comes back as q·scale = .* more than half a step/);
    const fixed = await solutionWith(qualified, ['roundHalfEven((127 * v) / m)', 'roundHalfEven(127 * v)'], ['scale: m / 127', 'scale: 1 / 127']);
    await expectPropertyBroken(qualified, fixed, times4, /^q changed when every value was multiplied by 4/);
  });

  test('check yourself: an output that is not { q, scale } says what it must be', async () => {
    await expectPropertyBroken(qualified, 'export function quantizeAbsmax() { return [1]; }', halfStep, /^quantizeAbsmax must return \{ q, scale \}.*; it returned \[1\]\.$/);
  });

  test('the ```js block of In practice gives the reference\'s output on the lesson example and the halves', async () => {
    const { tf } = await loadTf();
    for (const x of [lessonX, halvesX]) {
      const got = (await runLessonJs(id, tf, { x })) as Absmax;
      const want = await quantise(x);
      expect(got.q.map((v) => v + 0), 'tf.round gives −0 for −0.5: the same number').toEqual(want.q);
      expect(got.scale).toBeCloseTo(want.scale, 6);
    }
  });
});
