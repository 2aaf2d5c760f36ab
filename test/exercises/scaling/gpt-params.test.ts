import { describe, expect, test } from 'vitest';
import { gptParamCount } from '../../../exercises/scaling/memory/gpt-params/solution.js';
import { gpt2, type GptConfig } from '../../../exercises/scaling/memory/gpt-params/exercise.js';
import { loadTf } from '../../../src/reference/backend.js';
import { reference, solutionWith, wrong, wrongAlternatives } from '../../helpers/exercises.js';
import { expectPropertyBroken, expectSolutionHolds } from '../../helpers/properties.js';
import { casesOn, expectEachMisconceptionDiagnosed, lessonBars, runLessonJs, seededCases } from './scaling-helpers.js';

const id = 'memory/gpt-params';
const qualified = `scaling/${id}`;
const untying = 'untying the output head adds exactly vocab·dModel';
const perBlock = 'every block adds the same number of parameters';
const count = async (cfg: GptConfig) => (await reference(qualified, cfg)) as number;

/**
 * The tensors of Hugging Face's GPT2LMHeadModel, by name and shape (its
 * state_dict without the attention masks), counted once each: written
 * independently of the exercise's formula.
 */
function stateDictCount(cfg: GptConfig): number {
  const { vocab, context, dModel: c, nLayers, dFF } = cfg;
  const shapes: [string, number[]][] = [
    ['transformer.wte.weight', [vocab, c]],
    ['transformer.wpe.weight', [context, c]],
  ];
  for (let i = 0; i < nLayers; i++) {
    const h = `transformer.h.${i}`;
    shapes.push(
      [`${h}.ln_1.weight`, [c]], [`${h}.ln_1.bias`, [c]],
      [`${h}.attn.c_attn.weight`, [c, 3 * c]], [`${h}.attn.c_attn.bias`, [3 * c]],
      [`${h}.attn.c_proj.weight`, [c, c]], [`${h}.attn.c_proj.bias`, [c]],
      [`${h}.ln_2.weight`, [c]], [`${h}.ln_2.bias`, [c]],
      [`${h}.mlp.c_fc.weight`, [c, dFF]], [`${h}.mlp.c_fc.bias`, [dFF]],
      [`${h}.mlp.c_proj.weight`, [dFF, c]], [`${h}.mlp.c_proj.bias`, [c]],
    );
  }
  shapes.push(['transformer.ln_f.weight', [c]], ['transformer.ln_f.bias', [c]]);
  if (!cfg.tied) shapes.push(['lm_head.weight', [vocab, c]]);
  return shapes.reduce((sum, [, shape]) => sum + shape.reduce((a, b) => a * b, 1), 0);
}

