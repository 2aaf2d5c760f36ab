import { describe, expect, test } from 'vitest';
import { grpoAdvantages } from '../../../exercises/alignment-multimodal/rl/grpo-advantages/solution.js';
import { lessonRewards } from '../../../exercises/alignment-multimodal/rl/grpo-advantages/exercise.js';
import { loadTf } from '../../../src/reference/backend.js';
import { reference, solutionWith, wrong, wrongAlternatives } from '../../helpers/exercises.js';
import { expectPropertyBroken, expectSolutionHolds } from '../../helpers/properties.js';
import { expectEachMisconceptionDiagnosed, grade, lessonBlock, namedCase, rlFile, runLessonJs, seededCases, tableColumn } from './rl-helpers.js';

const id = 'rl/grpo-advantages';
const qualified = `alignment-multimodal/${id}`;
const sumZero = 'each group\'s advantages sum to 0';
const shiftGroup = 'adding the same number to every reward of one group leaves the advantages unchanged';
type Args = [number[], number];
const advantages = async (...args: Args) => (await reference(qualified, ...args)) as number[];

/** Per group, written differently: the variance as (Σr² − G·mean²)/(G − 1), each group a separate call. */
function perGroup(rewards: number[], g: number): number[] {
  const out: number[] = [];
  for (let k = 0; k * g < rewards.length; k++) {
    const group = rewards.slice(k * g, k * g + g);
    let sum = 0;
    let sumSq = 0;
    for (const r of group) {
      sum += r;
      sumSq += r * r;
    }
    const mean = sum / g;
    const std = g === 1 ? 0 : Math.sqrt(Math.max(0, (sumSq - g * mean * mean) / (g - 1)));
    out.push(...group.map((r) => (r - mean) / (std + 1e-4)));
  }
  return out;
}

const expectList = (got: number[], want: number[], digits: number, label?: string) => {
  expect(got.length, label).toBe(want.length);
  got.forEach((x, i) => expect(x, `${label ?? ''}[${i}]`).toBeCloseTo(want[i], digits));
};

