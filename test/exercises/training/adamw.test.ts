import { describe, expect, test } from 'vitest';
import { adamwStep } from '../../../exercises/training/optim/adamw/solution.js';
import { lessonGrads, lessonHp, lessonParams, torchDefaults, type AdamHp, type AdamOut, type AdamState } from '../../../exercises/training/optim/adamw/exercise.js';
import { loadTf } from '../../../src/reference/backend.js';
import { reference, wrong } from '../../helpers/exercises.js';
import { expectClose } from '../../helpers/matrices.js';
import { casesOn, expectEachMisconceptionDiagnosed, expectPropertyBroken, expectSolutionHolds, grade, runLessonJs, seededCases, solutionWith } from './optim-helpers.js';

const id = 'optim/adamw';
const qualified = `training/${id}`;
const fresh = (n: number): AdamState => ({ m: new Array(n).fill(0), v: new Array(n).fill(0), t: 0 });
const firstStep = 'from a fresh state, the first step moves every parameter by lr (decay aside), whatever the gradient\'s scale';
const scaleFree = 'multiplying the gradients (and m by the same factor, v by its square) by 100 leaves the step unchanged';

/** A seeded generator of numbers in [−1, 1), for runs of our own. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  };
}

/**
 * AdamW through TensorFlow.js's own Adam, written independently of the
 * exercise: each step decays the variable by hand (θ·(1 − lr·λ)), then lets
 * `tf.train.adam` (ε after the root, bias-corrected) apply the gradient.
 * Returns the parameters after each step, in float32.
 */
async function tfjsAdamW(params: number[], grads: number[][], hp: AdamHp): Promise<number[][]> {
  const { tf } = await loadTf();
  const theta = tf.variable(tf.tensor1d(params));
  const adam = tf.train.adam(hp.lr, hp.beta1, hp.beta2, hp.eps);
  const out: number[][] = [];
  for (const g of grads) {
    theta.assign(tf.mul(theta, 1 - hp.lr * hp.weightDecay));
    adam.applyGradients([{ name: theta.name, tensor: tf.tensor1d(g) }]);
    out.push(Array.from(theta.dataSync()));
  }
  adam.dispose();
  theta.dispose();
  return out;
}

/** Runs a step function over gradients from `params` and a fresh state, each step fed the previous output. */
async function runSteps(step: (p: number[], g: number[], s: AdamState, hp: AdamHp) => AdamOut | Promise<AdamOut>, params: number[], grads: number[][], hp: AdamHp, state = fresh(params.length)) {
  const outs: AdamOut[] = [];
  for (const g of grads) {
    const out = await step(params, g, state, hp);
    outs.push(out);
    ({ params, state } = out);
  }
  return outs;
}

const referenceStep = async (p: number[], g: number[], s: AdamState, hp: AdamHp) => (await reference(qualified, p, g, s, hp)) as AdamOut;

