import { describe, expect, test } from 'vitest';
import { trainingPlan } from '../../../exercises/scaling/compute/training-flops/solution.js';
import { A100, lessonCfg, type Plan, type PlanConfig } from '../../../exercises/scaling/compute/training-flops/exercise.js';
import { loadTf } from '../../../src/reference/backend.js';
import { reference, solutionWith, wrong, wrongAlternatives } from '../../helpers/exercises.js';
import { expectPropertyBroken, expectSolutionHolds } from '../../helpers/properties.js';
import { casesOn, expectEachMisconceptionDiagnosed, expectRelative, lessonBars, runLessonJs, seededCases } from './scaling-helpers.js';

const id = 'compute/training-flops';
const qualified = `scaling/${id}`;
const halves = 'twice the GPUs take half the time';
const asGiven = 'given tokens are used as given';
const plan = async (cfg: PlanConfig) => (await reference(qualified, cfg)) as Plan;

/**
 * The run counted the other way round: FLOPs per training step of one token
 * through one layer of N parameters (multiply-adds of the forward matmul,
 * then the two backward matmuls for the input and the weight gradients),
 * and the time as GPU-seconds shared among the GPUs.
 */
function stepByStep(cfg: PlanConfig): Plan {
  const tokens = cfg.tokens === undefined ? cfg.params * 20 : cfg.tokens;
  const multiplyAdd = 2;
  const forward = multiplyAdd * cfg.params;
  const backward = multiplyAdd * cfg.params /* dL/dx */ + multiplyAdd * cfg.params; /* dL/dW */
  const flops = (forward + backward) * tokens;
  const gpuSeconds = flops / (cfg.peakFlops * cfg.mfu);
  return { tokens, flops, seconds: gpuSeconds / cfg.gpus };
}

const expectPlan = (got: Plan, want: Plan, what = '') => {
  expectRelative(got.tokens, want.tokens, `${what} tokens`);
  expectRelative(got.flops, want.flops, `${what} flops`);
  expectRelative(got.seconds, want.seconds, `${what} seconds`);
};

