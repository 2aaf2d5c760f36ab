import { describe, expect, test } from 'vitest';
import { topPFilter } from '../../../exercises/inference/decoding/top-p/solution.js';
import { binaryLogits, lessonLogits, lessonProbs } from '../../../exercises/inference/decoding/top-p/exercise.js';
import { loadTf } from '../../../src/reference/backend.js';
import { reference, solutionWith, wrong } from '../../helpers/exercises.js';
import { expectClose } from '../../helpers/matrices.js';
import { expectPropertyBroken, expectSolutionHolds } from '../../helpers/properties.js';
import { expectEachMisconceptionDiagnosed, expectLogits, grade, lessonBars, namedCase, probabilitiesOf, runLessonJs, seededCases } from './decoding-helpers.js';

const id = 'decoding/top-p';
const qualified = `inference/${id}`;
const nucleus = 'the kept tokens hold at least p of the probability, and without the least likely of them less than p';
const filter = async (logits: number[], p: number) => (await reference(qualified, logits, p)) as number[];
const I = -Infinity;

/**
 * Holtzman et al.'s definition searched directly: for m = 1, 2, … the m most
 * probable tokens (equal probabilities: lower index first), and the first m
 * whose probabilities add up to p or more.
 */
function smallestNucleus(logits: number[], p: number): number[] {
  const probs = probabilitiesOf(logits);
  const ranked = probs.map((q, i) => ({ q, i })).sort((a, b) => b.q - a.q || a.i - b.i);
  for (let m = 1; m <= ranked.length; m++) {
    const head = ranked.slice(0, m);
    if (head.reduce((s, r) => s + r.q, 0) >= p) {
      const kept = new Set(head.map((r) => r.i));
      return logits.map((z, i) => (kept.has(i) ? z : -Infinity));
    }
  }
  return [...logits];
}

describe(id, () => {
  test('the lesson example by hand: p = 0.85 keeps 0.5, 0.3 and the crossing 0.15; p = 0.5 keeps 0.5 alone', async () => {
    expectLogits(await filter(lessonLogits, 0.85), [Math.log(0.3), I, Math.log(0.5), Math.log(0.15)]);
    expectLogits(await filter(lessonLogits, 0.5), [I, I, Math.log(0.5), I]);
    expectClose(probabilitiesOf(lessonLogits), lessonProbs, 12);
    expectClose(probabilitiesOf(await filter(lessonLogits, 0.85)), [0.3 / 0.95, 0, 0.5 / 0.95, 0.15 / 0.95], 9);
  });

  test('the exact cases are exact: probabilities 1/8, 1/2, 1/8, 1/4; p = 0.75 keeps two tokens, p = 0.5 one', async () => {
    expect(probabilitiesOf(binaryLogits)).toEqual([0.125, 0.5, 0.125, 0.25]);
    expect(0.5 + 0.25).toBe(0.75);
    expectLogits(await filter(binaryLogits, 0.75), [I, 0, I, Math.log(0.5)], 12);
    expectLogits(await filter(binaryLogits, 0.5), [I, 0, I, I], 12);
    const [equal, p] = (await namedCase(id, '4 equal logits')).args as [number[], number];
    expect(await filter(equal, p)).toEqual([0, 0, I, I]);
  });

  test('the lesson\'s bar charts are the probabilities before and after p = 0.85', async () => {
    const [before, after] = await lessonBars(id);
    expectClose(before, lessonProbs, 9);
    expectClose(after, probabilitiesOf(await filter(lessonLogits, 0.85)), 6);
  });

  test('the reference (Hugging Face\'s ascending sum) and the solution (the descending walk) give the smallest nucleus on every seeded case', async () => {
    for (const c of await seededCases(id)) {
      const [logits, p] = c.args as [number[], number];
      const want = smallestNucleus(logits, p);
      expect(await filter(logits, p), c.name).toEqual(want);
      expect(topPFilter(logits, p), c.name).toEqual(want);
    }
  });

  test('the wrong variants: the crossing token dropped on the lesson (0.625 and 0.375), one token too many on the exact case', async () => {
    const dropped = (await wrong(qualified, 'crossing-token-dropped', lessonLogits, 0.85)) as number[];
    expectLogits(dropped, [Math.log(0.3), I, Math.log(0.5), I]);
    expectClose(probabilitiesOf(dropped), [0.375, 0, 0.625, 0], 9);
    expectLogits(await wrong(qualified, 'must-exceed-p', lessonLogits, 0.85), await filter(lessonLogits, 0.85));
    expectLogits(await wrong(qualified, 'must-exceed-p', binaryLogits, 0.75), [Math.log(0.25), 0, I, Math.log(0.5)], 12);
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    expect(await expectEachMisconceptionDiagnosed(id)).toEqual(['crossing-token-dropped', 'must-exceed-p']);
  });

  test('grading: a transcription of the early GPT-2 top_p_logits (count the sums ≤ p) is diagnosed as the crossing token dropped', async () => {
    const source = `export function topPFilter(logits: number[], p: number): number[] {
  const sorted = [...logits].sort((a, b) => b - a);
  const max = sorted[0];
  const exps = sorted.map((z) => Math.exp(z - max));
  const total = exps.reduce((a, b) => a + b, 0);
  let sum = 0;
  let count = 0;
  for (const e of exps) if ((sum += e / total) <= p) count++;
  const min = sorted[Math.max(count - 1, 0)];
  return logits.map((z) => (z < min ? -Infinity : z));
}`;
    const verdict = await grade(id, source);
    expect(verdict.status).toBe('fail');
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'crossing-token-dropped', confidence: 'full' });
  });

  test('check yourself: the model solution holds the property; dropping the crossing token breaks it', async () => {
    await expectSolutionHolds(qualified, { [nucleus]: 2 });
    const dropping = await solutionWith(qualified, ['if (above < p) out[i] = logits[i];', 'if (above + probs[i] <= p || above === 0) out[i] = logits[i];']);
    await expectPropertyBroken(qualified, dropping, nucleus, /^The tokens you keep hold 0\.\d+ of the probability, less than p = 0\.[79]: keep going down the list/);
  });

  test('the ```js block of In practice gives the reference\'s output on the lesson example at p = 0.85 and 0.5', async () => {
    const { tf } = await loadTf();
    expectLogits(await runLessonJs(id, tf, { logits: lessonLogits, p: 0.85 }), await filter(lessonLogits, 0.85), 5);
    expectLogits(await runLessonJs(id, tf, { logits: lessonLogits, p: 0.5 }), await filter(lessonLogits, 0.5), 5);
  });
});
