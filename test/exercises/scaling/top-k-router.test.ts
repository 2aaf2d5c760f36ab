import { describe, expect, test } from 'vitest';
import { topKRouter } from '../../../exercises/scaling/moe/top-k-router/solution.js';
import { lessonLogits } from '../../../exercises/scaling/moe/top-k-router/exercise.js';
import { loadTf } from '../../../src/reference/backend.js';
import { reference, solutionWith, wrong } from '../../helpers/exercises.js';
import { expectClose } from '../../helpers/matrices.js';
import { expectPropertyBroken, expectSolutionHolds } from '../../helpers/properties.js';
import { expectEachMisconceptionDiagnosed, namedCase, runLessonJs, seededCases } from './scaling-helpers.js';

const id = 'moe/top-k-router';
const qualified = `scaling/${id}`;
const shift = 'adding the same number to every logit of a token changes nothing (±1000 too)';
type Routing = { experts: number[][]; weights: number[][] };
const route = async (logits: number[][], k: number, normalize: boolean) => (await reference(qualified, logits, k, normalize)) as Routing;

// softmax([2, 1, 0, −1]) by hand: e² = 7.389056, e = 2.718282, 1, e⁻¹ = 0.367879, summing to 11.475217.
const lessonProbs = [0.643914, 0.236883, 0.087144, 0.032059];

/** The router written with tfjs ops: tf.softmax over every expert, tf.topk (documented: equal values, lower index first). */
async function tfRouter(logits: number[][], k: number, normalize: boolean): Promise<Routing> {
  const { tf } = await loadTf();
  return tf.tidy(() => {
    const { values, indices } = tf.topk(tf.softmax(tf.tensor2d(logits)), k);
    const weights = normalize ? tf.div(values, tf.sum(values, -1, true)) : values;
    return { experts: indices.arraySync() as number[][], weights: weights.arraySync() as number[][] };
  });
}

describe(id, () => {
  test('the lesson example by hand: experts [0, 1], [1, 2], [1, 0], [3, 1]; weights softmax([2, 1]) renormalised, the raw probabilities otherwise', async () => {
    expect(7.389056 / 11.475217).toBeCloseTo(lessonProbs[0], 6);
    const experts = [[0, 1], [1, 2], [1, 0], [3, 1]];
    const renormalised = await route(lessonLogits, 2, true);
    expect(renormalised.experts).toEqual(experts);
    expectClose(renormalised.weights, lessonLogits.map(() => [0.731059, 0.268941]), 6);
    const raw = await route(lessonLogits, 2, false);
    expect(raw.experts).toEqual(experts);
    expectClose(raw.weights, lessonLogits.map(() => [lessonProbs[0], lessonProbs[1]]), 6);
    expect(lessonProbs[0] + lessonProbs[1]).toBeCloseTo(0.880797, 6);
  });

  test('the lesson\'s ties: [0, 0, 0, 0] goes to experts 0 and 1; [0.5, 2, 0.5, 1] with k = 3 to 1, 3, 0', async () => {
    expect(await route([[0, 0, 0, 0]], 2, true)).toEqual({ experts: [[0, 1]], weights: [[0.5, 0.5]] });
    expect((await route([[0.5, 2, 0.5, 1]], 3, true)).experts).toEqual([[1, 3, 0]]);
    expect((await route([[1, 3, 0, 3], [2, 2, 2, -1]], 2, false)).experts).toEqual([[1, 3], [0, 1]]);
  });

  test('the reference and the model solution agree with tf.softmax and tf.topk on every seeded case, ties included', async () => {
    for (const c of await seededCases(id)) {
      const [logits, k, normalize] = c.args as [number[][], number, boolean];
      const want = await tfRouter(logits, k, normalize);
      for (const got of [await route(logits, k, normalize), topKRouter(logits, k, normalize)]) {
        expect(got.experts, c.name).toEqual(want.experts);
        expectClose(got.weights, want.weights, 5, c.name);
      }
    }
  });

  test('the tie cases are ties: equal logits on the chosen boundary', async () => {
    const [logits, k] = (await namedCase(id, 'a tie for the last place')).args as [number[][], number];
    const sorted = [...logits[0]].sort((a, b) => b - a);
    expect(sorted[k - 1]).toBe(sorted[k]);
  });

  test('the wrong variants on the lesson example: softmax of the selected gives 0.731059 with normalize false, no renormalising 0.643914, ties to the higher index [3, 2]', async () => {
    const selected = (await wrong(qualified, 'softmax-of-selected', lessonLogits, 2, false)) as Routing;
    expectClose(selected.weights[0], [0.731059, 0.268941], 6);
    const raw = (await wrong(qualified, 'no-renormalisation', lessonLogits, 2, true)) as Routing;
    expectClose(raw.weights[0], [0.643914, 0.236883], 6);
    expect(((await wrong(qualified, 'ties-to-higher-index', [[0, 0, 0, 0]], 2, true)) as Routing).experts).toEqual([[3, 2]]);
    expect(((await wrong(qualified, 'ties-to-higher-index', [[0.5, 2, 0.5, 1]], 3, true)) as Routing).experts).toEqual([[1, 3, 2]]);
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    expect(await expectEachMisconceptionDiagnosed(id)).toEqual(['softmax-of-selected', 'no-renormalisation', 'ties-to-higher-index']);
  });

  test('check yourself: the model solution holds the shift property; a softmax without the max subtracted breaks it', async () => {
    await expectSolutionHolds(qualified, { [shift]: 2 });
    const unstable = await solutionWith(qualified, ['row.map((z) => Math.exp(z - max))', 'row.map((z) => Math.exp(z))']);
    await expectPropertyBroken(qualified, unstable, shift, /^Shifting every logit by the same amount \(up to -?[\d.]+\) changed your routing: token 0( goes to experts|'s weight 0 is).* Softmax depends only/);
  });

  test('the ```js block of In practice gives the reference\'s output on the lesson example, both ways', async () => {
    const { tf } = await loadTf();
    for (const normalize of [true, false]) {
      const got = (await runLessonJs(id, tf, { logits: lessonLogits, k: 2, normalize })) as Routing;
      const want = await route(lessonLogits, 2, normalize);
      expect(got.experts).toEqual(want.experts);
      expectClose(got.weights, want.weights, 5);
    }
  });
});
