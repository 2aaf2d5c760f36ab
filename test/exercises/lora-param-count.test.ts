import { describe, expect, test } from 'vitest';
import { diagnoseEachMisconception, reference, wrong } from '../helpers/exercises.js';
import { expectPropertyBroken, expectSolutionHolds } from '../helpers/properties.js';

const id = 'lora/param-count';
const linear = 'doubling r doubles the trainable count';
const frozenFixed = 'the frozen count depends on neither r nor the targets';

type Target = 'q' | 'k' | 'v' | 'o' | 'up' | 'down';
const cfg = (dModel: number, dFF: number, nLayers: number, r: number, targets: Target[]) => ({ dModel, dFF, nLayers, r, targets });

// The lesson's worked example.
const lesson = cfg(64, 192, 3, 4, ['q', 'v', 'up', 'v']);

describe(id, () => {
  test('one 4096 × 4096 matrix at r = 8 has an adapter of 65,536 parameters (NUMERICS.md §4)', async () => {
    const got = (await reference(id, cfg(4096, 11008, 1, 8, ['q']))) as { trainable: number; frozen: number };
    expect(got.trainable).toBe(65_536);
  });

  test('reference matches the lesson worked example: { trainable: 6144, frozen: 122880 }', async () => {
    // Per layer: q and v 4·(64 + 64) = 512 each, up 4·(64 + 192) = 1024; frozen 4·64² + 2·64·192 = 40,960.
    expect(await reference(id, lesson)).toEqual({ trainable: 6144, frozen: 122880 });
  });

  test('reference: the lesson\'s two real sizes', async () => {
    expect(await reference(id, cfg(4096, 11008, 32, 8, ['q', 'v']))).toEqual({ trainable: 4_194_304, frozen: 5_033_164_800 });
    expect(await reference(id, cfg(768, 3072, 12, 16, ['q', 'k', 'v', 'o', 'up', 'down']))).toEqual({ trainable: 2_654_208, frozen: 84_934_656 });
  });

  test('reference: the LoRA paper\'s 18M budget on GPT-3 175B (r 8 on one type = r 4 on two = 18,874,368)', async () => {
    const one = (await reference(id, cfg(12288, 4 * 12288, 96, 8, ['q']))) as { trainable: number };
    const two = (await reference(id, cfg(12288, 4 * 12288, 96, 4, ['q', 'v']))) as { trainable: number };
    expect(one.trainable).toBe(18_874_368);
    expect(two.trainable).toBe(18_874_368);
  });

  test('reference: duplicates count once; frozen does not depend on the targets; no targets trains nothing', async () => {
    expect(await reference(id, cfg(32, 80, 3, 2, ['k', 'k', 'down', 'down']))).toEqual(await reference(id, cfg(32, 80, 3, 2, ['down', 'k'])));
    const frozen = 3 * (4 * 32 * 32 + 2 * 32 * 80);
    for (const targets of [[], ['q'], ['up', 'down'], ['q', 'k', 'v', 'o', 'up', 'down']] as Target[][]) {
      expect(((await reference(id, cfg(32, 80, 3, 2, targets))) as { frozen: number }).frozen).toBe(frozen);
    }
    expect(await reference(id, cfg(32, 80, 3, 2, []))).toEqual({ trainable: 0, frozen });
  });

  test('the wrong variants give the lesson table', async () => {
    expect(await wrong(id, 'r-times-d-squared', lesson)).toEqual({ trainable: 147456, frozen: 122880 });
    expect(await wrong(id, 'duplicates-counted', lesson)).toEqual({ trainable: 7680, frozen: 122880 });
    expect(await wrong(id, 'mlp-as-square', lesson)).toEqual({ trainable: 4608, frozen: 73728 });
    expect(await wrong(id, 'layers-not-multiplied', lesson)).toEqual({ trainable: 2048, frozen: 40960 });
    expect(await wrong(id, 'frozen-excludes-targets', lesson)).toEqual({ trainable: 6144, frozen: 61440 });
    expect(await wrong(id, 'one-factor-only', lesson)).toEqual({ trainable: 2304, frozen: 122880 });
  });

  for (const seed of [7, 42, 2024]) {
    test(`every misconception fails the reference and is diagnosed as itself (seed ${seed})`, async () => {
      for (const result of await diagnoseEachMisconception(id, seed)) {
        expect(result.failingCases, result.id).toBeGreaterThan(0);
        expect(result.diagnosed, result.id).toBe(result.id);
      }
    });
  }

  test('reference, Check yourself: the worked example at r 8 has 12,288 trainable, and 122,880 frozen at any rank or targets', async () => {
    // Hand-worked: 3 layers · 8·((64 + 64) + (64 + 64) + (64 + 192)) = 3 · 4,096.
    expect(await reference(id, cfg(64, 192, 3, 8, ['q', 'v', 'up']))).toEqual({ trainable: 12_288, frozen: 122_880 });
    expect(await reference(id, cfg(64, 192, 3, 16, []))).toEqual({ trainable: 0, frozen: 122_880 });
  });

  test('check yourself: the model solution holds both properties on seeds 7 and 99', async () => {
    await expectSolutionHolds(id, { [linear]: 2, [frozenFixed]: 2 });
  });

  test('check yourself: adapters of r² parameters counted among the frozen weights break both properties', async () => {
    const squared = `export function loraParamCount(cfg: { dModel: number; dFF: number; nLayers: number; r: number; targets: string[] }) {
  const shape = (t: string) => (t === 'up' ? [cfg.dModel, cfg.dFF] : t === 'down' ? [cfg.dFF, cfg.dModel] : [cfg.dModel, cfg.dModel]);
  const adapters = [...new Set(cfg.targets)].reduce((sum, t) => sum + cfg.r * cfg.r * (shape(t)[0] + shape(t)[1]), 0);
  const weights = 4 * cfg.dModel * cfg.dModel + 2 * cfg.dModel * cfg.dFF;
  return { trainable: cfg.nLayers * adapters, frozen: cfg.nLayers * (weights + adapters) };
}`;
    await expectPropertyBroken(id, squared, linear, /^Your trainable count is \d+ at r (\d+) and \d+ at r \d+, not twice as many\. Each adapter is A: \[in, r\]/);
    await expectPropertyBroken(id, squared, frozenFixed, /^Your frozen count is \d+ for the first configuration and \d+ for the second, which changes only r and the targets\./);
  });
});
