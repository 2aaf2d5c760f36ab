import { describe, expect, test } from 'vitest';
import { hoeffdingMargin, Rng } from 'llm-tutor/pack';
import { sampleToken } from '../../../exercises/inference/decoding/sample/solution.js';
import { lessonWeights } from '../../../exercises/inference/decoding/sample/exercise.js';
import { loadTf } from '../../../src/reference/backend.js';
import { loadExercise, reference, solutionWith, wrong } from '../../helpers/exercises.js';
import { expectPropertyBroken, expectSolutionHolds, gradeOne } from '../../helpers/properties.js';
import { casesOn, expectEachMisconceptionDiagnosed, lessonBars, runLessonJs, seededCases } from './decoding-helpers.js';

const id = 'decoding/sample';
const qualified = `inference/${id}`;
const scaling = 'scaling every weight by the same power of 2 draws the same token';
const draw = async (probs: number[], u: number) => (await reference(qualified, probs, u)) as number;

/** The token whose half-open interval [Σ_{j<i} p_j, Σ_{j≤i} p_j) holds u·Σp, found by building every interval first. */
function byIntervals(probs: number[], u: number): number {
  const total = probs.reduce((a, b) => a + b, 0);
  const intervals = probs.map((_, i) => [probs.slice(0, i).reduce((a, b) => a + b, 0), probs.slice(0, i + 1).reduce((a, b) => a + b, 0)]);
  return intervals.findIndex(([lo, hi]) => lo <= u * total && u * total < hi);
}

describe(id, () => {
  test('the lesson example by hand: running sums [1, 5, 7, 10]; u = 0.55 and u = 0.5 (on the boundary 5) both draw token 2', async () => {
    expect(await draw(lessonWeights, 0.55)).toBe(2);
    expect(await draw(lessonWeights, 0.5)).toBe(2);
    expect(0.5 * 10).toBe(1 + 4);
    expect(await draw([0, 2, 1], 0)).toBe(1);
  });

  test('the lesson\'s bar chart: the running sums and the target 5.5 between 5 and 7', async () => {
    expect((await lessonBars(id))[0]).toEqual([1, 5, 5.5, 7, 10]);
  });

  test('the reference and the solution find the token whose interval holds u·Σp, on every seeded case', async () => {
    for (const c of await seededCases(id)) {
      const [probs, u] = c.args as [number[], number];
      const want = byIntervals(probs, u);
      expect(await draw(probs, u), c.name).toBe(want);
      expect(sampleToken(probs, u), c.name).toBe(want);
    }
  });

  test('the named boundary cases put u·Σp exactly on a running sum', async () => {
    const boundaries = (await casesOn(id, 7)).filter((c) => /boundary/.test(c.name));
    expect(boundaries.length).toBeGreaterThanOrEqual(3);
    for (const c of boundaries) {
      const [probs, u] = c.args as [number[], number];
      const total = probs.reduce((a, b) => a + b, 0);
      const sums = probs.map((_, i) => probs.slice(0, i + 1).reduce((a, b) => a + b, 0));
      expect(sums, c.name).toContain(u * total);
    }
  });

  test('over 40 000 seeded uniforms the reference draws each token within 1.7 points of its weight (Hoeffding: ε at δ = 1e-9)', async () => {
    const { definition, ctx } = await loadExercise(qualified);
    const once = (probs: number[], u: number) => definition.reference!(ctx, probs, u) as number;
    const rng = new Rng(2024);
    const weights = [0, 3, 0, 1, 4];
    const counts = weights.map(() => 0);
    const n = 40_000;
    for (let i = 0; i < n; i++) counts[once(weights, rng.next())]++;
    const epsilon = Math.sqrt(Math.log((2 * weights.length) / 1e-9) / (2 * n));
    expect(epsilon).toBeCloseTo(0.017, 3);
    weights.forEach((w, i) => expect(Math.abs(counts[i] / n - w / 8), `token ${i}`).toBeLessThanOrEqual(epsilon));
    expect(counts[0] + counts[2]).toBe(0);
  });

  test('the lesson\'s distribution check: 4000 draws over 5 tokens at δ = 1e-6 allow 4.5 points, so token 4 between 45.5% and 54.5%', async () => {
    const { definition } = await loadExercise(qualified);
    const [check] = definition.distributions!;
    const [scenario] = check.scenarios(new Rng(7));
    expect(check.draws).toBe(4000);
    expect(scenario.expected).toEqual([0, 0.375, 0, 0.125, 0.5]);
    const epsilon = Math.sqrt(Math.log((2 * 5) / 1e-6) / (2 * 4000));
    expect(hoeffdingMargin(4000, 5, 1e-6)).toBeCloseTo(epsilon, 12);
    expect(100 * epsilon).toBeCloseTo(4.49, 2);
    expect([50 - 100 * epsilon, 50 + 100 * epsilon].map((x) => x.toFixed(1))).toEqual(['45.5', '54.5']);
  });

  test('the wrong variants on the lesson: ≤ draws token 1 at u = 0.5 (and token 0 of weight 0 at u = 0), ignoring Σp draws token 0', async () => {
    expect(await wrong(qualified, 'less-or-equal', lessonWeights, 0.5)).toBe(1);
    expect(await wrong(qualified, 'less-or-equal', [0, 2, 1], 0)).toBe(0);
    expect(await wrong(qualified, 'less-or-equal', lessonWeights, 0.55)).toBe(2);
    for (const u of [0.05, 0.55, 0.99]) expect(await wrong(qualified, 'ignores-normalisation', lessonWeights, u)).toBe(0);
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    expect(await expectEachMisconceptionDiagnosed(id)).toEqual(['less-or-equal', 'ignores-normalisation']);
  });

  test('the model solution passes the distribution check and the scaling property', async () => {
    await expectSolutionHolds(qualified, { [scaling]: 2 });
    const verdict = await gradeOne(qualified, await solutionWith(qualified));
    expect(verdict.cases.filter((c) => c.name.startsWith('outputs follow the weights: ')).map((c) => c.status)).toEqual(['pass']);
  });

  test('ignoring the normalisation fails the distribution check (token 1 every time) and breaks the scaling property', async () => {
    const unnormalised = await solutionWith(qualified, ['const target = u * total;', 'const target = u;']);
    const verdict = await expectPropertyBroken(qualified, unnormalised, scaling, /^With the same u = [\d.]+, your function drew token \d+ from \[.*\], \d+ from 4 times those weights and \d+ from 1\/8 of them\. Weights are only proportions/);
    const dist = verdict.cases.find((c) => c.name === 'outputs follow the weights: weights [0, 3, 0, 1, 4], zeros among them')!;
    expect(dist.status).toBe('fail');
    expect(dist.message).toContain('token 1 comes out too often, 100.0% of the time instead of 37.5%');
    expect(verdict.diagnosis?.misconceptionId).toBe('ignores-normalisation');
  });

  test('the ```js block of In practice gives the reference\'s token on the lesson example, u = 0.55 and on the boundary u = 0.5', async () => {
    const { tf } = await loadTf();
    for (const u of [0.55, 0.5]) expect(await runLessonJs(id, tf, { probs: lessonWeights, u })).toBe(await draw(lessonWeights, u));
  });
});
