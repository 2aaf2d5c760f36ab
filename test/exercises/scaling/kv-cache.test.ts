import { describe, expect, test } from 'vitest';
import { kvCacheBytes } from '../../../exercises/scaling/memory/kv-cache/solution.js';
import { lessonCfg, models, type KvConfig } from '../../../exercises/scaling/memory/kv-cache/exercise.js';
import { loadTf } from '../../../src/reference/backend.js';
import { reference, solutionWith, wrong } from '../../helpers/exercises.js';
import { expectPropertyBroken, expectSolutionHolds } from '../../helpers/properties.js';
import { expectEachMisconceptionDiagnosed, runLessonJs, seededCases } from './scaling-helpers.js';

const id = 'memory/kv-cache';
const qualified = `scaling/${id}`;
const linear = 'twice the tokens or twice the sequences take twice the cache';
const bytes = async (cfg: KvConfig) => (await reference(qualified, cfg)) as number;
const GiB = 2 ** 30;

/**
 * The cache filled token by token, as a decoder fills it: each step appends,
 * in every layer, one key and one value vector per KV head, to every sequence
 * of the batch. Independent of the closed-form product.
 */
function filledStepByStep(cfg: KvConfig): number {
  let total = 0;
  for (let t = 0; t < cfg.seqLen; t++) {
    for (let layer = 0; layer < cfg.layers; layer++) {
      const appended = ['key', 'value'].length * cfg.kvHeads * cfg.headDim * cfg.batch;
      total += appended * cfg.bytesPerValue;
    }
  }
  return total;
}

describe(id, () => {
  test('the lesson example by hand: 2·32·32·128 = 262,144 values per token, 524,288 bytes, 2 GiB for 4096 tokens', async () => {
    expect(2 * 32 * 32 * 128).toBe(262_144);
    expect(await bytes({ ...lessonCfg, seqLen: 1 })).toBe(524_288);
    expect(await bytes(lessonCfg)).toBe(2 * GiB);
  });

  test('the lesson table: 70B 320 KiB per token and 1.25 GiB, Mistral 0.5 GiB, GPT-3 4.5 MiB per token; 70B without GQA 10 GiB', async () => {
    const at = (m: keyof typeof models, seqLen: number, kvHeads?: number) =>
      bytes({ ...models[m], ...(kvHeads ? { kvHeads } : {}), seqLen, batch: 1, bytesPerValue: 2 });
    expect(await at('llama2_70b', 1)).toBe(320 * 1024);
    expect(await at('llama2_70b', 4096)).toBe(1.25 * GiB);
    expect(await at('llama2_70b', 4096, 64)).toBe(10 * GiB);
    expect(await at('mistral_7b', 4096)).toBe(0.5 * GiB);
    expect(await at('gpt3_175b', 1)).toBe(4.5 * 2 ** 20);
    expect(await at('gpt3_175b', 4096)).toBe(18 * GiB);
    expect(await at('gpt3_175b', 2048)).toBe(9 * GiB);
  });

  test('What it is for: 8 sequences of 4096 tokens on LLaMA-2-7B, 16 GiB (17.2 GB), more than its 13.5 GB of fp16 weights', async () => {
    const cache = await bytes({ ...lessonCfg, batch: 8 });
    expect(cache).toBe(16 * GiB);
    expect(cache / 1e9).toBeCloseTo(17.18, 2);
    expect(cache).toBeGreaterThan(2 * 6_738_415_616);
  });

  test('the reference and the model solution equal the cache filled token by token on every seeded case', async () => {
    for (const c of await seededCases(id)) {
      const [cfg] = c.args as [KvConfig];
      const want = filledStepByStep(cfg);
      expect(await bytes(cfg), c.name).toBe(want);
      expect(kvCacheBytes(cfg), c.name).toBe(want);
    }
  });

  test('the wrong variants on the lesson example give the Pitfalls\' numbers', async () => {
    expect(await wrong(qualified, 'k-and-v', lessonCfg)).toBe(GiB);
    expect(await wrong(qualified, 'kv-heads-left-out', lessonCfg)).toBe(64 * 2 ** 20);
    expect(await wrong(qualified, 'bytes-forgotten', lessonCfg)).toBe(1_073_741_824);
    expect(await wrong(qualified, 'batch-forgotten', { ...models.mistral_7b, seqLen: 4096, batch: 32, bytesPerValue: 2 })).toBe(0.5 * GiB);
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    expect(await expectEachMisconceptionDiagnosed(id)).toEqual(['k-and-v', 'kv-heads-left-out', 'bytes-forgotten', 'batch-forgotten']);
  });

  test('check yourself: the model solution holds the property (seeds 7 and 99)', async () => {
    await expectSolutionHolds(id, { [linear]: 2 }, 'scaling');
  });

  test('check yourself: a cache that grows with the square of the sequence breaks it', async () => {
    const quadratic = await solutionWith(qualified, ['valuesPerToken * cfg.seqLen', 'valuesPerToken * cfg.seqLen * cfg.seqLen']);
    await expectPropertyBroken(id, quadratic, linear, /^Your cache is [\d,]+ bytes, [\d,]+ with twice the tokens and [\d,]+ with twice the sequences; both should be [\d,]+\./, 'scaling');
  });

  test('the ```js block of In practice gives the lesson example and the GQA model', async () => {
    const { tf } = await loadTf();
    expect(await runLessonJs(id, tf, { cfg: lessonCfg })).toBe(2 * GiB);
    expect(await runLessonJs(id, tf, { cfg: { ...models.llama2_70b, seqLen: 4096, batch: 1, bytesPerValue: 2 } })).toBe(1.25 * GiB);
  });
});
