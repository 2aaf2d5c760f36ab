import { describe, expect, test } from 'vitest';
import { klK3 } from '../../../exercises/alignment-multimodal/rl/kl-estimator/solution.js';
import { lessonLogp, lessonLogpRef } from '../../../exercises/alignment-multimodal/rl/kl-estimator/exercise.js';
import { loadTf } from '../../../src/reference/backend.js';
import { reference, solutionWith, wrong } from '../../helpers/exercises.js';
import { expectPropertyBroken, expectSolutionHolds } from '../../helpers/properties.js';
import { expectEachMisconceptionDiagnosed, grade, lessonBlock, rlFile, runLessonJs, seededCases, tableColumn } from './rl-helpers.js';

const id = 'rl/kl-estimator';
const qualified = `alignment-multimodal/${id}`;
const nonNegative = 'k3 ≥ 0 for every token, whichever model gives the token more probability';
const unbiased = 'over a whole vocabulary, Σ π·k3 = KL(π ‖ ref): the estimator is unbiased';
type Args = [number[], number[]];
const k3 = async (...args: Args) => (await reference(qualified, ...args)) as number[];

/** k3 from the probability ratio r = ref/π, as the blog writes it: (r − 1) − log r. */
const fromRatio = (logp: number[], logpRef: number[]) => logp.map((lp, i) => {
  const r = Math.exp(logpRef[i]) / Math.exp(lp);
  return r - 1 - Math.log(r);
});

const expectList = (got: number[], want: number[], digits: number, label?: string) => {
  expect(got.length, label).toBe(want.length);
  got.forEach((x, i) => expect(x, `${label ?? ''}[${i}]`).toBeCloseTo(want[i], digits));
};

/** A distribution over a small vocabulary from weights. */
const normalised = (w: number[]) => w.map((x) => x / w.reduce((a, b) => a + b, 0));

