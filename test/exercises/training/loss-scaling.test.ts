import { describe, expect, test } from 'vitest';
import { updateLossScale } from '../../../exercises/training/optim/loss-scaling/solution.js';
import { lessonConfig, lessonFinite, lessonStart, type ScalerConfig, type ScalerOut, type ScalerState } from '../../../exercises/training/optim/loss-scaling/exercise.js';
import { loadTf } from '../../../src/reference/backend.js';
import { reference, wrong, wrongAlternatives } from '../../helpers/exercises.js';
import { expectEachMisconceptionDiagnosed, expectPropertyBroken, expectSolutionHolds, grade, runLessonJs, seededCases, solutionWith } from './optim-helpers.js';

const id = 'optim/loss-scaling';
const qualified = `training/${id}`;
const overflow = 'an overflow skips the step, multiplies the scale by backoffFactor and restarts the count, whatever the count was';
const growsOnce = 'over growthInterval finite steps in a row, the scale grows exactly once, at the last';

/**
 * PyTorch's `_amp_update_scale_` kernel transliterated (AmpKernels.cu), with
 * GradScaler.step's skip: written independently of the exercise, on the
 * kernel's own names, with float64's isfinite.
 */
function ampUpdateScale(currentScale: number, growthTracker: number, foundInf: boolean, cfg: ScalerConfig): ScalerOut {
  if (foundInf) return { scale: currentScale * cfg.backoffFactor, goodSteps: 0, skipStep: true };
  const successful = growthTracker + 1;
  if (successful === cfg.growthInterval) {
    const newScale = currentScale * cfg.growthFactor;
    return { scale: Number.isFinite(newScale) ? newScale : currentScale, goodSteps: 0, skipStep: false };
  }
  return { scale: currentScale, goodSteps: successful, skipStep: false };
}

type Step = (state: ScalerState, finite: boolean, cfg: ScalerConfig) => ScalerOut | Promise<ScalerOut>;

/** Runs `step` over a sequence of finite flags, each step fed the state the one before returned. */
async function runScaler(step: Step, start: ScalerState, finite: boolean[], cfg: ScalerConfig): Promise<ScalerOut[]> {
  const outs: ScalerOut[] = [];
  let state = start;
  for (const f of finite) {
    const out = await step(state, f, cfg);
    outs.push(out);
    state = { scale: out.scale, goodSteps: out.goodSteps };
  }
  return outs;
}

const referenceStep: Step = async (s, f, cfg) => (await reference(qualified, s, f, cfg)) as ScalerOut;
const kernelStep: Step = (s, f, cfg) => ampUpdateScale(s.scale, s.goodSteps, !f, cfg);

/** The lesson's table, written by hand from GradScaler's documented rule: [scale, goodSteps, skipStep] after each step. */
const lessonTable: [number, number, boolean][] = [
  [65536, 1, false],
  [65536, 2, false],
  [131072, 0, false],
  [65536, 0, true],
  [65536, 1, false],
  [65536, 2, false],
  [32768, 0, true],
  [32768, 1, false],
  [32768, 2, false],
  [65536, 0, false],
];
const asTable = (outs: ScalerOut[]) => outs.map((o): [number, number, boolean] => [o.scale, o.goodSteps, o.skipStep]);

