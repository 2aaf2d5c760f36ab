import { describe, expect, test } from 'vitest';
import { applyTemperature } from '../../../exercises/inference/decoding/temperature/solution.js';
import { lessonLogits } from '../../../exercises/inference/decoding/temperature/exercise.js';
import { loadTf } from '../../../src/reference/backend.js';
import { reference, solutionWith, wrong } from '../../helpers/exercises.js';
import { expectClose } from '../../helpers/matrices.js';
import { expectPropertyBroken, expectSolutionHolds } from '../../helpers/properties.js';
import { expectEachMisconceptionDiagnosed, expectLogits, lessonBars, probabilitiesOf, runLessonJs, seededCases } from './decoding-helpers.js';

const id = 'decoding/temperature';
const qualified = `inference/${id}`;
const sharper = 'a lower temperature makes the most likely token more likely';
const scale = async (logits: number[], t: number) => (await reference(qualified, logits, t)) as number[];

// softmax([2, 1, 0, −1]) by hand: e² = 7.389056, e = 2.718282, 1, e⁻¹ = 0.367879, summing to 11.475217;
// at t = 0.5, [4, 2, 0, −2]: e⁴ = 54.598150, e² = 7.389056, 1, e⁻² = 0.135335, summing to 63.122541.
const atOne = [7.389056, 2.718282, 1, 0.367879].map((e) => e / 11.475217);
const atHalf = [54.59815, 7.389056, 1, 0.135335].map((e) => e / 63.122541);

describe(id, () => {
  test('the lesson example by hand: t = 0.5 gives [4, 2, 0, −2], t = 2 gives [1, 0.5, 0, −0.5]', async () => {
    expectLogits(await scale(lessonLogits, 0.5), [4, 2, 0, -2]);
    expectLogits(await scale(lessonLogits, 2), [1, 0.5, 0, -0.5]);
    expectClose(probabilitiesOf(await scale(lessonLogits, 0.5)), atHalf, 5);
    expectClose(atOne, [0.643914, 0.236883, 0.087144, 0.032059], 5);
    expectClose(atHalf, [0.864955, 0.117059, 0.015842, 0.002144], 5);
  });

  test('the lesson\'s bar charts are the probabilities at t = 1 and t = 0.5', async () => {
    const [before, after] = await lessonBars(id);
    expectClose(before, atOne, 5);
    expectClose(after, atHalf, 5);
  });

  test('softmax of the output is p^(1/t) renormalised, and the reference and the solution divide, on every seeded case', async () => {
    for (const c of await seededCases(id)) {
      const [logits, t] = c.args as [number[], number];
      const got = await scale(logits, t);
      expectLogits(got, logits.map((z) => z / t), 4, c.name);
      expect(applyTemperature(logits, t), c.name).toEqual(logits.map((z) => z / t));
      if (logits.every(Number.isFinite) && Math.max(...logits.map(Math.abs)) / t < 30) {
        const powered = probabilitiesOf(logits).map((p) => p ** (1 / t));
        const total = powered.reduce((a, b) => a + b, 0);
        expectClose(probabilitiesOf(got), powered.map((p) => p / total), 5, c.name);
      }
    }
  });

  test('the wrong variants on the lesson example at t = 0.5: ×t gives [1, 0.5, 0, −0.5], softmax/t 1.287829…, softmax(z/t) 0.864955…', async () => {
    expectLogits(await wrong(qualified, 'multiplies-by-t', lessonLogits, 0.5), [1, 0.5, 0, -0.5]);
    expectClose(await wrong(qualified, 'divides-probabilities', lessonLogits, 0.5), [1.287829, 0.473766, 0.174289, 0.064117], 5);
    expectClose(await wrong(qualified, 'returns-probabilities', lessonLogits, 0.5), [0.864955, 0.117059, 0.015842, 0.002144], 5);
    // ×0.5 is the t = 2 row of the lesson: the top token falls to 0.455054.
    expect(probabilitiesOf([1, 0.5, 0, -0.5])[0]).toBeCloseTo(0.455054, 6);
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    expect(await expectEachMisconceptionDiagnosed(id)).toEqual(['multiplies-by-t', 'divides-probabilities', 'returns-probabilities']);
  });

  test('check yourself: the model solution holds the property; multiplying by t breaks it', async () => {
    await expectSolutionHolds(qualified, { [sharper]: 2 });
    const times = await solutionWith(qualified, ['logits.map((z) => z / t)', 'logits.map((z) => z * t)']);
    await expectPropertyBroken(qualified, times, sharper, /^After your function, softmax gives the most likely token 0\.\d+ at t = [\d.]+ and 0\.\d+ at t = [\d.]+: raising the temperature should lower it\./);
  });

  test('the ```js block of In practice gives the reference\'s output on the lesson example at both temperatures', async () => {
    const { tf } = await loadTf();
    for (const t of [0.5, 2]) expectLogits(await runLessonJs(id, tf, { logits: lessonLogits, t }), await scale(lessonLogits, t), 5);
  });
});
