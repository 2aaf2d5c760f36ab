import { describe, expect, test } from 'vitest';
import { activationBytesPerLayer } from '../../../exercises/scaling/memory/activations/solution.js';
import { gpt3, lessonCfg, mtnlg, type ActivationConfig } from '../../../exercises/scaling/memory/activations/exercise.js';
import { loadTf } from '../../../src/reference/backend.js';
import { toPlainOutput } from '../../../src/core/grading/read-back.js';
import { loadExercise, reference, solutionWith, wrong } from '../../helpers/exercises.js';
import { expectPropertyBroken, expectSolutionHolds } from '../../helpers/properties.js';
import { expectEachMisconceptionDiagnosed, expectRelative, lessonBars, runLessonJs, seededCases } from './scaling-helpers.js';

const id = 'memory/activations';
const qualified = `scaling/${id}`;
const superlinear = 'without recomputation, twice the sequence takes more than twice the memory';
const noHeads = 'with full recomputation the memory does not depend on the heads';
const bytes = async (cfg: ActivationConfig) => (await reference(qualified, cfg)) as number;

/**
 * The paper's §4.1 list, tensor by tensor, each as its shape and bytes per
 * value (2 for a 16-bit activation, 1 for a dropout mask): the sum is taken
 * over the list, not over the closed form sbh(34 + 5as/h).
 */
function storedTensors(cfg: ActivationConfig): number {
  const { seq: s, batch: b, hidden: h, heads: a } = cfg;
  if (cfg.recompute === 'full') return 2 * s * b * h;
  const tensors: [what: string, shape: number[], bytesPerValue: number][] = [
    ['ln_1 input', [s, b, h], 2],
    ['QKV projection input', [s, b, h], 2],
    ['Q', [s, b, h], 2],
    ['K', [s, b, h], 2],
    ['softmax output', [b, a, s, s], 2],
    ['attention dropout mask', [b, a, s, s], 1],
    ['attention dropout output', [b, a, s, s], 2],
    ['V', [s, b, h], 2],
    ['output projection input', [s, b, h], 2],
    ['attention output dropout mask', [s, b, h], 1],
    ['ln_2 input', [s, b, h], 2],
    ['fc input', [s, b, h], 2],
    ['GELU input', [s, b, 4 * h], 2],
    ['second linear input', [s, b, 4 * h], 2],
    ['MLP dropout mask', [s, b, h], 1],
  ];
  return tensors.reduce((sum, [, shape, per]) => sum + shape.reduce((x, y) => x * y, 1) * per, 0);
}

describe(id, () => {
  test('the lesson example by hand: 34·6,291,456 + 5·12·1024²·8 = 213,909,504 + 503,316,480 = 717,225,984', async () => {
    expect(1024 * 8 * 768).toBe(6_291_456);
    expect(await bytes(lessonCfg)).toBe(213_909_504 + 503_316_480);
    expect(await bytes({ ...lessonCfg, recompute: 'full' })).toBe(12_582_912);
  });

  test('the lesson\'s bars are the reference\'s trace in MB: attention 69.206 + 503.316, MLP 119.538, LayerNorms 25.166', async () => {
    const { definition, ctx } = await loadExercise(qualified);
    const steps = (await toPlainOutput(ctx, () => definition.trace!(ctx, lessonCfg))) as Record<string, number>;
    const parts = [steps.attentionLinear, steps.attentionScores, steps.mlp, steps.layerNorms];
    expect(parts.map((x) => Number((x / 1e6).toFixed(3)))).toEqual(await lessonBars(id));
    expect(await lessonBars(id)).toEqual([69.206, 503.316, 119.538, 25.166]);
  });

  test('the large models of the lesson: GPT-3 175B 2,868,903,936 per layer (275 GB in 96 layers), 50,331,648 with full recomputation; MT-NLG 4,110,417,920', async () => {
    expect(await bytes(gpt3)).toBe(2_868_903_936);
    expect(Math.round((96 * (await bytes(gpt3))) / 1e9)).toBe(275);
    expect(await bytes({ ...gpt3, recompute: 'full' })).toBe(50_331_648);
    expect(await bytes(mtnlg)).toBe(4_110_417_920);
    // 5as/h for GPT-3: 5·96·2048/12288.
    expect((5 * 96 * 2048) / 12288).toBe(80);
  });

  test('the reference and the model solution equal the sum over the paper\'s list of stored tensors on every seeded case', async () => {
    for (const c of await seededCases(id)) {
      const [cfg] = c.args as [ActivationConfig];
      const want = storedTensors(cfg);
      expectRelative(await bytes(cfg), want, c.name);
      expectRelative(activationBytesPerLayer(cfg), want, c.name);
    }
  });

  test('Check yourself by numbers: 2,441,084,928 bytes at 2048 tokens, 3.4 times the 1024-token figure', async () => {
    const twice = await bytes({ ...lessonCfg, seq: 2048 });
    expect(twice).toBe(2_441_084_928);
    expect(twice / 717_225_984).toBeCloseTo(3.4, 1);
  });

  test('the wrong variants on the lesson example give the Pitfalls\' numbers', async () => {
    expect(await wrong(qualified, 'attention-term-forgotten', lessonCfg)).toBe(213_909_504);
    expect(await wrong(qualified, 'scores-once-not-per-head', lessonCfg)).toBe(255_852_544);
    expect(await wrong(qualified, 'recompute-keeps-nothing', { ...lessonCfg, recompute: 'full' })).toBe(0);
    expect(await wrong(qualified, 'recompute-ignored', { ...lessonCfg, recompute: 'full' })).toBe(717_225_984);
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    expect(await expectEachMisconceptionDiagnosed(id)).toEqual(['attention-term-forgotten', 'scores-once-not-per-head', 'recompute-keeps-nothing', 'recompute-ignored']);
  });

  test('check yourself: the model solution holds both properties (seeds 7 and 99)', async () => {
    await expectSolutionHolds(id, { [superlinear]: 2, [noHeads]: 2 }, 'scaling');
  });

  test('check yourself: 34sbh alone breaks the first; recomputation that keeps the scores breaks the second', async () => {
    const linear = await solutionWith(qualified, ['return s * b * h * (34 + (5 * a * s) / h);', 'return s * b * h * 34;']);
    await expectPropertyBroken(id, linear, superlinear, /^Your layer keeps [\d,]+ bytes at s = \d+ and [\d,]+ at s = \d+: at most twice as much\./, 'scaling');
    const keepsScores = await solutionWith(qualified, ["if (cfg.recompute === 'full') return 2 * s * b * h;", "if (cfg.recompute === 'full') return 2 * s * b * h + 5 * a * s * s * b;"]);
    await expectPropertyBroken(id, keepsScores, noHeads, /^With full recomputation your layer keeps [\d,]+ bytes with \d+ heads and [\d,]+ with \d+\./, 'scaling');
  });

  test('the ```js block of In practice gives the lesson example with and without recomputation', async () => {
    const { tf } = await loadTf();
    expect(await runLessonJs(id, tf, { cfg: lessonCfg })).toBe(717_225_984);
    expect(await runLessonJs(id, tf, { cfg: { ...gpt3, recompute: 'full' } })).toBe(50_331_648);
  });
});