describe(id, () => {
  test('the lesson example by hand: e^x − x − 1 for x = −0.5, 1, 0, −1', async () => {
    const want = [Math.exp(-0.5) + 0.5 - 1, Math.E - 2, 0, Math.exp(-1)];
    expectList(want, [0.106531, 0.718282, 0, 0.367879], 6);
    expectList(await k3(lessonLogp, lessonLogpRef), want, 12);
    const lesson = await rlFile(id, 'lesson.md');
    expectList(tableColumn(lesson, 3), [-0.5, 1, 0, -1], 12, 'the x column');
    expectList(tableColumn(lesson, 4), want.map((k, i) => k + [-0.5, 1, 0, -1][i] + 1), 6, 'the e^x column');
    const bars = (await lessonBlock(id, 'bars')).split('\n').filter((l) => l.startsWith('token')).map((l) => Number(l.trim().split(/\s+/).at(-1)));
    expectList(bars, want, 6, 'the k3 bars');
  });

  test('PyTorch 1.13 (float64, TRL\'s line) on the lesson and the far-apart case', async () => {
    // x = ref - lp; (torch.exp(x) - x - 1).tolist()
    expectList(await k3(lessonLogp, lessonLogpRef), [0.10653065971263342, 0.7182818284590451, 0, 0.36787944117144233], 14);
    const far = await k3([-1, -5, -3, -3], [-11, 5, -13, 7]);
    expectList(far, [9.000045399929762, 22015.465794806718, 9.000045399929762, 22015.465794806718], 8);
  });

  test('unbiased, exactly: over a small discrete distribution Σ_x π(x)·k3(x) = KL(π ‖ ref) to 1e-12', async () => {
    const pairs: [number[], number[]][] = [
      [[0.8, 0.2], [0.5, 0.5]],
      [normalised([1, 2, 3, 4, 5]), normalised([5, 1, 1, 2, 0.5])],
      [normalised([0.01, 10, 3]), normalised([4, 4, 0.02])],
    ];
    for (const [pi, ref] of pairs) {
      const logp = pi.map(Math.log);
      const logpRef = ref.map(Math.log);
      const kl = pi.reduce((acc, p, i) => acc + p * Math.log(p / ref[i]), 0);
      const got = await k3(logp, logpRef);
      expect(Math.abs(pi.reduce((acc, p, i) => acc + p * got[i], 0) - kl)).toBeLessThanOrEqual(1e-12);
      expect(Math.abs(pi.reduce((acc, p, i) => acc + p * klK3(logp, logpRef)[i], 0) - kl)).toBeLessThanOrEqual(1e-12);
    }
    // The lesson's two-token numbers: k3 = [0.095004, 0.583709], E = KL = 0.192745; k2's mean 0.172320, the swapped form's 0.167255.
    const [logp, logpRef] = [[0.8, 0.2].map(Math.log), [0.5, 0.5].map(Math.log)];
    expectList(await k3(logp, logpRef), [0.095004, 0.583709], 6);
    expect(0.8 * Math.log(1.6) + 0.2 * Math.log(0.4)).toBeCloseTo(0.192745, 6);
    const mean = async (mid: string) => ((await wrong(qualified, mid, logp, logpRef)) as number[]).reduce((acc, k, i) => acc + [0.8, 0.2][i] * k, 0);
    expect(await mean('k2')).toBeCloseTo(0.17232, 6);
    expect(await mean('sign-swapped')).toBeCloseTo(0.167255, 6);
    expect(await mean('k1')).toBeCloseTo(0.192745, 6);
  });

  test('the reference and the model solution equal (r − 1) − log r on every seeded case, and are ≥ 0', async () => {
    for (const c of await seededCases(id)) {
      const args = c.args as Args;
      const want = fromRatio(...args);
      const got = await k3(...args);
      got.forEach((k, i) => expect(Math.abs(k - want[i]), `${c.name}[${i}]`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(want[i]))));
      expectList(klK3(...args), got, 12, c.name);
      expect(got.every((k) => k >= 0), c.name).toBe(true);
    }
  });

  test('the wrong variants on the lesson example give the Pitfalls\' numbers', async () => {
    const args: Args = [lessonLogp, lessonLogpRef];
    expectList((await wrong(qualified, 'k1', ...args)) as number[], [0.5, -1, 0, 1], 12);
    expectList((await wrong(qualified, 'k2', ...args)) as number[], [0.125, 0.5, 0, 0.5], 12);
    // PyTorch 1.13 float64: (torch.exp(-x) + x - 1) with x = ref - lp.
    expectList((await wrong(qualified, 'sign-swapped', ...args)) as number[], [0.1487212707001282, 0.36787944117144233, 0, 0.7182818284590458], 12);
    const pitfalls = (await rlFile(id, 'lesson.md')).split('## Pitfalls')[1].split('## Conventions')[0];
    for (const n of ['[0.5, −1, 0, 1]', '[0.125, 0.5, 0, 0.5]', '[0.148721, 0.367879, 0, 0.718282]']) expect(pitfalls).toContain(n);
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    expect(await expectEachMisconceptionDiagnosed(id)).toEqual(['k1', 'k2', 'sign-swapped']);
  });

  test('grading: a learner who returns logp − ref fails and is told it is k1', async () => {
    const verdict = await grade(id, 'export function klK3(logp: number[], logpRef: number[]) {\n  return logp.map((lp, t) => lp - logpRef[t]);\n}\n');
    expect(verdict.status).toBe('fail');
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'k1', confidence: 'full' });
  });

  test('check yourself: the model solution holds both properties; k1 breaks the first, the swapped ratio the second', async () => {
    await expectSolutionHolds(qualified, { [nonNegative]: 1, [unbiased]: 1 });
    const k1 = await solutionWith(qualified, ['return Math.exp(logRatio) - logRatio - 1;', 'return -logRatio;']);
    await expectPropertyBroken(qualified, k1, nonNegative, /^Your estimate for token \d+ is -[\d.]+, below 0/);
    const swapped = await solutionWith(qualified, ['const logRatio = logpRef[t] - lp;', 'const logRatio = lp - logpRef[t];']);
    await expectPropertyBroken(qualified, swapped, unbiased, /^With logp and logpRef two whole distributions over 5 tokens, Σ π\(x\)·\(your estimate\) is [\d.]+, but KL\(π ‖ ref\)/);
  });

  test('the ```js block of In practice gives the reference\'s output on the lesson example', async () => {
    const { tf } = await loadTf();
    expectList((await runLessonJs(id, tf, { logp: lessonLogp, logpRef: lessonLogpRef })) as number[], [0.106531, 0.718282, 0, 0.367879], 5);
  });
});