describe(id, () => {
  test('the lesson example by hand: 2e10 tokens, 1.2e20 FLOPs, 120,192.3 s (33.39 h, 1.39 days) on 8 A100s, 15,024.0 s (4.17 h) on 64', async () => {
    const eight = await plan(lessonCfg);
    expect(eight.tokens).toBe(2e10);
    expect(eight.flops).toBe(1.2e20);
    expect(eight.seconds).toBeCloseTo(1.2e20 / 9.984e14, 6);
    expect(eight.seconds / 3600).toBeCloseTo(33.39, 2);
    expect(eight.seconds / 86400).toBeCloseTo(1.39, 2);
    const sixtyFour = await plan({ ...lessonCfg, gpus: 64 });
    expect(sixtyFour.seconds).toBeCloseTo(15_024.04, 2);
    expect(sixtyFour.seconds / 3600).toBeCloseTo(4.17, 2);
  });

  test('the lesson\'s bars are the wall-clock hours on 1, 8 and 64 GPUs; one GPU takes 267 A100-hours', async () => {
    const hours = await Promise.all([1, 8, 64].map(async (gpus) => (await plan({ ...lessonCfg, gpus })).seconds / 3600));
    expect(await lessonBars(id)).toEqual(hours.map((h) => Number(h.toFixed(2))));
  });

  test('Chinchilla\'s Table 3: 1 B parameters → 20.2 B tokens and 1.21e20 FLOPs, which 6·N·D reproduces', async () => {
    expectRelative((await plan({ ...lessonCfg, tokens: 20.2e9 })).flops, 1.212e20, 'Chinchilla 1 B');
  });

  test('published runs: GPT-3 3.15e23 FLOPs (Table D.1: 3.14e23), 28.5 days; Chinchilla 5.88e23, 53 days; LLaMA-2-7B 179,979 GPU-hours against the 184,320 reported', async () => {
    const gpt3 = await plan({ params: 175e9, tokens: 300e9, gpus: 1024, peakFlops: A100, mfu: 0.4 });
    expect(gpt3.flops / 1e23).toBeCloseTo(3.14, 1);
    expect(gpt3.seconds / 86400).toBeCloseTo(28.5, 1);
    const chinchilla = await plan({ params: 70e9, tokens: 1.4e12, gpus: 1024, peakFlops: A100, mfu: 0.4 });
    expectRelative(chinchilla.flops, 5.88e23, 'Chinchilla');
    expect(Math.round(chinchilla.seconds / 86400)).toBe(53);
    const llama = await plan({ params: 6_738_415_616, tokens: 2e12, gpus: 1, peakFlops: A100, mfu: 0.4 });
    expect(Math.round(llama.seconds / 3600)).toBe(179_979);
    // The MFU that would give the reported 184,320 GPU-hours.
    expect(llama.flops / (184_320 * 3600 * A100)).toBeCloseTo(0.39, 2);
  });

  test('the reference and the model solution follow the step-by-step count on every seeded case', async () => {
    for (const c of await seededCases(id)) {
      const [cfg] = c.args as [PlanConfig];
      const want = stepByStep(cfg);
      expectPlan(await plan(cfg), want, c.name);
      expectPlan(trainingPlan(cfg), want, c.name);
    }
  });

  test('the cases give tokens in some and leave them out in others, the lesson example among the latter', async () => {
    const cfgs = (await casesOn(id, 7)).map((c) => (c.args as [PlanConfig])[0]);
    expect(cfgs[0].tokens).toBeUndefined();
    expect('tokens' in cfgs[0]).toBe(false);
    expect(cfgs.filter((c) => c.tokens !== undefined).length).toBeGreaterThan(1);
  });

  test('the wrong variants give the Pitfalls\' numbers', async () => {
    const forward = (await wrong(qualified, 'forward-only', lessonCfg)) as Plan;
    expect(forward.flops).toBe(4e19);
    expect(Math.round(forward.seconds)).toBe(40_064);
    const gpt3 = { params: 175e9, tokens: 300e9, gpus: 1024, peakFlops: A100, mfu: 0.4 };
    const defaulted = (await wrong(qualified, 'tokens-always-default', gpt3)) as Plan;
    expect(defaulted.tokens).toBe(3.5e12);
    expectRelative(defaulted.flops, 3.675e24, 'defaulted flops');
    const mfu = (await wrongAlternatives(qualified, 'mfu-wrong-way', lessonCfg)) as Plan[];
    expect(mfu.map((p) => Math.round(p.seconds))).toEqual([19_231, 48_077]);
    expect(Math.round(((await wrong(qualified, 'gpus-forgotten', lessonCfg)) as Plan).seconds)).toBe(961_538);
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    expect(await expectEachMisconceptionDiagnosed(id)).toEqual(['forward-only', 'tokens-always-default', 'mfu-wrong-way', 'gpus-forgotten']);
  });

  test('check yourself: the model solution holds both properties (seeds 7 and 99)', async () => {
    await expectSolutionHolds(id, { [halves]: 2, [asGiven]: 2 }, 'scaling');
  });

  test('check yourself: GPUs left out break the first; tokens always defaulted break the second', async () => {
    const noGpus = await solutionWith(qualified, ['const flopsPerSecond = cfg.gpus * cfg.peakFlops * cfg.mfu;', 'const flopsPerSecond = cfg.peakFlops * cfg.mfu;']);
    await expectPropertyBroken(id, noGpus, halves, /^Your run takes [\d,.e+]+ s on \d+ GPUs and [\d,.e+]+ s on \d+\. The work/, 'scaling');
    const alwaysDefault = await solutionWith(qualified, ['const tokens = cfg.tokens ?? 20 * cfg.params;', 'const tokens = 20 * cfg.params;']);
    await expectPropertyBroken(id, alwaysDefault, asGiven, /^With tokens = [\d,.e+]+ given, your plan has [\d,.e+]+ tokens and [\d,.e+]+ FLOPs\. The 20 tokens per parameter are a default/, 'scaling');
  });

  test('check yourself: a plan that is not three numbers says what it must be', async () => {
    await expectPropertyBroken(id, 'export function trainingPlan() { return 1; }', halves, /^trainingPlan must return \{ tokens, flops, seconds \}, three numbers; it returned 1\.$/, 'scaling');
  });

  test('the ```js block of In practice gives the lesson example, and uses tokens when they are given', async () => {
    const { tf } = await loadTf();
    expectPlan((await runLessonJs(id, tf, { cfg: lessonCfg })) as Plan, await plan(lessonCfg), 'lesson');
    const given = { ...lessonCfg, tokens: 1e11 };
    expectPlan((await runLessonJs(id, tf, { cfg: given })) as Plan, await plan(given), 'given');
  });
});
