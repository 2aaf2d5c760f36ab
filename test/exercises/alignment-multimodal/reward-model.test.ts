import { describe, expect, test } from 'vitest';
import { bradleyTerryLoss } from '../../../exercises/alignment-multimodal/preference/reward-model/solution.js';
import { lessonChosen, lessonRejected } from '../../../exercises/alignment-multimodal/preference/reward-model/exercise.js';
import { loadTf } from '../../../src/reference/backend.js';
import { reference, solutionWith, wrong, wrongAlternatives } from '../../helpers/exercises.js';
import { expectPropertyBroken, expectSolutionHolds } from '../../helpers/properties.js';
import {
  expectEachMisconceptionDiagnosed,
  expectWithinTolerance,
  grade,
  lessonBlock,
  lessonSection,
  namedCase,
  printed,
  runLessonJs,
  seededCases,
  tfBradleyTerry,
} from './preference-helpers.js';

const id = 'preference/reward-model';
const qualified = `alignment-multimodal/${id}`;
const shift = 'adding the same number to every reward changes nothing';
const swap = 'swapping chosen and rejected raises the loss by the mean margin';
type Args = [number[], number[]];
const loss = async (...args: Args) => (await reference(qualified, ...args)) as number;
const sigmoid = (m: number) => 1 / (1 + Math.exp(-m));

