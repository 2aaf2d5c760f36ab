import { describe, expect, test } from 'vitest';
import { topKFilter } from '../../../exercises/inference/decoding/top-k/solution.js';
import { lessonLogits } from '../../../exercises/inference/decoding/top-k/exercise.js';
import { loadTf } from '../../../src/reference/backend.js';
import { reference, solutionWith, wrong, wrongAlternatives } from '../../helpers/exercises.js';
import { expectClose } from '../../helpers/matrices.js';
import { expectPropertyBroken, expectSolutionHolds } from '../../helpers/properties.js';
import { expectEachMisconceptionDiagnosed, expectLogits, grade, lessonBars, namedCase, probabilitiesOf, runLessonJs, seededCases } from './decoding-helpers.js';

const id = 'decoding/top-k';
const qualified = `inference/${id}`;
const threshold = 'the kept logits are unchanged, at least k of them, and every removed one is below every kept one';
const filter = async (logits: number[], k: number) => (await reference(qualified, logits, k)) as number[];
const I = -Infinity;

/** Top-k by counting: a token stays when fewer than k tokens have a strictly larger logit (so ties with the k-th stay, and k > V keeps all). */
const byCounting = (logits: number[], k: number) => logits.map((z) => (logits.filter((y) => y > z).length < k ? z : -Infinity));

/** Hugging Face's line in tfjs: the last of tf.topk's k values is the threshold. */
async function tfTopK(logits: number[], k: number): Promise<number[]> {
  const { tf } = await loadTf();
  const kk = Math.min(k, logits.length);
  const kth = (tf.topk(tf.tensor1d(logits), kk).values.arraySync() as number[])[kk - 1];
  // tf works in float32: compare the logits as float32 too.
  return logits.map((z) => (Math.fround(z) < kth ? -Infinity : z));
}

describe(id, () => {
  test('the lesson example by hand: k = 2 keeps 3, 2 and 2 (a tie), k = 4 keeps one more', async () => {
    expectLogits(await filter(lessonLogits, 2), [2, 3, I, 2, I, I]);
    expectLogits(await filter(lessonLogits, 4), [2, 3, I, 2, 1, I]);
    // e³/(e² + e³ + e²) and e²/(…) by hand: 20.085537/34.863649 and 7.389056/34.863649.
    expectClose(probabilitiesOf(await filter(lessonLogits, 2)), [7.389056 / 34.863649, 20.085537 / 34.863649, 0, 7.389056 / 34.863649, 0, 0], 5);
  });

  test('the lesson\'s bar charts are the probabilities before and after k = 2', async () => {
    const [before, after] = await lessonBars(id);
    expectClose(before, probabilitiesOf(lessonLogits), 5);
    expectClose(after, [0.211942, 0.576117, 0, 0.211942, 0, 0], 5);
    expectClose(after, probabilitiesOf(await filter(lessonLogits, 2)), 5);
  });

  test('the reference and the solution agree with counting and with tf.topk on every seeded case', async () => {
    for (const c of await seededCases(id)) {
      const [logits, k] = c.args as [number[], number];
      const want = byCounting(logits, k);
      expect(await filter(logits, k), c.name).toEqual(want);
      expect(topKFilter(logits, k), c.name).toEqual(want);
      if (logits.every(Number.isFinite)) expectLogits(await tfTopK(logits, k), want, 4, c.name);
    }
  });

  test('the tie cases are ties at the k-th value, and k beyond the vocabulary keeps everything', async () => {
    const [logits, k] = (await namedCase(id, 'k = 1 with the largest value tied')).args as [number[], number];
    expect((await filter(logits, k)).filter((z) => z !== -Infinity)).toEqual([4, 4]);
    const [big, kBig] = (await namedCase(id, 'k larger than the vocabulary')).args as [number[], number];
    expect(kBig).toBeGreaterThan(big.length);
    expect(await filter(big, kBig)).toEqual(big);
  });

  test('the wrong variants on the lesson example: exactly k keeps two of the three, ≤ drops the 4th, 0 instead of −Infinity', async () => {
    const exact = (await wrongAlternatives(qualified, 'exactly-k-when-tied', lessonLogits, 2)) as number[][];
    expectLogits(exact[0], [2, 3, I, I, I, I]);
    expectLogits(exact[1], [I, 3, I, 2, I, I]);
    expectClose(probabilitiesOf(exact[0]), [0.268941, 0.731059, 0, 0, 0, 0], 5);
    expectLogits(await wrong(qualified, 'kth-removed', lessonLogits, 4), [2, 3, I, 2, I, I]);
    const zeros = (await wrong(qualified, 'zero-not-minus-infinity', lessonLogits, 2)) as number[];
    expect(zeros).toEqual([2, 3, 0, 2, 0, 0]);
    expectClose(probabilitiesOf(zeros).slice(4), [0.026411, 0.026411], 6);
    expect(probabilitiesOf(zeros)[5]).toBeGreaterThan(probabilitiesOf(lessonLogits)[5]);
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    expect(await expectEachMisconceptionDiagnosed(id)).toEqual(['exactly-k-when-tied', 'kth-removed', 'zero-not-minus-infinity']);
  });

  test('grading: sorting the indices and keeping the first k is diagnosed as exactly k kept when tied', async () => {
    const source = `export function topKFilter(logits: number[], k: number): number[] {
  const order = logits.map((_, i) => i).sort((a, b) => logits[b] - logits[a]);
  const keep = new Set(order.slice(0, k));
  return logits.map((z, i) => (keep.has(i) ? z : -Infinity));
}`;
    const verdict = await grade(id, source);
    expect(verdict.status).toBe('fail');
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'exactly-k-when-tied', confidence: 'full' });
  });

  test('check yourself: the model solution holds the property; a ≤ threshold breaks it', async () => {
    await expectSolutionHolds(qualified, { [threshold]: 2 });
    const strict = await solutionWith(qualified, ['(z < threshold ? -Infinity : z)', '(z <= threshold ? -Infinity : z)']);
    await expectPropertyBroken(qualified, strict, threshold, /^You (kept \d+ tokens with k = \d: top-k keeps at least k|removed a token of logit -?[\d.]+ and kept one of -?[\d.]+: every token whose logit)/);
  });

  test('the ```js block of In practice gives the reference\'s output on the lesson example, k = 2 and k = 4', async () => {
    const { tf } = await loadTf();
    for (const k of [2, 4]) expectLogits(await runLessonJs(id, tf, { logits: lessonLogits, k }), await filter(lessonLogits, k), 5);
  });
});