describe(id, () => {
  test('the lesson\'s run: the reference, the model solution and the transliterated kernel give the hand-written table', async () => {
    for (const step of [referenceStep, kernelStep, updateLossScale]) expect(asTable(await runScaler(step, lessonStart, lessonFinite, lessonConfig))).toEqual(lessonTable);
  });

  test("PyTorch's defaults: 2000 finite steps from 2¹⁶ double the scale once, at the 2000th; an overflow then halves it", async () => {
    const cfg = { growthFactor: 2, backoffFactor: 0.5, growthInterval: 2000 };
    const outs = await runScaler(updateLossScale, { scale: 65536, goodSteps: 0 }, [...new Array(2000).fill(true), false], cfg);
    expect(outs.findIndex((o) => o.scale !== 65536)).toBe(1999);
    expect(outs[1998]).toEqual({ scale: 65536, goodSteps: 1999, skipStep: false });
    expect(outs[1999]).toEqual({ scale: 131072, goodSteps: 0, skipStep: false });
    expect(outs[2000]).toEqual({ scale: 65536, goodSteps: 0, skipStep: true });
  });

  test('the scale is kept where growing it would give Infinity, and the count still restarts', async () => {
    expect(await referenceStep({ scale: 2 ** 1023, goodSteps: 1 }, true, { growthFactor: 2, backoffFactor: 0.5, growthInterval: 2 })).toEqual({ scale: 2 ** 1023, goodSteps: 0, skipStep: false });
    expect(2 ** 1023 * 2).toBe(Infinity);
  });

  test('the reference and the model solution follow the transliterated kernel on every seeded run', async () => {
    for (const c of await seededCases(id)) {
      const steps = c.steps as [ScalerState, boolean, ScalerConfig][];
      const [[start, , cfg]] = steps;
      const finite = steps.map((s) => s[1]);
      const want = await runScaler(kernelStep, start, finite, cfg);
      expect(await runScaler(referenceStep, start, finite, cfg), c.name).toEqual(want);
      expect(await runScaler(updateLossScale, start, finite, cfg), c.name).toEqual(want);
      expect(start.goodSteps, c.name).toBeLessThan(cfg.growthInterval);
    }
  });

  test('the wrong variants on the lesson\'s steps 3 and 4: late growth, the count kept, the step taken, no back-off', async () => {
    const at3: ScalerState = { scale: 65536, goodSteps: 2 };
    expect(await wrong(qualified, 'growth-one-step-late', at3, true, lessonConfig)).toEqual({ scale: 65536, goodSteps: 3, skipStep: false });
    const kept = (await wrongAlternatives(qualified, 'counter-not-reset', at3, true, lessonConfig)) as ScalerOut[];
    expect(kept.map((o) => o.goodSteps)).toEqual([3, 0, 3]);
    const at4: ScalerState = { scale: 131072, goodSteps: 2 };
    expect(await wrong(qualified, 'step-not-skipped', at4, false, lessonConfig)).toEqual({ scale: 65536, goodSteps: 0, skipStep: false });
    expect(await wrong(qualified, 'no-backoff', at4, false, lessonConfig)).toEqual({ scale: 131072, goodSteps: 0, skipStep: true });
    expect(((await wrong(qualified, 'grows-to-infinity', { scale: 2 ** 1023, goodSteps: 2 }, true, lessonConfig)) as ScalerOut).scale).toBe(Infinity);
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    expect(await expectEachMisconceptionDiagnosed(id)).toEqual(['step-not-skipped', 'counter-not-reset', 'growth-one-step-late', 'no-backoff', 'grows-to-infinity']);
  });

  test('grading: a count kept after a growth passes the lesson\'s steps 1 and 2, diverges at step 3, and is diagnosed', async () => {
    const verdict = await grade(id, await solutionWith(id, ['return { scale: Number.isFinite(grown) ? grown : state.scale, goodSteps: 0, skipStep: false };', 'return { scale: Number.isFinite(grown) ? grown : state.scale, goodSteps, skipStep: false };']));
    expect(verdict.status).toBe('fail');
    expect(verdict.cases[0].message).toMatch(/^Step 3 of 10 diverges \(fed your own step 2 output\): .*goodSteps/);
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'counter-not-reset', confidence: 'full' });
  });

  test('check yourself: the model solution holds both properties (seeds 7 and 99)', async () => {
    await expectSolutionHolds(id, { [overflow]: 1, [growsOnce]: 1 });
  });

  test('check yourself: a step taken on an overflow breaks the first; growth one step late breaks the second', async () => {
    const taken = await solutionWith(id, ['goodSteps: 0, skipStep: true };', 'goodSteps: 0, skipStep: false };']);
    await expectPropertyBroken(id, taken, overflow, /^From \{ scale: 4096, goodSteps: 0 \}, an overflow gave \{ scale: 2048, goodSteps: 0, skipStep: false \}\. Gradients with an Infinity or NaN/);
    const late = await solutionWith(id, ['if (goodSteps < cfg.growthInterval)', 'if (goodSteps <= cfg.growthInterval)']);
    await expectPropertyBroken(id, late, growsOnce, /^From \{ scale: 256, goodSteps: 3 \} with growthInterval 4, a finite step gave \{ scale: 256, goodSteps: 4, skipStep: false \}\. A finite step counts/);
  });

  test('check yourself: an output of the wrong kind says what it must be', async () => {
    await expectPropertyBroken(id, 'export function updateLossScale() { return 2; }', growsOnce, /^updateLossScale must return \{ scale, goodSteps, skipStep \}: two numbers and a boolean; it returned 2\.$/);
  });

  test('the ```js block of In practice follows the lesson\'s run step by step', async () => {
    const { tf } = await loadTf();
    const jsStep: Step = async (state, gradsFinite, cfg) => (await runLessonJs(id, tf, { state, gradsFinite, cfg })) as ScalerOut;
    expect(asTable(await runScaler(jsStep, lessonStart, lessonFinite, lessonConfig))).toEqual(lessonTable);
  });
});