describe(id, () => {
  test('the lesson example by hand: margins 2, −1, 0.5; σ 0.880797, 0.268941, 0.622459; loss 1.914267 / 3 = 0.638089', async () => {
    const margins = lessonChosen.map((c, i) => c - lessonRejected[i]);
    margins.forEach((m, i) => expect(m).toBeCloseTo([2, -1, 0.5][i], 12));
    const p = margins.map(sigmoid);
    [0.880797, 0.268941, 0.622459].forEach((want, i) => expect(p[i]).toBeCloseTo(want, 6));
    const losses = p.map((x) => -Math.log(x));
    [0.126928, 1.313262, 0.474077].forEach((want, i) => expect(losses[i]).toBeCloseTo(want, 6));
    const total = losses.reduce((a, b) => a + b, 0);
    expect(total).toBeCloseTo(1.914267, 6);
    expect(await loss(lessonChosen, lessonRejected)).toBeCloseTo(total / 3, 12);
    expect(total / 3).toBeCloseTo(0.638089, 6);
  });

  test('the lesson\'s bars are σ(r_c − r_r) of each pair', async () => {
    const values = (await lessonBlock(id, 'bars')).split('\n').filter((l) => l.startsWith('pair')).map((l) => Number(l.trim().split(/\s+/).at(-1)));
    expect(values).toHaveLength(3);
    values.forEach((v, i) => expect(v).toBeCloseTo(sigmoid(lessonChosen[i] - lessonRejected[i]), 6));
  });

  test('PyTorch 1.13 (-F.logsigmoid(chosen - rejected).mean(), float64): the lesson, six fixed pairs, and margins of ∓1000', async () => {
    expect(await loss(lessonChosen, lessonRejected)).toBeCloseTo(0.6380888942471007, 12);
    // torch.tensor([0.31, -1.7, 2.2, 0.05, -0.9, 1.4]) and torch.tensor([1.2, -0.4, 0.9, 0.05, -2.5, 3.3]).
    expect(await loss([0.31, -1.7, 2.2, 0.05, -0.9, 1.4], [1.2, -0.4, 0.9, 0.05, -2.5, 3.3])).toBeCloseTo(0.9887510427580732, 12);
    // -F.logsigmoid(torch.tensor([-1000., 1000.])) is [1000.0, -0.0].
    const minus = await namedCase(id, 'margin of −1000');
    expect(await loss(...(minus.args as Args))).toBe(1000);
    const plus = await namedCase(id, 'margin of +1000');
    expect(await loss(...(plus.args as Args))).toBe(0);
  });

  test('tfjs autodiff: the loss by tf.logSigmoid, and its gradient −(1 − σ(m))/n, as the lesson and PyTorch give them', async () => {
    const { loss: tfLoss, dChosen } = await tfBradleyTerry(lessonChosen, lessonRejected);
    expectWithinTolerance(tfLoss, 0.6380888942471007, 'the lesson');
    // torch: loss.backward() gives chosen.grad = [-0.03973430734070585, -0.2436861928766683, -0.1258468895993818].
    const torchGrad = [-0.03973430734070585, -0.2436861928766683, -0.1258468895993818];
    dChosen.forEach((g, i) => {
      expect(g).toBeCloseTo(torchGrad[i], 6);
      expect(g).toBeCloseTo(-(1 - sigmoid(lessonChosen[i] - lessonRejected[i])) / 3, 6);
    });
    const formula = await lessonSection(id, 'A worked example');
    for (const g of torchGrad) expect(formula).toContain(printed(g));
  });

  test('the reference and the model solution agree with tf.logSigmoid on every seeded case', async () => {
    for (const c of await seededCases(id)) {
      const args = c.args as Args;
      const want = await loss(...args);
      expect(bradleyTerryLoss(...args), c.name).toBeCloseTo(want, 10);
      expectWithinTolerance((await tfBradleyTerry(...args)).loss, want, c.name);
    }
  });

  test('the wrong variants on the lesson example are the numbers its Pitfalls quote; the naive log σ is Infinity at −1000 only', async () => {
    const pitfalls = await lessonSection(id, 'Pitfalls');
    const swapped = (await wrong(qualified, 'chosen-rejected-swapped', lessonChosen, lessonRejected)) as number;
    expect(swapped).toBeCloseTo(1.1380888942471008, 12); // PyTorch: -F.logsigmoid(rejected - chosen).mean()
    expect(pitfalls).toContain(printed(swapped));
    const summed = (await wrong(qualified, 'sum-not-mean', lessonChosen, lessonRejected)) as number;
    expect(summed).toBeCloseTo(1.914266682741302, 12); // PyTorch: -F.logsigmoid(chosen - rejected).sum()
    expect(pitfalls).toContain(printed(summed));
    expect(await wrong(qualified, 'naive-log-sigmoid', lessonChosen, lessonRejected)).toBeCloseTo(0.6380888942471007, 12);
    expect(await wrongAlternatives(qualified, 'naive-log-sigmoid', [-500], [500])).toEqual([Infinity, Infinity]);
    expect(await wrong(qualified, 'naive-log-sigmoid', [500], [-500])).toBe(-0);
    expect(pitfalls).toMatch(/Infinity instead of 1000/);
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    expect(await expectEachMisconceptionDiagnosed(id)).toEqual(['naive-log-sigmoid', 'chosen-rejected-swapped', 'sum-not-mean']);
  });

  test('check yourself: the model solution holds both properties; two independent classifiers break the shift, a sum breaks the swap', async () => {
    await expectSolutionHolds(qualified, { [shift]: 1, [swap]: 1 });
    // −log σ(r_c) − log(1 − σ(r_r)): chosen as label 1 and rejected as label 0, each on its own.
    const separate = await solutionWith(qualified, ['total += softplus(rejected[i] - chosen[i]);', 'total += softplus(-chosen[i]) + softplus(rejected[i]);']);
    await expectPropertyBroken(qualified, separate, shift, /^Your loss is [\d.e+-]+ for the rewards and [\d.e+-]+ with 100 added to every reward/);
    const summed = await solutionWith(qualified, ['return total / chosen.length;', 'return total;']);
    await expectPropertyBroken(qualified, summed, swap, /^Since softplus\(m\) − softplus\(−m\) = m/);
  });

  test('grading: a learner who swaps chosen and rejected fails, diagnosed as such', async () => {
    const verdict = await grade(id, await solutionWith(qualified, ['total += softplus(rejected[i] - chosen[i]);', 'total += softplus(chosen[i] - rejected[i]);']));
    expect(verdict.status).toBe('fail');
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'chosen-rejected-swapped', confidence: 'full' });
  });

  test('grading: a learner with the naive log σ fails on the margin of −1000 only, diagnosed as naive-log-sigmoid', async () => {
    const source = await solutionWith(qualified, ['total += softplus(rejected[i] - chosen[i]);', 'total += -Math.log(1 / (1 + Math.exp(rejected[i] - chosen[i])));']);
    const verdict = await grade(id, source);
    expect(verdict.status).toBe('fail');
    expect(verdict.cases.filter((c) => c.status !== 'pass').map((c) => c.name)).toEqual(['a margin of −1000 (the rejected response scored far higher): loss 1000, not Infinity']);
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'naive-log-sigmoid', confidence: 'full' });
  });

  test('the ```js block of In practice gives the reference\'s output on the lesson example and at the margins ∓1000', async () => {
    const { tf } = await loadTf();
    for (const [chosen, rejected] of [[lessonChosen, lessonRejected], [[-500], [500]], [[500], [-500]]]) {
      const got = (await runLessonJs(id, tf, { chosen, rejected })) as number;
      expectWithinTolerance(got, await loss(chosen, rejected), JSON.stringify([chosen, rejected]));
    }
  });
});
