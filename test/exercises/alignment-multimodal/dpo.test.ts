import { describe, expect, test } from 'vitest';
import { dpoLoss } from '../../../exercises/alignment-multimodal/preference/dpo/solution.js';
import { lessonBeta, lessonPi, lessonRef, type DpoOutput } from '../../../exercises/alignment-multimodal/preference/dpo/exercise.js';
import { loadTf } from '../../../src/reference/backend.js';
import { reference, solutionWith, wrong, wrongAlternatives } from '../../helpers/exercises.js';
import { expectPropertyBroken, expectSolutionHolds } from '../../helpers/properties.js';
import {
  expectEachMisconceptionDiagnosed,
  expectWithinTolerance,
  grade,
  lessonSection,
  namedCase,
  printed,
  runLessonJs,
  seededCases,
  tfDpo,
} from './preference-helpers.js';

const id = 'preference/dpo';
const qualified = `alignment-multimodal/${id}`;
const atReference = 'a policy equal to its reference gives loss log 2 and zero rewards';
const perResponse = 'adding the same number to a response\'s log-probability under π and under ref changes nothing';
interface Pair {
  chosen: number[];
  rejected: number[];
}
type Args = [Pair, Pair, number];
const dpo = async (...args: Args) => (await reference(qualified, ...args)) as DpoOutput;
const lesson: Args = [lessonPi, lessonRef, lessonBeta];
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Every number of two outputs within `digits` decimals. */
function expectOutput(got: DpoOutput, want: DpoOutput, digits: number, where: string) {
  expect(got.loss, `${where}: loss`).toBeCloseTo(want.loss, digits);
  expect(got.chosenRewards.length, where).toBe(want.chosenRewards.length);
  got.chosenRewards.forEach((x, i) => expect(x, `${where}: chosenRewards[${i}]`).toBeCloseTo(want.chosenRewards[i], digits));
  got.rejectedRewards.forEach((x, i) => expect(x, `${where}: rejectedRewards[${i}]`).toBeCloseTo(want.rejectedRewards[i], digits));
}

