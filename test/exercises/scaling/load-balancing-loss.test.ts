import { describe, expect, test } from 'vitest';
import { loadBalancingLoss } from '../../../exercises/scaling/moe/load-balancing-loss/solution.js';
import { lessonLogits, rotations } from '../../../exercises/scaling/moe/load-balancing-loss/exercise.js';
import { loadTf } from '../../../src/reference/backend.js';
import { reference, solutionWith, wrong, wrongAlternatives } from '../../helpers/exercises.js';
import { expectPropertyBroken, expectSolutionHolds } from '../../helpers/properties.js';
import { expectEachMisconceptionDiagnosed, namedCase, runLessonJs, seededCases } from './scaling-helpers.js';

const id = 'moe/load-balancing-loss';
const qualified = `scaling/${id}`;
const rotationsGiveK = "a batch of every rotation of one token's logits gives exactly k";
const loss = async (logits: number[][], k: number) => (await reference(qualified, logits, k)) as number;

/**
 * Hugging Face's load_balancing_loss_func transcribed op for op into tfjs:
 * softmax, topk, one_hot → expert_mask [T, k, E], its mean over tokens →
 * tokens_per_expert [k, E], the mean probabilities → router_prob_per_expert
 * [E], the sum of their product, times num_experts. tf.topk puts equal values
 * at the lower index first, the exercise's rule.
 */
async function hfLoss(logits: number[][], k: number): Promise<number> {
  const { tf } = await loadTf();
  const E = logits[0].length;
  return tf.tidy(() => {
    const routingWeights = tf.softmax(tf.tensor2d(logits), -1);
    const { indices: selectedExperts } = tf.topk(routingWeights, k);
    const expertMask = tf.oneHot(selectedExperts, E);
    const tokensPerExpert = tf.mean(tf.cast(expertMask, 'float32'), 0);
    const routerProbPerExpert = tf.mean(routingWeights, 0);
    const overallLoss = tf.sum(tf.mul(tokensPerExpert, tf.expandDims(routerProbPerExpert, 0)));
    return (overallLoss.arraySync() as number) * E;
  });
}

describe(id, () => {
  test('the lesson example by hand: f, P and 4 · (0.335841 + 0.306958) = 2.571196', async () => {
    const probs = [0.643914, 0.236883, 0.087144, 0.032059];
    const P = [0.25, (2 * probs[0] + 2 * probs[1]) / 4, (probs[2] + probs[1] + 2 * probs[3]) / 4, (probs[3] + 2 * probs[2] + probs[0]) / 4];
    expect(P[1]).toBeCloseTo(0.440399, 5);
    expect(P[2]).toBeCloseTo(0.097036, 5);
    expect(P[3]).toBeCloseTo(0.212565, 5);
    const slot0 = 0.25 * P[0] + 0.5 * P[1] + 0.25 * P[3];
    const slot1 = 0.25 * P[0] + 0.5 * P[1] + 0.25 * P[2];
    expect(4 * (slot0 + slot1)).toBeCloseTo(2.571196, 5);
    expect(await loss(lessonLogits, 2)).toBeCloseTo(2.571196, 6);
  });

  test('balanced routing gives exactly k, collapsed routing 3.523188, nearly all on one expert 3.999637 (E = 4 in the limit)', async () => {
    expect(await loss(rotations([2, 1, 0, -1]), 2)).toBeCloseTo(2, 12);
    expect(await loss(rotations([0.3, -1, 2.5, 0.7, 1.1]), 3)).toBeCloseTo(3, 12);
    expect(await loss([0, 1, 2, 3].map(() => [2, 1, 0, -1]), 2)).toBeCloseTo(3.523188, 6);
    expect(await loss([0, 1, 2].map(() => [10, 0, 0, 0]), 2)).toBeCloseTo(3.999637, 6);
    expect(await loss([[40, 0, 0, 0]], 1)).toBeCloseTo(4, 12);
  });

  test('the tie case: both tokens go to expert 0, so the loss is 4·P[0] = 2.153528', async () => {
    const [logits, k] = (await namedCase(id, 'a tie decides')).args as [number[][], number];
    const p0 = (Math.E / (2 * Math.E + 2) + Math.exp(2) / (Math.exp(2) + 3)) / 2;
    expect(await loss(logits, k)).toBeCloseTo(4 * p0, 12);
    expect(4 * p0).toBeCloseTo(2.153528, 6);
  });

  test("the reference and the model solution agree with Hugging Face's function transcribed into tfjs on every seeded case", async () => {
    for (const c of await seededCases(id)) {
      const [logits, k] = c.args as [number[][], number];
      const want = await hfLoss(logits, k);
      for (const got of [await loss(logits, k), loadBalancingLoss(logits, k)]) expect(Math.abs(got - want), c.name).toBeLessThanOrEqual(1e-5 * Math.max(1, want));
    }
  });

  test('the wrong variants on the lesson example: selected probabilities only 2.422192 (2.75 renormalised), one distribution 1.285598, and 1 when balanced', async () => {
    const [raw, renormalised] = (await wrongAlternatives(qualified, 'selected-probabilities-only', lessonLogits, 2)) as number[];
    expect(raw).toBeCloseTo(2.422192, 6);
    expect(renormalised).toBeCloseTo(2.75, 12);
    expect((await wrong(qualified, 'one-distribution', lessonLogits, 2)) as number).toBeCloseTo(1.285598, 6);
    expect((await wrong(qualified, 'one-distribution', rotations([2, 1, 0, -1]), 2)) as number).toBeCloseTo(1, 12);
    expect((await wrong(qualified, 'ties-to-higher-index', [[1, 1, 0, 0], [2, 0, 0, 0]], 1)) as number).toBeCloseTo(1.538548, 6);
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    expect(await expectEachMisconceptionDiagnosed(id)).toEqual(['selected-probabilities-only', 'one-distribution', 'ties-to-higher-index']);
  });

  test('check yourself: the model solution holds the rotation property; counting all choices as one distribution breaks it', async () => {
    await expectSolutionHolds(qualified, { [rotationsGiveK]: 2 });
    const oneDistribution = await solutionWith(qualified, ['return E * sum;', 'return (E * sum) / k;']);
    await expectPropertyBroken(qualified, oneDistribution, rotationsGiveK, /^Each of the [56] experts is each slot's choice of exactly one of these [56] tokens, .* the loss must be E · k · E · \(1\/E\)·\(1\/E\) = k = [23]\. Yours is 1\.$/);
  });

  test("the ```js block of In practice gives the reference's output on the lesson example and the balanced batch", async () => {
    const { tf } = await loadTf();
    for (const routerLogits of [lessonLogits, rotations([2, 1, 0, -1])]) {
      const got = (await runLessonJs(id, tf, { routerLogits, k: 2 })) as number;
      expect(got).toBeCloseTo(await loss(routerLogits, 2), 5);
    }
  });
});