describe(id, () => {
  test('the lesson example by hand: mean 0.25, std 0.5, A = 0.75/0.5001 and −0.25/0.5001; the all-correct prompt 0', async () => {
    expect(Math.sqrt((0.75 ** 2 + 3 * 0.25 ** 2) / 3)).toBeCloseTo(0.5, 12);
    const want = [0.75 / 0.5001, -0.25 / 0.5001, -0.25 / 0.5001, -0.25 / 0.5001, 0, 0, 0, 0];
    expectList(want.slice(0, 2), [1.4997, -0.4999], 4);
    expectList(await advantages(lessonRewards, 4), want, 12);
    const lesson = await rlFile(id, 'lesson.md');
    expectList(tableColumn(lesson, 5), want, 6, 'the table\'s A column');
    const heat = (await lessonBlock(id, 'heatmap')).split('\n').filter((l) => /^p\d/.test(l)).map((l) => l.split(/\s+/).slice(1).map((x) => Number(x.replace('−', '-'))));
    expectList(heat.flat(), want, 4, 'the heatmap');
  });

  test('PyTorch 1.13 (float64, TRL\'s view/mean/std lines) on the lesson and the named cases', async () => {
    // g = r.view(-1, G); ((r - g.mean(1).repeat_interleave(G)) / (g.std(1).repeat_interleave(G) + 1e-4)).tolist()
    expectList(await advantages(lessonRewards, 4), [1.4997000599880024, -0.4999000199960008, -0.4999000199960008, -0.4999000199960008, 0, 0, 0, 0], 12);
    expectList(await advantages([0.5, 0.5, 0.5, 0.2, 0.9, 0.4], 3), [0, 0, 0, -0.8318195890931968, 1.1090927854575958, -0.27727319636439884], 12);
    expectList(await advantages([0.51, 0.505, 0.512, 0.503], 4), [0.5809665949083546, -0.5809665949083804, 1.0457398708350487, -1.0457398708350745], 10);
    // ... and with G = 1 torch gives [nan, nan, nan]: the exercise's convention is 0.
    expect(await advantages([0.3, 1, -2], 1)).toEqual([0, 0, 0]);
  });

  test('the reference and the model solution agree with a per-group computation written differently on every seeded case', async () => {
    for (const c of await seededCases(id)) {
      const args = c.args as Args;
      const want = perGroup(...args);
      expectList(await advantages(...args), want, 8, c.name);
      expectList(grpoAdvantages(...args), want, 8, c.name);
    }
  });

  test('the named edge cases are what they say: one group of the whole batch, a group of equal rewards, rewards with std ≈ 0.004', async () => {
    const [whole, g] = (await namedCase(id, 'the whole batch is one group')).args as Args;
    expect(whole.length).toBe(g);
    const [equal] = (await namedCase(id, 'all equal')).args as Args;
    expect(equal.slice(0, 3)).toEqual([0.5, 0.5, 0.5]);
    const [close] = (await namedCase(id, 'close together')).args as Args;
    const m = close.reduce((a, b) => a + b) / 4;
    expect(Math.sqrt(close.reduce((acc, r) => acc + (r - m) ** 2, 0) / 3)).toBeCloseTo(0.0042, 4);
  });

  test('the wrong variants on the lesson example give the Pitfalls\' numbers', async () => {
    const args: Args = [lessonRewards, 4];
    const pitfalls = (await rlFile(id, 'lesson.md')).split('## Pitfalls')[1].split('## Conventions')[0];
    // PyTorch 1.13 float64: g.std(1, unbiased=False) → 1.7316508999235918, −0.5772169666411973.
    const pop = (await wrong(qualified, 'population-std', ...args)) as number[];
    expectList(pop, [1.7316508999235918, -0.5772169666411973, -0.5772169666411973, -0.5772169666411973, 0, 0, 0, 0], 10);
    // r.view(-1, 8), i.e. one group: 0.7244288643548162 for a 1, −1.2073814405913603 for a 0.
    const whole = (await wrong(qualified, 'whole-batch', ...args)) as number[];
    expectList(whole, [0.7244288643548162, -1.2073814405913603, -1.2073814405913603, -1.2073814405913603, 0.7244288643548162, 0.7244288643548162, 0.7244288643548162, 0.7244288643548162], 10);
    // g = r.view(4, -1).T; normalised per row; .T.reshape(-1).
    const inter = (await wrong(qualified, 'groups-interleaved', ...args)) as number[];
    expectList(inter, [0.4999000199960008, -0.8658754297607016, -1.4997000599880024, -0.8658754297607016, 0.4999000199960008, 0.8658754297607016, 0.4999000199960008, 0.8658754297607016], 10);
    for (const n of ['1.731651', '−0.577217', '0.724429', '−1.207381', '−0.865875', '[1.5, −0.5, −0.5, −0.5]', '0.230469', '0.580967']) expect(pitfalls).toContain(n);
    const [noEps, inRoot] = (await wrongAlternatives(qualified, 'eps-misplaced', ...args)) as number[][];
    expectList(noEps.slice(0, 4), [1.5, -0.5, -0.5, -0.5], 12);
    expect(noEps.slice(4).every(Number.isNaN)).toBe(true);
    expectList(inRoot, await advantages(...args), 6);
    // On rewards close together, (g - m) / (v + 1e-4).sqrt() in PyTorch: 0.23046940644862082 first.
    const [, inRootClose] = (await wrongAlternatives(qualified, 'eps-misplaced', [0.51, 0.505, 0.512, 0.503], 4)) as number[][];
    expect(inRootClose[0]).toBeCloseTo(0.23046940644862082, 10);
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    expect(await expectEachMisconceptionDiagnosed(id)).toEqual(['population-std', 'whole-batch', 'groups-interleaved', 'eps-misplaced']);
  });

  test('grading: a learner who divides by std alone gets NaN on equal rewards and is told about the 1e-4', async () => {
    const source = await solutionWith(qualified, ['(r - mean) / (std + 1e-4)', '(r - mean) / std']);
    const verdict = await grade(id, source);
    expect(verdict.status).toBe('fail');
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'eps-misplaced', confidence: 'full' });
  });

  test('check yourself: the model solution holds both properties; one batch-wide group breaks both', async () => {
    await expectSolutionHolds(qualified, { [sumZero]: 1, [shiftGroup]: 1 });
    const batch = await solutionWith(qualified, ['const group = rewards.slice(start, start + groupSize);', 'const group = rewards;'], ['for (const r of group) advantages.push', 'for (const r of rewards.slice(start, start + groupSize)) advantages.push']);
    await expectPropertyBroken(qualified, batch, sumZero, /^Your advantages of group \d \(rewards \d+ to \d+\) sum to -?[\d.]+, not 0\./);
    await expectPropertyBroken(qualified, batch, shiftGroup, /^Adding 5 to the rewards of the second group \(3 to 5\) changed your advantages/);
  });

  test('the ```js block of In practice gives the reference\'s output on the lesson example and on groups of one', async () => {
    const { tf } = await loadTf();
    expectList((await runLessonJs(id, tf, { rewards: lessonRewards, groupSize: 4 })) as number[], await advantages(lessonRewards, 4), 5);
    expectList((await runLessonJs(id, tf, { rewards: [0.3, 1, -2], groupSize: 1 })) as number[], [0, 0, 0], 6);
  });
});