describe(id, () => {
  test('the published GPT-2 counts: small 124,439,808, medium 354,823,168, large 774,030,080, XL 1,557,611,200', async () => {
    expect(await count(gpt2(768, 12))).toBe(124_439_808);
    expect(await count(gpt2(1024, 24))).toBe(354_823_168);
    expect(await count(gpt2(1280, 36))).toBe(774_030_080);
    expect(await count(gpt2(1600, 48))).toBe(1_557_611_200);
  });

  test('the lesson table by hand: 38,597,376 + 786,432 + 28,348,416 + 56,669,184 + 36,864 + 1,536', async () => {
    expect(50257 * 768).toBe(38_597_376);
    expect(12 * (4 * 768 ** 2 + 4 * 768)).toBe(28_348_416);
    expect(12 * (8 * 768 ** 2 + 5 * 768)).toBe(56_669_184);
    expect(38_597_376 + 786_432 + 28_348_416 + 56_669_184 + 36_864 + 1_536).toBe(await count(gpt2(768, 12)));
    expect(await count(gpt2(768, 12, false))).toBe(163_037_184);
  });

  test('the lesson\'s bars are GPT-2 small\'s parts in millions, from the tensor-by-tensor count', async () => {
    const c = 768;
    const parts = [50257 * c, 1024 * c, 12 * (c * 3 * c + 3 * c + c * c + c), 12 * (2 * c * 4 * c + 4 * c + c), 25 * 2 * c];
    expect(parts.reduce((a, b) => a + b, 0)).toBe(stateDictCount(gpt2(768, 12)));
    expect(await lessonBars(id)).toEqual(parts.map((p) => Number((p / 1e6).toFixed(3))));
  });

  test('the tiny model of the cases by hand: 20 + 8 + (24 + 42 + 8) + 4 + 20 = 126', async () => {
    expect(await count({ vocab: 10, context: 4, dModel: 2, nLayers: 1, dFF: 8, tied: false })).toBe(126);
  });

  test('the reference and the model solution equal the tensor-by-tensor count on every seeded case', async () => {
    for (const c of await seededCases(id)) {
      const [cfg] = c.args as [GptConfig];
      const want = stateDictCount(cfg);
      expect(await count(cfg), c.name).toBe(want);
      expect(gptParamCount(cfg), c.name).toBe(want);
    }
  });

  test('the wrong variants on GPT-2 small give the Pitfalls\' numbers', async () => {
    const small = gpt2(768, 12);
    expect(await wrong(qualified, 'tied-counted-twice', small)).toBe(163_037_184);
    expect(await wrongAlternatives(qualified, 'layernorms-forgotten', small)).toEqual([124_401_408, 124_438_272]);
    expect(await wrong(qualified, 'biases-forgotten', small)).toBe(124_356_864);
    expect(await wrong(qualified, 'position-embeddings-forgotten', small)).toBe(123_653_376);
  });

  test('the lesson\'s Kaplan count 12·L·C² = 84,934,656 against 85,054,464 in the blocks', async () => {
    const blocks = (await count(gpt2(768, 12))) - 38_597_376 - 786_432 - 1_536;
    expect(blocks).toBe(85_054_464);
    expect(12 * 12 * 768 ** 2).toBe(84_934_656);
  });

  test('the cases include a tied and an untied model, and an MLP that is not 4·dModel', async () => {
    const cfgs = (await casesOn(id, 7)).map((c) => (c.args as [GptConfig])[0]);
    expect(cfgs.some((c) => c.tied) && cfgs.some((c) => !c.tied)).toBe(true);
    expect(cfgs.some((c) => c.dFF !== 4 * c.dModel)).toBe(true);
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    expect(await expectEachMisconceptionDiagnosed(id)).toEqual(['tied-counted-twice', 'layernorms-forgotten', 'biases-forgotten', 'position-embeddings-forgotten']);
  });

  test('check yourself: the model solution holds both properties (seeds 7 and 99)', async () => {
    await expectSolutionHolds(id, { [untying]: 2, [perBlock]: 2 }, 'scaling');
  });

  test('check yourself: a head counted even when tied breaks the first; a block growing with depth breaks the second', async () => {
    const alwaysHead = await solutionWith(qualified, ['const head = cfg.tied ? 0 : c * cfg.vocab;', 'const head = c * cfg.vocab;']);
    await expectPropertyBroken(id, alwaysHead, untying, /^Your count is [\d,]+ tied and [\d,]+ untied: a difference of 0, not vocab·dModel = [\d,]+\./, 'scaling');
    const quadratic = await solutionWith(qualified, ['cfg.nLayers * block', 'cfg.nLayers * cfg.nLayers * block']);
    await expectPropertyBroken(id, quadratic, perBlock, /^One more layer adds [\d,]+ to your count, the next one [\d,]+; every block has the same weights/, 'scaling');
  });

  test('check yourself: an output that is not a number says what it must be', async () => {
    await expectPropertyBroken(id, 'export function gptParamCount() { return "124M"; }', untying, /^gptParamCount must return a number; it returned /, 'scaling');
  });

  test('the ```js block of In practice counts GPT-2 small, and the untied XL', async () => {
    const { tf } = await loadTf();
    for (const cfg of [gpt2(768, 12), gpt2(1600, 48, false)]) {
      expect(await runLessonJs(id, tf, { cfg })).toBe(stateDictCount(cfg));
    }
  });
});
