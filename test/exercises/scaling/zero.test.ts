import { describe, expect, test } from 'vitest';
import { zeroBytesPerGpu } from '../../../exercises/scaling/memory/zero/solution.js';
import { loadTf } from '../../../src/reference/backend.js';
import { reference, solutionWith, wrong } from '../../helpers/exercises.js';
import { expectPropertyBroken, expectSolutionHolds } from '../../helpers/properties.js';
import { expectEachMisconceptionDiagnosed, expectRelative, lessonBars, runLessonJs, seededCases } from './scaling-helpers.js';

type Stage = 0 | 1 | 2 | 3;
const id = 'memory/zero';
const qualified = `scaling/${id}`;
const oneGpu = 'on one GPU every stage keeps all 16 bytes per parameter';
const shrinking = 'each stage needs no more memory than the one before';
const perGpu = async (params: number, gpus: number, stage: Stage) => (await reference(qualified, params, gpus, stage)) as number;

/**
 * ZeRO simulated rank by rank: the 2 + 2 + 12 bytes of every parameter are
 * placed on GPUs (all of them for a replicated kind, one rank per parameter
 * in turn for a sharded one), and the bytes of all ranks are added and
 * averaged. An independent way to get the paper's formulas.
 */
function simulated(params: number, gpus: number, stage: Stage): number {
  const kinds: [bytes: number, shardedFrom: number][] = [[2, 3], [2, 2], [12, 1]];
  let total = 0;
  for (const [bytes, from] of kinds) total += stage >= from ? bytes * params : bytes * params * gpus;
  return total / gpus;
}

describe(id, () => {
  test('the ZeRO paper\'s Figure 1: 7.5 B parameters on 64 GPUs → 120, 31.4, 16.6 and 1.9 GB', async () => {
    const got = await Promise.all(([0, 1, 2, 3] as Stage[]).map((s) => perGpu(7.5e9, 64, s)));
    expect(got).toEqual([120e9, 31.40625e9, 16.640625e9, 1.875e9]);
    expect(got.map((b) => Number((b / 1e9).toFixed(1)))).toEqual([120, 31.4, 16.6, 1.9]);
  });

  test('the lesson\'s bars are the four stages in GB', async () => {
    const got = await Promise.all(([0, 1, 2, 3] as Stage[]).map((s) => perGpu(7.5e9, 64, s)));
    expect(await lessonBars(id)).toEqual(got.map((b) => b / 1e9));
  });

  test('the lesson table by hand: 15 + 15 + 90, then 90/64 = 1.40625 and 15/64 = 0.234375', async () => {
    expect(await perGpu(7.5e9, 64, 1)).toBe((15 + 15 + 90 / 64) * 1e9);
    expect(await perGpu(7.5e9, 64, 2)).toBe((15 + 15 / 64 + 90 / 64) * 1e9);
    expect(await perGpu(1e12, 1024, 3)).toBe(15.625e9);
  });

  test('the reference and the model solution equal the rank-by-rank simulation on every seeded case', async () => {
    for (const c of await seededCases(id)) {
      const [params, gpus, stage] = c.args as [number, number, Stage];
      const want = simulated(params, gpus, stage);
      expectRelative(await perGpu(params, gpus, stage), want, c.name);
      expectRelative(zeroBytesPerGpu(params, gpus, stage), want, c.name);
    }
  });

  test('the limits the lesson states: stage 1 → 4Ψ and stage 2 → 2Ψ as N grows', async () => {
    expectRelative(await perGpu(1e9, 1e9, 1), 4e9 + 12, 'stage 1');
    expectRelative(await perGpu(1e9, 1e9, 2), 2e9 + 14, 'stage 2');
  });

  test('the wrong variants on the lesson example give the Pitfalls\' numbers', async () => {
    const at = async (m: string, stage: Stage) => (await wrong(qualified, m, 7.5e9, 64, stage)) as number;
    expect(await at('stage2-shards-weights', 2)).toBe(1.875e9);
    expect(await Promise.all(([0, 1, 2, 3] as Stage[]).map((s) => at('stages-shifted', s)))).toEqual([31.40625e9, 16.640625e9, 1.875e9, 1.875e9]);
    expect(await Promise.all(([0, 1, 2, 3] as Stage[]).map((s) => at('k-16', s)))).toEqual([150e9, 31.875e9, 17.109375e9, 2.34375e9]);
    expect(await Promise.all(([0, 1, 2, 3] as Stage[]).map((s) => at('master-copy-forgotten', s)))).toEqual([90e9, 30.9375e9, 16.171875e9, 1.40625e9]);
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    expect(await expectEachMisconceptionDiagnosed(id)).toEqual(['stage2-shards-weights', 'stages-shifted', 'k-16', 'master-copy-forgotten']);
  });

  test('check yourself: the model solution holds both properties (seeds 7 and 99)', async () => {
    await expectSolutionHolds(id, { [oneGpu]: 2, [shrinking]: 2 }, 'scaling');
  });

  test('check yourself: a stage that divides by N − 1 breaks the first; weights sharded from stage 1 on the wrong side breaks the second', async () => {
    const minusOne = await solutionWith(qualified, ['/ gpus', '/ Math.max(gpus - 1, 0.5)']);
    await expectPropertyBroken(id, minusOne, oneGpu, /^On one GPU your stage 1 gives [\d,.e+]+ bytes for [\d,.e+]+ parameters, not 16Ψ = /, 'scaling');
    const backwards = await solutionWith(qualified, ['held(2, 3) + held(2, 2) + held(K, 1)', 'held(2, 3) + held(2, 2) + held(K, 1) + (stage === 3 ? 100 * params : 0)']);
    await expectPropertyBroken(id, backwards, shrinking, /^On \d+ GPUs your stage 3 needs [\d,.e+]+ bytes, more than stage 2's /, 'scaling');
  });

  test('the ```js block of In practice gives the four stages of the lesson example', async () => {
    const { tf } = await loadTf();
    for (const stage of [0, 1, 2, 3] as Stage[]) {
      expect(await runLessonJs(id, tf, { params: 7.5e9, gpus: 64, stage })).toBe(await perGpu(7.5e9, 64, stage));
    }
  });
});
