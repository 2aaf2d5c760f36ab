import { describe, expect, test } from 'vitest';
import { expectedTokensPerStep } from '../../../exercises/inference/speculative/expected-tokens/solution.js';
import { loadTf } from '../../../src/reference/backend.js';
import { reference, solutionWith, wrong } from '../../helpers/exercises.js';
import { expectPropertyBroken, expectSolutionHolds } from '../../helpers/properties.js';
import { allBars, barRows, expectEachMisconceptionDiagnosed, inferenceFile, runLessonJs, seededCases } from './speculative-helpers.js';

const id = 'speculative/expected-tokens';
const qualified = `inference/${id}`;
const addsPower = 'one more draft token adds α^(γ+1)';
const expected = async (alpha: number, gamma: number) => (await reference(qualified, alpha, gamma)) as number;

/**
 * The expectation written from the distribution of the step's length, not the
 * series: k accepted with probability α^k(1 − α) (k < γ) or α^γ (k = γ), each
 * worth k + 1 tokens.
 */
function byLength(alpha: number, gamma: number): number {
  let e = 0;
  for (let k = 0; k <= gamma; k++) e += (k + 1) * (k < gamma ? alpha ** k * (1 - alpha) : alpha ** gamma);
  return e;
}

describe(id, () => {
  test('the lesson example by hand: α = 0.8, γ = 4 gives 1 + 0.8 + 0.64 + 0.512 + 0.4096 = 3.3616', async () => {
    expect(await expected(0.8, 4)).toBeCloseTo(3.3616, 12);
    expect(1 * 0.2 + 2 * 0.16 + 3 * 0.128 + 4 * 0.1024 + 5 * 0.4096).toBeCloseTo(3.3616, 12);
    expect(0.67232 / 0.2).toBeCloseTo(3.3616, 12);
  });

  test('Leviathan et al.\'s Eq. (1) at their T5 acceptance rate α = 0.75, γ = 7: (1 − 0.75⁸)/0.25 = 3.5995', async () => {
    expect(await expected(0.75, 7)).toBeCloseTo((1 - 0.75 ** 8) / 0.25, 12);
    expect(await expected(0.75, 7)).toBeCloseTo(3.59955, 5);
  });

  test('the edges: α = 0 gives one token, α = 1 gives γ + 1', async () => {
    expect(await expected(0, 5)).toBe(1);
    expect(await expected(1, 6)).toBe(7);
    expect(expectedTokensPerStep(1, 6)).toBe(7);
  });

  test('the reference and the model solution equal the expectation over the step\'s length on every seeded case', async () => {
    for (const c of await seededCases(id)) {
      const [alpha, gamma] = c.args as [number, number];
      const want = byLength(alpha, gamma);
      expect(Math.abs((await expected(alpha, gamma)) - want), c.name).toBeLessThanOrEqual(1e-12 * want);
      expect(Math.abs(expectedTokensPerStep(alpha, gamma) - want), c.name).toBeLessThanOrEqual(1e-9 * want);
    }
  });

  test('the lesson\'s table and bars are Eq. (1) to the digits shown', async () => {
    const lesson = await inferenceFile(id, 'lesson.md');
    for (let gamma = 1; gamma <= 8; gamma++) {
      const row = new RegExp(`^\\| ${gamma} \\| ([\\d.]+) \\| ([\\d.]+) \\| ([\\d.]+) \\|$`, 'm').exec(lesson);
      expect(row, `γ = ${gamma}`).not.toBeNull();
      [0.6, 0.8, 0.9].forEach((alpha, i) => expect(Number(row![i + 1]), `α = ${alpha}, γ = ${gamma}`).toBeCloseTo((1 - alpha ** (gamma + 1)) / (1 - alpha), 3));
    }
    const bars = barRows((await allBars(id))[0]);
    expect(bars.map(([label]) => label)).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((g) => `γ = ${g}`));
    bars.forEach(([, value], i) => expect(value).toBeCloseTo(byLength(0.8, i + 1), 8));
  });

  test('the wrong variants on the lesson example: γ·α = 3.2, without the target\'s token 2.3616, uncapped 5', async () => {
    expect(await wrong(qualified, 'gamma-times-alpha', 0.8, 4)).toBeCloseTo(3.2, 12);
    expect(await wrong(qualified, 'bonus-token-forgotten', 0.8, 4)).toBeCloseTo(2.3616, 12);
    expect(await wrong(qualified, 'series-not-capped', 0.8, 4)).toBeCloseTo(5, 12);
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    expect(await expectEachMisconceptionDiagnosed(id)).toEqual(['gamma-times-alpha', 'bonus-token-forgotten', 'series-not-capped']);
  });

  test('check yourself: the model solution adds α^(γ+1) per draft token; γ·α and 1/(1 − α) do not', async () => {
    await expectSolutionHolds(qualified, { [addsPower]: 2 });
    const linear = await solutionWith(qualified, ['return (1 - alpha ** (gamma + 1)) / (1 - alpha);', 'return gamma * alpha;']);
    await expectPropertyBroken(qualified, linear, addsPower, /^Going from γ = \d to γ = \d draft tokens at α = 0\.\d+, your expected tokens grow by 0\.\d+\. Draft token \d adds/);
    const uncapped = await solutionWith(qualified, ['return (1 - alpha ** (gamma + 1)) / (1 - alpha);', 'return 1 / (1 - alpha);']);
    await expectPropertyBroken(qualified, uncapped, addsPower, /your expected tokens grow by 0\./);
  });

  test('the ```js block of In practice gives the reference\'s output on the lesson example and at α = 1', async () => {
    const { tf } = await loadTf();
    for (const [alpha, gamma] of [[0.8, 4], [1, 6], [0.75, 7]]) {
      const got = (await runLessonJs(id, tf, { alpha, gamma })) as number;
      expect(got).toBeCloseTo(await expected(alpha, gamma), 4);
    }
  });
});
