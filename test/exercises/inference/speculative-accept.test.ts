import { describe, expect, test } from 'vitest';
import { speculativeStep } from '../../../exercises/inference/speculative/accept/solution.js';
import { bonusP, bonusQ, lessonArgs, lessonP, lessonQ, pictureP, pictureQ } from '../../../exercises/inference/speculative/accept/exercise.js';
import { loadTf } from '../../../src/reference/backend.js';
import { loadExercise, reference, solutionWith, wrong } from '../../helpers/exercises.js';
import { allBars, barRows, expectEachMisconceptionDiagnosed, grade, inferenceFile, namedCase, runLessonJs, seededCases } from './speculative-helpers.js';

const id = 'speculative/accept';
const qualified = `inference/${id}`;
type Step = { tokens: number[]; accepted: number };
type Args = [number[][], number[][], number[], number[], number];
const step = async (...args: Args) => (await reference(qualified, ...args)) as Step;

/**
 * Leviathan et al.'s Algorithm 1 written as the paper writes it: n is the
 * smallest i with u_i ≥ ratio_i (or γ), p′ is the residual NORMALISED (or
 * p[γ]), and t is found by inverting p′'s cumulative distribution.
 */
function algorithm1(p: number[][], q: number[][], draft: number[], u: number[], uResample: number): Step {
  const gamma = draft.length;
  const rejected = draft.map((x, i) => u[i] >= Math.min(1, p[i][x] / q[i][x]));
  const n = rejected.includes(true) ? rejected.indexOf(true) : gamma;
  let pPrime = p[n];
  if (n < gamma) {
    const positive = p[n].map((x, j) => (x > q[n][j] ? x - q[n][j] : 0));
    const norm = positive.reduce((s, x) => s + x, 0);
    pPrime = positive.map((x) => x / norm);
  }
  let cdf = 0;
  const t = pPrime.findIndex((x) => uResample < (cdf += x));
  return { tokens: [...draft.slice(0, n), t < 0 ? pPrime.length - 1 : t], accepted: n };
}

/**
 * The exact distribution of an outcome of one step when every draft token is
 * drawn from q and the uniforms are uniform: a sum over every draft and a
 * midpoint grid of 128 values per uniform (exact for the lesson's binary
 * fractions, whose ratios and cumulative sums fall on the grid).
 */
function gridDistribution(f: (...args: Args) => Step, p: number[][], q: number[][], outcome: (s: Step) => number, outcomes: number): number[] {
  const N = 128;
  const grid = Array.from({ length: N }, (_, k) => (k + 0.5) / N);
  const freq = new Array<number>(outcomes).fill(0);
  const gamma = q.length;
  const drafts: [number[], number][] = [[[], 1]];
  for (let i = 0; i < gamma; i++) {
    const next: [number[], number][] = [];
    for (const [d, w] of drafts) q[i].forEach((qx, x) => qx > 0 && next.push([[...d, x], w * qx]));
    drafts.splice(0, drafts.length, ...next);
  }
  for (const [draft, weight] of drafts)
    for (const u0 of grid)
      for (const ur of grid) {
        // Later uniforms are fixed at 0.5: the outcomes tested depend on u[0] only when γ > 1 (the first token) or γ = 1.
        const u = [u0, ...new Array<number>(gamma - 1).fill(0.5)];
        freq[outcome(f(p, q, draft, u, ur))] += weight / (N * N);
      }
  return freq;
}