describe(id, () => {
  test('the lesson\'s first step, by hand: decay, then m̂ = g and √v̂ = |g|, a move of lr·sign(g) + lr·λ·θ', async () => {
    // θ·(1 − lr·λ) = [0.4995, −0.999, 1.998]; lr·g/(|g| + ε) for g = 0.1 and −0.02.
    const byHand = [0.4995 - (0.01 * 0.1) / (0.1 + 1e-8), -0.999 + (0.01 * 0.02) / (0.02 + 1e-8), 1.998];
    expectClose(byHand, [0.4895000009999999, -0.989000005, 1.998], 12);
    const out = (await reference(qualified, lessonParams, lessonGrads[0], fresh(3), lessonHp)) as AdamOut;
    expectClose(out.params, byHand, 12);
    expectClose(out.state.m, [0.01, -0.002, 0], 12);
    expectClose(out.state.v, [1e-5, 4e-7, 0], 15);
    expect(out.state.t).toBe(1);
    const moved = lessonParams.map((p, i) => p - out.params[i]);
    expectClose(moved, [0.01 + 0.0005, -0.01 - 0.001, 0.002], 7);
  });

  test('the lesson\'s three steps: the reference, the model solution and TensorFlow.js\'s Adam after a hand decay agree with the table', async () => {
    const table = [
      [0.4895, -0.989, 1.998],
      [0.479833, -0.985348, 1.996002],
      [0.474516, -0.978009, 1.994006],
    ];
    const byReference = await runSteps(referenceStep, lessonParams, lessonGrads, lessonHp);
    expectClose(byReference.map((o) => o.params), table, 6);
    expect(byReference.map((o) => o.state.t)).toEqual([1, 2, 3]);
    expectClose(byReference[1].state.m[1], -0.0008, 12);
    expectClose((await runSteps(adamwStep, lessonParams, lessonGrads, lessonHp)).map((o) => o.params), table, 6);
    expectClose(await tfjsAdamW(lessonParams, lessonGrads, lessonHp), table, 5);
  });

  test('50 steps of the reference follow TensorFlow.js\'s Adam with decoupled decay (PyTorch\'s defaults and lr 0.05, λ 0.1)', async () => {
    const next = lcg(3);
    const params = Array.from({ length: 6 }, next);
    const grads = Array.from({ length: 50 }, () => params.map(() => next()));
    for (const hp of [torchDefaults, { ...torchDefaults, lr: 0.05, weightDecay: 0.1, beta2: 0.99 }]) {
      const ours = (await runSteps(referenceStep, params, grads, hp)).map((o) => o.params);
      expectClose(ours, await tfjsAdamW(params, grads, hp), 4);
      expect(ours.at(-1)).not.toEqual(params);
    }
  });

  test('the reference and the model solution agree on every step of the seeded cases', async () => {
    for (const c of await seededCases(id)) {
      const steps = c.steps as [number[], number[], AdamState, AdamHp][];
      const [[params, , state, hp]] = steps;
      const grads = steps.map((s) => s[1]);
      const want = await runSteps(referenceStep, params, grads, hp, state);
      const got = await runSteps(adamwStep, params, grads, hp, state);
      expectClose(got.map((o) => o.params), want.map((o) => o.params), 9);
    }
  });

  test('the cases: the lesson first, runs of 50 steps, a resumed state, tiny gradients', async () => {
    const cases = await casesOn(id, 7);
    expect(cases[0].name).toMatch(/^the lesson example/);
    expect(Math.max(...cases.map((c) => c.steps!.length))).toBe(50);
    expect(cases.some((c) => (c.steps![0][2] as AdamState).t > 0)).toBe(true);
  });

  test('the wrong variants on the lesson\'s first step: Adam with L2, no bias correction (3.162·lr), t from 0 (NaN), decay without lr', async () => {
    const args = [lessonParams, lessonGrads[0], fresh(3), lessonHp];
    const l2 = (await wrong(qualified, 'l2-in-gradient', ...args)) as AdamOut;
    // g + λ·θ = [0.15, −0.12, 0.2]: a full lr against the sign of each, no decay.
    expectClose(l2.params, [0.49, -0.99, 1.99], 6);
    const raw = (await wrong(qualified, 'no-bias-correction', ...args)) as AdamOut;
    expectClose(raw.params[0], 0.4995 - 0.01 * (0.01 / (Math.sqrt(1e-5) + 1e-8)), 9);
    expectClose(raw.params[0], 0.467877, 6);
    const old = (await wrong(qualified, 't-from-0', ...args)) as AdamOut;
    expect(old.params.every(Number.isNaN)).toBe(true);
    const noLr = (await wrong(qualified, 'decay-without-lr', ...args)) as AdamOut;
    expectClose(noLr.params[2], 1.8, 12);
  });

  test('ε under the root, and next to the uncorrected √v, on a gradient of 1e-6 from a fresh state', async () => {
    const args = [[1], [1e-6], fresh(1), { ...torchDefaults, weightDecay: 0 }];
    const right = (await reference(qualified, ...args)) as AdamOut;
    expectClose(1 - right.params[0], 1e-3 * (1e-6 / (1e-6 + 1e-8)), 12);
    const inside = (await wrong(qualified, 'eps-inside-sqrt', ...args)) as AdamOut;
    expectClose(1 - inside.params[0], 1e-3 * (1e-6 / Math.sqrt(1e-12 + 1e-8)), 12);
    const keras = (await wrong(qualified, 'eps-on-uncorrected-v', ...args)) as AdamOut;
    const v = 0.001 * 1e-12;
    expectClose(1 - keras.params[0], ((1e-3 * Math.sqrt(0.001)) / 0.1) * ((0.1 * 1e-6) / (Math.sqrt(v) + 1e-8)), 12);
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    expect(await expectEachMisconceptionDiagnosed(id)).toEqual(['l2-in-gradient', 'no-bias-correction', 'eps-inside-sqrt', 'eps-on-uncorrected-v', 't-from-0', 'count-not-returned', 'decay-without-lr']);
  });

  test('grading: no bias correction diverges at step 1 of the lesson\'s run and is diagnosed', async () => {
    const verdict = await grade(id, await solutionWith(id, ['const correction1 = 1 - beta1 ** t;', 'const correction1 = 1;'], ['const correction2 = 1 - beta2 ** t;', 'const correction2 = 1;']));
    expect(verdict.status).toBe('fail');
    expect(verdict.cases[0].message).toMatch(/^Step 1 of 3 diverges: /);
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'no-bias-correction', confidence: 'full' });
  });

  test('grading: a count not returned diverges at step 1 on state.t, and is diagnosed', async () => {
    const kept = await grade(id, await solutionWith(id, ['return { params: next, state: { m, v, t } };', 'return { params: next, state: { m, v, t: state.t } };']));
    expect(kept.cases[0].message).toMatch(/^Step 1 of 3 diverges: .*state\.t/);
    expect(kept.diagnosis).toMatchObject({ misconceptionId: 'count-not-returned', confidence: 'full' });
  });

  test('check yourself: the model solution holds both properties (seeds 7 and 99)', async () => {
    await expectSolutionHolds(id, { [firstStep]: 2, [scaleFree]: 1 });
  });

  test('check yourself: Adam with L2 in the gradient breaks both; no bias correction breaks the first', async () => {
    const l2 = await solutionWith(id, ['const m = state.m.map((mi, i) => beta1 * mi + (1 - beta1) * grads[i]);', 'grads = grads.map((g, i) => g + weightDecay * params[i]);\n  const m = state.m.map((mi, i) => beta1 * mi + (1 - beta1) * grads[i]);'], ['const decayed = p - lr * weightDecay * p;', 'const decayed = p;']);
    await expectPropertyBroken(id, l2, firstStep, /^On the first step, parameter \d \(gradient -?[\d.e-]+\) moved by -?[\d.e-]+ besides its decay, not ±lr = -?0\.01\. From m = v = 0/);
    await expectPropertyBroken(id, l2, scaleFree, /^Parameter \d comes out -?[\d.e-]+ with the gradients as given and -?[\d.e-]+ with them \(and the moments\) scaled by 100\. Adam divides m̂ by √v̂/);
    const raw = await solutionWith(id, ['const correction1 = 1 - beta1 ** t;', 'const correction1 = 1;'], ['const correction2 = 1 - beta2 ** t;', 'const correction2 = 1;']);
    await expectPropertyBroken(id, raw, firstStep, /moved by -?0\.0316\d* besides its decay/);
  });

  test('check yourself: a step that returns no params says what it must return', async () => {
    await expectPropertyBroken(id, 'export function adamwStep() { return 3; }', firstStep, /^adamwStep must return \{ params, state \} with 5 parameters; it returned 3\.$/);
  });

  test('the ```js block of In practice computes the reference\'s step on the first case', async () => {
    const { tf } = await loadTf();
    const [params, grads, state, hp] = (await casesOn(id, 7))[0].steps![0] as [number[], number[], AdamState, AdamHp];
    const got = (await runLessonJs(id, tf, { params, grads, state, hp })) as AdamOut;
    const want = (await reference(qualified, params, grads, state, hp)) as AdamOut;
    expectClose(got.params, want.params, 5);
    expectClose(got.state.m, want.state.m, 7);
    expect(got.state.t).toBe(1);
  });
});
