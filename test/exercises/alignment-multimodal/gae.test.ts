import { describe, expect, test } from 'vitest';
import { gae } from '../../../exercises/alignment-multimodal/rl/gae/solution.js';
import { lessonRewards, lessonValues } from '../../../exercises/alignment-multimodal/rl/gae/exercise.js';
import { loadTf } from '../../../src/reference/backend.js';
import { reference, solutionWith, wrong } from '../../helpers/exercises.js';
import { expectPropertyBroken, expectSolutionHolds } from '../../helpers/properties.js';
import { expectEachMisconceptionDiagnosed, grade, lessonBlock, namedCase, rlFile, runLessonJs, seededCases, tableColumn } from './rl-helpers.js';

const id = 'rl/gae';
const qualified = `alignment-multimodal/${id}`;
const returnsAreAPlusV = 'returns − advantages = the values of the steps (values without the bootstrap)';
const lambdaOne = 'with λ = 1, A_t + V_t is the discounted return r_t + γr_{t+1} + … + γ^(T−t)·V_T';
type Args = [number[], number[], number, number];
type Out = { advantages: number[]; returns: number[] };
const run = async (...args: Args) => (await reference(qualified, ...args)) as Out;

/** The closed form, no recursion: A_t = Σ_{l ≥ 0} (γλ)^l·δ_{t+l}, each δ computed where it is used. */
function closedForm(rewards: number[], values: number[], gamma: number, lambda: number): number[] {
  return rewards.map((_, t) => {
    let sum = 0;
    for (let l = 0; t + l < rewards.length; l++) {
      const s = t + l;
      sum += (gamma * lambda) ** l * (rewards[s] + gamma * values[s + 1] - values[s]);
    }
    return sum;
  });
}

/** Σ_{l} γ^l·r_{t+l} + γ^(T−t)·V_T − V_t, summed forward from t. */
function discountedMinusV(rewards: number[], values: number[], gamma: number): number[] {
  const T = rewards.length;
  return rewards.map((_, t) => {
    let g = 0;
    for (let s = t; s < T; s++) g += gamma ** (s - t) * rewards[s];
    return g + gamma ** (T - t) * values[T] - values[t];
  });
}

const expectList = (got: number[], want: number[], digits: number, label?: string) => {
  expect(got.length, label).toBe(want.length);
  got.forEach((x, i) => expect(x, `${label ?? ''}[${i}]`).toBeCloseTo(want[i], digits));
};

