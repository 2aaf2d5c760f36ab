import { describe, expect, test } from 'vitest';
import { repetitionPenalty } from '../../../exercises/inference/decoding/repetition-penalty/solution.js';
import { lessonLogits, lessonSeen } from '../../../exercises/inference/decoding/repetition-penalty/exercise.js';
import { loadTf } from '../../../src/reference/backend.js';
import { reference, solutionWith, wrong } from '../../helpers/exercises.js';
import { expectClose } from '../../helpers/matrices.js';
import { expectPropertyBroken, expectSolutionHolds } from '../../helpers/properties.js';
import { expectEachMisconceptionDiagnosed, expectLogits, lessonBars, probabilitiesOf, runLessonJs, seededCases } from './decoding-helpers.js';

const id = 'decoding/repetition-penalty';
const qualified = `inference/${id}`;
const noGain = 'with penalty > 1 no seen token gains, and unseen tokens are untouched';
const penalise = async (logits: number[], seen: number[], penalty: number) => (await reference(qualified, logits, seen, penalty)) as number[];

/** The penalty as one power: z · penalty^(−sign z), for every index that occurs in `seen` at least once. */
const byPower = (logits: number[], seen: number[], penalty: number) => logits.map((z, i) => (seen.includes(i) ? z * penalty ** -Math.sign(z) : z));

describe(id, () => {
  test('the lesson example by hand: [3, −1, 1.5, 0, −2] with seen [0, 1, 0, 3] and 1.5 becomes [2, −1.5, 1.5, 0, −2]', async () => {
    expect(await penalise(lessonLogits, lessonSeen, 1.5)).toEqual([2, -1.5, 1.5, 0, -2]);
  });

  test('the lesson\'s bar charts are the probabilities before and after; token 0 falls from 0.770 to 0.559, token 1 rises a little', async () => {
    const [before, after] = await lessonBars(id);
    expectClose(before, probabilitiesOf(lessonLogits), 5);
    expectClose(after, probabilitiesOf([2, -1.5, 1.5, 0, -2]), 5);
    expect(after[1]).toBeGreaterThan(before[1]);
  });

  test('the reference and the solution follow z · penalty^(−sign z) on every seeded case', async () => {
    for (const c of await seededCases(id)) {
      const [logits, seen, penalty] = c.args as [number[], number[], number];
      const want = byPower(logits, seen, penalty);
      expectLogits(await penalise(logits, seen, penalty), want, 12, c.name);
      expectLogits(repetitionPenalty(logits, seen, penalty), want, 12, c.name);
    }
  });

  test('the wrong variants on the lesson example: dividing gives −0.666667 for token 1, twice gives 1.333333 for token 0', async () => {
    const divided = (await wrong(qualified, 'always-divides', lessonLogits, lessonSeen, 1.5)) as number[];
    expectLogits(divided, [2, -2 / 3, 1.5, 0, -2]);
    expect(probabilitiesOf(divided)[1]).toBeCloseTo(0.037976, 6);
    expectLogits(await wrong(qualified, 'once-per-occurrence', lessonLogits, lessonSeen, 1.5), [3 / 2.25, -1.5, 1.5, 0, -2]);
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    expect(await expectEachMisconceptionDiagnosed(id)).toEqual(['always-divides', 'once-per-occurrence']);
  });

  test('check yourself: the model solution holds the property; dividing every seen logit breaks it', async () => {
    await expectSolutionHolds(qualified, { [noGain]: 2 });
    const dividing = await solutionWith(qualified, ['out[i] = z < 0 ? z * penalty : z / penalty;', 'out[i] = z / penalty;']);
    await expectPropertyBroken(qualified, dividing, noGain, /^Token \d+ was seen, and its logit went UP from -[\d.]+ to -[\d.]+: with a penalty above 1/);
  });

  test('the ```js block of In practice gives the reference\'s output on the lesson example and with a penalty below 1', async () => {
    const { tf } = await loadTf();
    for (const penalty of [1.5, 0.8]) {
      const got = await runLessonJs(id, tf, { logits: lessonLogits, seen: lessonSeen, penalty });
      expectLogits(got, await penalise(lessonLogits, lessonSeen, penalty), 5);
    }
  });
});
