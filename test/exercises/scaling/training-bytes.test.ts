import { describe, expect, test } from 'vitest';
import { trainingBytes } from '../../../exercises/scaling/memory/training-bytes/solution.js';
import { gpt2Small } from '../../../exercises/scaling/memory/training-bytes/exercise.js';
import { loadTf } from '../../../src/reference/backend.js';
import { reference, solutionWith, wrong } from '../../helpers/exercises.js';
import { expectPropertyBroken, expectSolutionHolds } from '../../helpers/properties.js';
import { expectEachMisconceptionDiagnosed, runLessonJs, seededCases } from './scaling-helpers.js';

const id = 'memory/training-bytes';
const qualified = `scaling/${id}`;
const sameBytes = 'mixed precision keeps as many bytes as fp32';
const bytes = async (params: number, mode: 'fp32' | 'mixed') => (await reference(qualified, params, mode)) as number;

/**
 * The tensors a training step keeps, as the ZeRO paper lists them (§3.1), by
 * bytes per value: written from the paper's 2Ψ + 2Ψ + KΨ rather than the
 * exercise's table.
 */
function zeroPaperBytes(params: number, mode: 'fp32' | 'mixed'): number {
  const K = 12; // fp32 parameters, momentum and variance
  return mode === 'mixed' ? 2 * params + 2 * params + K * params : [4, 4, 4, 4].reduce((sum, b) => sum + b * params, 0);
}

describe(id, () => {
  test('the lesson table by hand: GPT-2 small in mixed precision is 248,879,616·2 + 497,759,232·3 = 1,991,036,928 bytes', async () => {
    expect(2 * gpt2Small).toBe(248_879_616);
    expect(4 * gpt2Small).toBe(497_759_232);
    expect(await bytes(gpt2Small, 'mixed')).toBe(2 * 248_879_616 + 3 * 497_759_232);
    expect(await bytes(gpt2Small, 'fp32')).toBe(1_991_036_928);
  });

  test('the published and named figures: 7.5 B → 120 GB (ZeRO), GPT-2 1.5 B → at least 24 GB (ZeRO §3.1), LLaMA-2-7B in fp32 → 107.8 GB', async () => {
    expect(await bytes(7.5e9, 'mixed')).toBe(120e9);
    expect((await bytes(1.5e9, 'mixed')) / 1e9).toBe(24);
    expect(await bytes(6_738_415_616, 'fp32')).toBe(107_814_649_856);
    // An 80 GiB GPU holds the states of about 5.4 billion parameters.
    expect((80 * 2 ** 30) / 16 / 1e9).toBeCloseTo(5.37, 2);
  });

  test('the reference and the model solution follow the ZeRO paper\'s accounting on every seeded case', async () => {
    for (const c of await seededCases(id)) {
      const [params, mode] = c.args as [number, 'fp32' | 'mixed'];
      const want = zeroPaperBytes(params, mode);
      expect(await bytes(params, mode), c.name).toBe(want);
      expect(trainingBytes(params, mode), c.name).toBe(want);
    }
  });

  test('the wrong variants on GPT-2 small give the Pitfalls\' numbers', async () => {
    expect(await wrong(qualified, 'master-copy-forgotten', gpt2Small, 'mixed')).toBe(1_493_277_696);
    expect(await wrong(qualified, 'master-copy-forgotten', gpt2Small, 'fp32')).toBe(1_991_036_928);
    expect(await wrong(qualified, 'all-half-precision', gpt2Small, 'mixed')).toBe(995_518_464);
    expect(await wrong(qualified, 'weights-only', gpt2Small, 'fp32')).toBe(497_759_232);
    expect(await wrong(qualified, 'weights-only', gpt2Small, 'mixed')).toBe(248_879_616);
    expect(await wrong(qualified, 'one-moment', gpt2Small, 'fp32')).toBe(1_493_277_696);
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    expect(await expectEachMisconceptionDiagnosed(id)).toEqual(['master-copy-forgotten', 'all-half-precision', 'weights-only', 'one-moment']);
  });

  test('check yourself: the model solution holds the property (seeds 7 and 99)', async () => {
    await expectSolutionHolds(id, { [sameBytes]: 2 }, 'scaling');
  });

  test('check yourself: mixed precision without the master copy breaks it, naming both totals', async () => {
    const noMaster = await solutionWith(qualified, ['2 + 2 + (4 + 4 + 4)', '2 + 2 + (4 + 4)']);
    await expectPropertyBroken(id, noMaster, sameBytes, /^For [\d,]+ parameters you return [\d,]+ bytes in fp32 and [\d,]+ in mixed precision\. Both are 16 bytes per parameter/, 'scaling');
  });

  test('the ```js block of In practice gives 16 bytes per parameter in both modes', async () => {
    const { tf } = await loadTf();
    for (const mode of ['fp32', 'mixed']) expect(await runLessonJs(id, tf, { params: gpt2Small, mode })).toBe(1_991_036_928);
  });
});