describe(id, () => {
  test('the lesson example by hand: accept 2 (ratio 1.5), accept 1 (0.35 < 0.5), reject 0 (0.6 ≥ 0.2), token 2 from [0, 0.1, 0.3, 0]', async () => {
    expect(await step(...lessonArgs)).toEqual({ tokens: [2, 1, 2], accepted: 2 });
    // The residual at position 2 and the draw: uResample·0.4 = 0.12 falls in token 2's interval (0.1, 0.4].
    const residual = lessonP[2].map((x, j) => Math.max(0, x - lessonQ[2][j]));
    expect(residual.map((x) => +x.toFixed(12))).toEqual([0, 0.1, 0.3, 0]);
    expect(await step(lessonP, lessonQ, [2, 2, 2], [0.9, 0.5, 0.2], 0.8)).toEqual({ tokens: [2, 2, 2, 2], accepted: 3 });
  });

  test('the lesson\'s table of distributions is the worked example\'s p and q', async () => {
    const lesson = await inferenceFile(id, 'lesson.md');
    const row = (name: string) => lesson.split('\n').find((line) => line.startsWith(`| ${name} |`))!.split('|').slice(2, -1).map(Number);
    lessonP.forEach((r, i) => expect(row(`p[${i}]`), `p[${i}]`).toEqual(r));
    lessonQ.forEach((r, i) => expect(row(`q[${i}]`), `q[${i}]`).toEqual(r));
  });

  test('the boundary cases: u equal to the ratio rejects, u = 0 rejects a token of target probability 0, uResample on a running sum goes on', async () => {
    expect(await step([[0.25, 0.5, 0.25], [0.5, 0.25, 0.25]], [[0.5, 0.25, 0.25]], [0], [0.5], 0.3)).toEqual({ tokens: [1], accepted: 0 });
    expect(await step([[0, 0.5, 0.5], [0.2, 0.3, 0.5]], [[0.8, 0.1, 0.1]], [0], [0], 0.1)).toEqual({ tokens: [1], accepted: 0 });
    const onSum = (await namedCase(id, 'exactly on a cumulative sum')).args as Args;
    expect(await step(...onSum)).toEqual({ tokens: [2], accepted: 0 });
  });

  test('the reference and the model solution follow Algorithm 1 as the paper writes it on every seeded case', async () => {
    for (const c of await seededCases(id)) {
      const args = c.args as Args;
      const want = algorithm1(...args);
      expect(await step(...args), c.name).toEqual(want);
      expect(speculativeStep(...args), c.name).toEqual(want);
    }
  });

  test('the draft tokens of the random cases are tokens q gives a positive probability', async () => {
    for (const c of await seededCases(id)) {
      const [, q, draft, u] = c.args as Args;
      expect(draft.length, c.name).toBe(q.length);
      expect(u.length, c.name).toBe(q.length);
      draft.forEach((x, i) => expect(q[i][x], c.name).toBeGreaterThan(0));
    }
  });

  test('summed over every draft and a grid of uniforms, the reference\'s first token follows p[0] exactly; the misconceptions\' follow the lesson\'s bars', async () => {
    const { definition, ctx } = await loadExercise(qualified);
    const ref = (...args: Args) => definition.reference!(ctx, ...args) as Step;
    const first = (s: Step) => s.tokens[0];
    expect(gridDistribution(ref, pictureP, pictureQ, first, 4)).toEqual(pictureP[0]);
    const bars = (await allBars(id)).map((b) => barRows(b).map(([, v]) => v));
    expect(bars[0]).toEqual(pictureP[0]);
    expect(bars[1]).toEqual(pictureQ[0]);
    expect(bars[2]).toEqual(pictureP[0]);
    const variant = (mid: string) => {
      const m = definition.misconceptions!.find((x) => x.id === mid)!;
      return (...args: Args) => m.wrong(ctx, ...args) as Step;
    };
    expect(gridDistribution(variant('p-q-swapped'), pictureP, pictureQ, first, 4)).toEqual(bars[3]);
    expect(bars[3]).toEqual([0.03125, 0.0625, 0.2890625, 0.6171875]);
    expect(gridDistribution(variant('resample-from-p'), pictureP, pictureQ, first, 4)).toEqual(bars[4]);
    expect(bars[4]).toEqual([0.375, 0.25, 0.1875, 0.1875]);
  });

  test('summed over a grid, one guess then the bonus token: one token with 1 − α = 0.25, else bonus j with 0.75·p[1][j]', async () => {
    const { definition, ctx } = await loadExercise(qualified);
    const ref = (...args: Args) => definition.reference!(ctx, ...args) as Step;
    const got = gridDistribution(ref, bonusP, bonusQ, (s) => (s.tokens.length === 1 ? 0 : 1 + s.tokens[1]), 5);
    expect(got).toEqual([0.25, 0.09375, 0.1875, 0.375, 0.09375]);
    expect(1 - bonusP[0].reduce((s, x, j) => s + Math.min(x, bonusQ[0][j]), 0)).toBe(0.25);
  });

  test('the wrong variants on the lesson: swapped returns [0], resampling from p [2, 1, 1], no bonus [2, 2, 2], ≤ keeps the tied guess', async () => {
    expect(await wrong(qualified, 'p-q-swapped', ...lessonArgs)).toEqual({ tokens: [0], accepted: 0 });
    expect(await wrong(qualified, 'resample-from-p', ...lessonArgs)).toEqual({ tokens: [2, 1, 1], accepted: 2 });
    expect(await wrong(qualified, 'no-bonus-token', lessonP, lessonQ, [2, 2, 2], [0.9, 0.5, 0.2], 0.8)).toEqual({ tokens: [2, 2, 2], accepted: 3 });
    expect(await wrong(qualified, 'accept-on-equal', [[0.25, 0.5, 0.25], [0.5, 0.25, 0.25]], [[0.5, 0.25, 0.25]], [0], [0.5], 0.3)).toEqual({ tokens: [0, 0], accepted: 1 });
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    expect(await expectEachMisconceptionDiagnosed(id)).toEqual(['p-q-swapped', 'resample-from-p', 'no-bonus-token', 'accept-on-equal']);
  });

  test('grading: the model solution passes both distribution checks', async () => {
    const verdict = await grade(id, await inferenceFile(id, 'solution.ts'));
    expect(verdict.cases.filter((c) => c.status !== 'pass').map((c) => `${c.name}: ${c.message}`)).toEqual([]);
    expect(verdict.cases.filter((c) => c.name.startsWith('the first token follows the target p[0]: '))).toHaveLength(1);
    expect(verdict.cases.filter((c) => c.name.startsWith('after an accepted draft token the bonus token follows p[1]: '))).toHaveLength(1);
  });

  test('grading: p and q swapped is diagnosed, and its first tokens come out skewed towards q (token 3 too often)', async () => {
    const swapped = await solutionWith(
      qualified,
      ['p[accepted][x] / q[accepted][x]', 'q[accepted][x] / p[accepted][x]'],
      ['p[accepted].map((pj, j) => Math.max(0, pj - q[accepted][j]))', 'q[accepted].map((qj, j) => Math.max(0, qj - p[accepted][j]))'],
    );
    const verdict = await grade(id, swapped);
    expect(verdict.status).toBe('fail');
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'p-q-swapped', confidence: 'full' });
    const first = verdict.cases.find((c) => c.name.startsWith('the first token follows the target p[0]: '))!;
    expect(first.status).toBe('fail');
    expect(first.message).toContain('token 3 comes out too often');
  });

  test('grading: resampling from p passes no distribution check and is diagnosed; no bonus token fails the second check', async () => {
    const fromP = await solutionWith(qualified, ['p[accepted].map((pj, j) => Math.max(0, pj - q[accepted][j]))', 'p[accepted]']);
    const verdict = await grade(id, fromP);
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'resample-from-p', confidence: 'full' });
    expect(verdict.cases.find((c) => c.name.startsWith('the first token follows the target p[0]: '))!.status).toBe('fail');
    const noBonus = await solutionWith(qualified, ['return { tokens: [...draft.slice(0, accepted), sample(weights, uResample)], accepted };', 'return { tokens: accepted === gamma ? draft.slice() : [...draft.slice(0, accepted), sample(weights, uResample)], accepted };']);
    const second = (await grade(id, noBonus)).cases.find((c) => c.name.startsWith('after an accepted draft token the bonus token follows p[1]: '))!;
    expect(second.status).toBe('fail');
    expect(second.message).toContain('one token only comes out too often, 100.0% of the time instead of 25.0%');
  });

  test('the ```js block of In practice gives the reference\'s output on the lesson example and the all-accepted case', async () => {
    const { tf } = await loadTf();
    const run = (p: number[][], q: number[][], draft: number[], u: number[], uResample: number) => runLessonJs(id, tf, { p, q, draft, u, uResample });
    expect(await run(...lessonArgs)).toEqual(await step(...lessonArgs));
    expect(await run(lessonP, lessonQ, [2, 2, 2], [0.9, 0.5, 0.2], 0.8)).toEqual({ tokens: [2, 2, 2, 2], accepted: 3 });
  });
});