describe(id, () => {
  test('the lesson example by hand: δ = [1.4, 0.35, 2.3], A = [2.84432, 2.006, 2.3], returns = [3.34432, 3.006, 3.8]', async () => {
    const deltas = [1 + 0.9 * 1 - 0.5, 0 + 0.9 * 1.5 - 1, 2 + 0.9 * 2 - 1.5];
    expectList(deltas, [1.4, 0.35, 2.3], 12);
    const a2 = deltas[2];
    const a1 = deltas[1] + 0.72 * a2;
    const a0 = deltas[0] + 0.72 * a1;
    expectList([a0, a1, a2], [2.84432, 2.006, 2.3], 12);
    const { advantages, returns } = await run(lessonRewards, lessonValues, 0.9, 0.8);
    expectList(advantages, [a0, a1, a2], 12);
    expectList(returns, [3.34432, 3.006, 3.8], 12);
    // The lesson's table: δ, A and returns columns.
    const lesson = await rlFile(id, 'lesson.md');
    expectList(tableColumn(lesson, 4), deltas, 12, 'δ column');
    expectList(tableColumn(lesson, 5), advantages, 12, 'A column');
    expectList(tableColumn(lesson, 6), returns, 12, 'returns column');
  });

  test('PyTorch 1.13 (float64), CleanRL\'s loop on the lesson rollout at λ = 0.8, 0 and 1', async () => {
    // for t in reversed(range(3)): delta = r[t] + 0.9*v[t+1] - v[t]; last = delta + 0.9*lam*last; adv[t] = last
    // with r = tensor([1., 0., 2.]), v = tensor([0.5, 1., 1.5, 2.]), dtype float64; returns = adv + v[:-1]
    const torch: Record<number, [number[], number[]]> = {
      0.8: [[2.84432, 2.0060000000000002, 2.3], [3.34432, 3.0060000000000002, 3.8]],
      0: [[1.4, 0.3500000000000001, 2.3], [1.9, 1.35, 3.8]],
      1: [[3.578, 2.42, 2.3], [4.077999999999999, 3.42, 3.8]],
    };
    for (const [lambda, [adv, ret]] of Object.entries(torch)) {
      const got = await run(lessonRewards, lessonValues, 0.9, Number(lambda));
      expectList(got.advantages, adv, 12, `λ = ${lambda}`);
      expectList(got.returns, ret, 12, `λ = ${lambda}`);
    }
  });

  test('the reference and the model solution equal the closed form Σ (γλ)^l·δ_{t+l} on every seeded case; λ = 1 is the bootstrapped discounted return minus V; λ = 0 is δ', async () => {
    for (const c of await seededCases(id)) {
      const args = c.args as Args;
      const [rewards, values, gamma, lambda] = args;
      const want = closedForm(...args);
      const got = await run(...args);
      expectList(got.advantages, want, 10, c.name);
      expectList(got.returns, want.map((a, t) => a + values[t]), 10, c.name);
      const mine = gae(...args);
      expectList(mine.advantages, want, 10, c.name);
      expectList(mine.returns, got.returns, 10, c.name);
      if (lambda === 1) expectList(got.advantages, discountedMinusV(rewards, values, gamma), 10, c.name);
      if (lambda === 0) expectList(got.advantages, rewards.map((r, t) => r + gamma * values[t + 1] - values[t]), 12, c.name);
    }
  });

  test('the named cases are what they say: the ended episode bootstraps from 0, the single step is r + γV_1 − V_0', async () => {
    const ended = await namedCase(id, 'the episode ended');
    expect((ended.args as Args)[1].at(-1)).toBe(0);
    const one = (await namedCase(id, 'one step')).args as Args;
    expect((await run(...one)).advantages).toEqual([0.5 + 0.9 * 3 - 1]);
  });

  test('the lesson\'s bars are A_0 of the example at λ = 0, 0.5, 0.8 and 1', async () => {
    const rows = (await lessonBlock(id, 'bars')).split('\n').filter((l) => l.startsWith('λ = '));
    expect(rows).toHaveLength(4);
    for (const row of rows) {
      const [, lambda, value] = /^λ = ([\d.]+)\s+([\d.]+)$/.exec(row)!;
      expect(closedForm(lessonRewards, lessonValues, 0.9, Number(lambda))[0], row).toBeCloseTo(Number(value), 10);
    }
  });

  test('the wrong variants on the lesson example give the Pitfalls\' numbers', async () => {
    const args: Args = [lessonRewards, lessonValues, 0.9, 0.8];
    const lesson = await rlFile(id, 'lesson.md');
    const pitfalls = lesson.slice(lesson.indexOf('## Pitfalls'), lesson.indexOf('## Conventions'));
    const cases: [string, number[], string][] = [
      ['forward-recursion', [1.4, 1.358, 3.27776], 'advantages'],
      ['bootstrap-forgotten', [1.9112, 0.71, 0.5], 'advantages'],
      ['gamma-missing-in-recursion', [3.152, 2.19, 2.3], 'advantages'],
      ['monte-carlo-returns', [2.62, 1.8, 2], 'returns'],
    ];
    for (const [mid, numbers, key] of cases) {
      const out = (await wrong(qualified, mid, ...args)) as Out;
      expectList(out[key as keyof Out], numbers, 10, mid);
      expect(pitfalls, mid).toContain(`[${numbers.join(', ')}]`);
    }
    // Two of them from scratch: forward from step 0, and the bootstrap set to 0 in the closed form.
    const forward = [1.4];
    for (const d of [0.35, 2.3]) forward.push(d + 0.72 * forward.at(-1)!);
    expectList(forward, [1.4, 1.358, 3.27776], 12);
    expectList(closedForm(lessonRewards, [0.5, 1, 1.5, 0], 0.9, 0.8), [1.9112, 0.71, 0.5], 12);
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    expect(await expectEachMisconceptionDiagnosed(id)).toEqual(['forward-recursion', 'bootstrap-forgotten', 'gamma-missing-in-recursion', 'monte-carlo-returns']);
  });

  test('grading: a learner who drops the bootstrap fails and is told so', async () => {
    const source = await solutionWith(qualified, ['gamma * values[t + 1]', '(t + 1 < T ? gamma * values[t + 1] : 0)']);
    const verdict = await grade(id, source);
    expect(verdict.status).toBe('fail');
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'bootstrap-forgotten', confidence: 'full' });
  });

  test('check yourself: the model solution holds both properties; returns recomputed from rewards break the first, a forward loop the second', async () => {
    await expectSolutionHolds(qualified, { [returnsAreAPlusV]: 1, [lambdaOne]: 1 });
    const mc = await solutionWith(qualified, ['const returns = advantages.map((a, t) => a + values[t]);', 'const returns = rewards.map((_, t) => rewards.slice(t).reduce((g, r, l) => g + gamma ** l * r, 0));']);
    await expectPropertyBroken(qualified, mc, returnsAreAPlusV, /^At step \d your returns − advantages is -?[\d.]+, but V_\d is -?[\d.]+\. The returns are the value targets/);
    const forward = await solutionWith(qualified, ['for (let t = T - 1; t >= 0; t--)', 'for (let t = 0; t < T; t++)']);
    await expectPropertyBroken(qualified, forward, lambdaOne, /^With λ = 1 your advantages are \[.*\]; the discounted returns with the bootstrap, minus V, are \[/);
  });

  test('the ```js block of In practice gives the reference\'s output on the lesson example', async () => {
    const { tf } = await loadTf();
    const got = (await runLessonJs(id, tf, { rewards: lessonRewards, values: lessonValues, gamma: 0.9, lambda: 0.8 })) as Out;
    expectList(got.advantages, [2.84432, 2.006, 2.3], 10);
    expectList(got.returns, [3.34432, 3.006, 3.8], 5);
  });
});