describe(id, () => {
  test('the lesson example by hand: logits 2 and −1, σ 0.549834 and 0.475021, loss (0.598139 + 0.744397)/2 = 0.671268, rewards [0.1, −0.05] and [−0.1, 0.05]', async () => {
    const logits = [0, 1].map((i) => lessonPi.chosen[i] - lessonPi.rejected[i] - (lessonRef.chosen[i] - lessonRef.rejected[i]));
    expect(logits).toEqual([2, -1]);
    const p = logits.map((x) => sigmoid(0.1 * x));
    expect(p[0]).toBeCloseTo(0.549834, 6);
    expect(p[1]).toBeCloseTo(0.475021, 6);
    const losses = p.map((x) => -Math.log(x));
    expect(losses[0]).toBeCloseTo(0.598139, 6);
    expect(losses[1]).toBeCloseTo(0.744397, 6);
    const want = { loss: (losses[0] + losses[1]) / 2, chosenRewards: [0.1 * (-12 + 13), 0.1 * (-20 + 19.5)], rejectedRewards: [0.1 * (-15 + 14), 0.1 * (-18 + 18.5)] };
    expect(want.loss).toBeCloseTo(0.671268, 6);
    const got = await dpo(...lesson);
    expectOutput(got, want, 12, 'the lesson');
    // The reward margins are β·logits.
    got.chosenRewards.forEach((c, i) => expect(c - got.rejectedRewards[i]).toBeCloseTo(0.1 * logits[i], 12));
  });

  test('PyTorch 1.13 (preference_loss as in trainers.py, float64): the lesson, three fixed pairs at β = 0.25, and β·logits of ∓1000', async () => {
    // logits = (pc - pr) - (rc - rr); losses = -F.logsigmoid(beta * logits); loss = losses.mean();
    // chosen_rewards = beta * (pc - rc); rejected_rewards = beta * (pr - rr).
    expectOutput(await dpo(...lesson), { loss: 0.6712677647275813, chosenRewards: [0.1, -0.05], rejectedRewards: [-0.1, 0.05] }, 12, 'the lesson');
    const fixed: Args = [{ chosen: [-21.3, -8.75, -40.2], rejected: [-19.9, -12.5, -38.0] }, { chosen: [-22.0, -9.5, -39.1], rejected: [-20.4, -11.0, -39.6] }, 0.25];
    expectOutput(
      await dpo(...fixed),
      { loss: 0.7353159208254215, chosenRewards: [0.17499999999999982, 0.1875, -0.27500000000000036], rejectedRewards: [0.125, -0.375, 0.40000000000000036] },
      12,
      'three fixed pairs',
    );
    const extreme = await namedCase(id, '−1000 and +1000');
    expectOutput(await dpo(...(extreme.args as Args)), { loss: 500, chosenRewards: [-1000, 0], rejectedRewards: [0, -1000] }, 9, 'β·logits ∓1000');
  });

  test('tfjs autodiff: the gradient with respect to π_c is −β(1 − σ(β·logits))/n, as PyTorch\'s autograd and the lesson give it', async () => {
    // pc.requires_grad_(); losses.mean().backward(); pc.grad
    const torchGrad = [-0.022508300134376106, -0.026248959373947];
    const { loss, dPiChosen } = await tfDpo(...lesson);
    expectWithinTolerance(loss, 0.6712677647275813, 'the lesson');
    const logits = [2, -1];
    dPiChosen.forEach((g, i) => {
      expect(g).toBeCloseTo(torchGrad[i], 6);
      expect(g).toBeCloseTo((-0.1 * (1 - sigmoid(0.1 * logits[i]))) / 2, 6);
    });
    const worked = await lessonSection(id, 'A worked example');
    for (const g of torchGrad) expect(worked).toContain(printed(g));
    const fixedGrad = [-0.04062521695964914, -0.0302474337933014, -0.055218486430840215];
    const fixed = await tfDpo({ chosen: [-21.3, -8.75, -40.2], rejected: [-19.9, -12.5, -38.0] }, { chosen: [-22.0, -9.5, -39.1], rejected: [-20.4, -11.0, -39.6] }, 0.25);
    fixed.dPiChosen.forEach((g, i) => expect(g).toBeCloseTo(fixedGrad[i], 6));
  });

  test('the reference and the model solution agree with tf.logSigmoid on every seeded case', async () => {
    for (const c of await seededCases(id)) {
      const args = c.args as Args;
      const want = await dpo(...args);
      expectOutput(dpoLoss(...args), want, 10, c.name);
      expectWithinTolerance((await tfDpo(...args)).loss, want.loss, c.name);
    }
  });

  test('why training starts at log 2: π = ref gives 0.693147 and zero rewards, whatever the log-probabilities', async () => {
    for (const c of await seededCases(id)) {
      const [pi, , beta] = c.args as Args;
      const out = await dpo(pi, pi, beta);
      expect(out.loss, c.name).toBeCloseTo(Math.LN2, 15);
      expect([...out.chosenRewards, ...out.rejectedRewards].every((x) => x === 0), c.name).toBe(true);
    }
    expect(await lessonSection(id, 'A worked example')).toContain('log 2 = 0.693147');
  });

  test('the wrong variants on the lesson example are the numbers its Pitfalls quote', async () => {
    const pitfalls = await lessonSection(id, 'Pitfalls');
    const dropped = (await wrong(qualified, 'reference-dropped', ...lesson)) as DpoOutput;
    expect(dropped.loss).toBeCloseTo(0.6762470569250595, 12); // PyTorch: -F.logsigmoid(0.1 * (pc - pr)).mean()
    expect(pitfalls).toContain(printed(dropped.loss));
    const outside = (await wrong(qualified, 'beta-outside', ...lesson)) as DpoOutput;
    expect(outside.loss).toBeCloseTo(0.1 * ((Math.log1p(Math.exp(-2)) + Math.log1p(Math.exp(1))) / 2), 12);
    expect(pitfalls).toContain(printed(outside.loss));
    const noBeta = (await wrong(qualified, 'rewards-without-beta', ...lesson)) as DpoOutput;
    expect(noBeta.chosenRewards).toEqual([1, -0.5]);
    expect(noBeta.rejectedRewards).toEqual([-1, 0.5]);
    expect(pitfalls).toContain('chosenRewards [1, −0.5] and rejectedRewards [−1, 0.5]');
    expect(((await wrong(qualified, 'naive-log-sigmoid', ...lesson)) as DpoOutput).loss).toBeCloseTo(0.6712677647275813, 12);
    const extreme = (await namedCase(id, '−1000 and +1000')).args as Args;
    const naive = (await wrongAlternatives(qualified, 'naive-log-sigmoid', ...extreme)) as DpoOutput[];
    expect(naive.map((o) => o.loss)).toEqual([Infinity, NaN]);
    expect(pitfalls).toMatch(/Infinity instead of 1000/);
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    expect(await expectEachMisconceptionDiagnosed(id)).toEqual(['reference-dropped', 'beta-outside', 'rewards-without-beta', 'naive-log-sigmoid']);
  });

  test('check yourself: the model solution holds both properties; β outside the sigmoid breaks the first, the reference dropped the second', async () => {
    await expectSolutionHolds(qualified, { [atReference]: 1, [perResponse]: 1 });
    const outside = await solutionWith(qualified, ['total += softplus(-beta * (chosenRatio - rejectedRatio));', 'total += beta * softplus(-(chosenRatio - rejectedRatio));']);
    await expectPropertyBroken(qualified, outside, atReference, /the loss must be −log\(1\/2\) = log 2 = 0\.693147; yours is 0\.0693147\./);
    const dropped = await solutionWith(qualified, ['total += softplus(-beta * (chosenRatio - rejectedRatio));', 'total += softplus(-beta * (pi.chosen[i] - pi.rejected[i]));']);
    await expectPropertyBroken(qualified, dropped, perResponse, /^The loss depends on the policy only through π − ref/);
  });

  test('grading: a learner who returns the rewards without β fails, diagnosed as rewards-without-beta', async () => {
    const source = await solutionWith(qualified, ['chosenRewards.push(beta * chosenRatio);', 'chosenRewards.push(chosenRatio);'], ['rejectedRewards.push(beta * rejectedRatio);', 'rejectedRewards.push(rejectedRatio);']);
    const verdict = await grade(id, source);
    expect(verdict.status).toBe('fail');
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'rewards-without-beta', confidence: 'full' });
  });

  test('grading: a learner who drops the reference fails, diagnosed as reference-dropped', async () => {
    const source = await solutionWith(qualified, ['total += softplus(-beta * (chosenRatio - rejectedRatio));', 'total += softplus(-beta * (pi.chosen[i] - pi.rejected[i]));']);
    const verdict = await grade(id, source);
    expect(verdict.status).toBe('fail');
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'reference-dropped', confidence: 'full' });
  });

  test('the ```js block of In practice gives the reference\'s output on the lesson example and on the ∓1000 case', async () => {
    const { tf } = await loadTf();
    const extreme = (await namedCase(id, '−1000 and +1000')).args as Args;
    for (const [pi, ref, beta] of [lesson, extreme]) {
      const got = (await runLessonJs(id, tf, { pi, ref, beta })) as DpoOutput;
      const want = await dpo(pi, ref, beta);
      expectWithinTolerance(got.loss, want.loss, 'loss');
      got.chosenRewards.forEach((x, i) => expectWithinTolerance(x, want.chosenRewards[i], `chosenRewards[${i}]`));
      got.rejectedRewards.forEach((x, i) => expectWithinTolerance(x, want.rejectedRewards[i], `rejectedRewards[${i}]`));
    }
  });
});
