import { anyOf, defineExercise, type Rng } from 'llm-tutor/pack';
import { isNumber, show, wrongKind } from '../memory-math.js';

export interface GptConfig {
  vocab: number;
  context: number;
  dModel: number;
  nLayers: number;
  dFF: number;
  tied: boolean;
}
type Args = [cfg: GptConfig];

/** GPT-2's published sizes: vocabulary 50257, context 1024, dFF = 4·dModel, tied embeddings. */
export const gpt2 = (dModel: number, nLayers: number, tied = true): GptConfig => ({ vocab: 50257, context: 1024, dModel, nLayers, dFF: 4 * dModel, tied });

/**
 * The count part by part, as GPT-2 (nanoGPT's GPT, Hugging Face's GPT2LMHeadModel) lays it out:
 * per block ln_1, attention (c_attn [C, 3C] + 3C, c_proj [C, C] + C), ln_2, MLP (c_fc [C, dFF] + dFF, c_proj [dFF, C] + C);
 * then ln_f, and an output head [C, vocab] without bias only when it is not tied to wte.
 */
export function gptParts(cfg: GptConfig) {
  const { vocab, context, dModel: c, nLayers, dFF } = cfg;
  const attention = 3 * c * c + 3 * c + c * c + c;
  const mlp = c * dFF + dFF + dFF * c + c;
  const layerNorms = 2 * (2 * c);
  const perLayer = attention + mlp + layerNorms;
  const steps = {
    tokenEmbedding: vocab * c,
    positionEmbedding: context * c,
    attention,
    mlp,
    layerNorms,
    perLayer,
    blocks: nLayers * perLayer,
    finalLayerNorm: 2 * c,
    head: cfg.tied ? 0 : c * vocab,
  };
  return { steps, output: steps.tokenEmbedding + steps.positionEmbedding + steps.blocks + steps.finalLayerNorm + steps.head };
}

const count = (cfg: GptConfig) => gptParts(cfg).output;

function randomConfig(rng: Rng): GptConfig {
  const dModel = rng.pick([32, 48, 64, 96, 128]);
  return {
    vocab: rng.int(200, 2000),
    context: rng.pick([96, 160, 320, 640]),
    dModel,
    nLayers: rng.int(1, 8),
    dFF: rng.pick([2, 3, 4]) * dModel + rng.pick([0, 16]),
    tied: rng.next() < 0.5,
  };
}

const describe = (cfg: GptConfig) =>
  `vocab ${cfg.vocab}, context ${cfg.context}, dModel ${cfg.dModel}, ${cfg.nLayers} layers, dFF ${cfg.dFF}, ${cfg.tied ? 'tied' : 'untied'}`;

const counts = (check: (outputs: number[], calls: Args[]) => string | undefined) => (outputs: unknown[], calls: Args[]) =>
  wrongKind('gptParamCount', 'a number', outputs, isNumber) ?? check(outputs as number[], calls);

export default defineExercise<Args, number>({
  entry: 'gptParamCount',
  signature: 'gptParamCount(cfg: { vocab: number; context: number; dModel: number; nLayers: number; dFF: number; tied: boolean }): number',
  cases: (rng) => {
    const random1 = randomConfig(rng);
    const random2 = randomConfig(rng);
    return [
      // The published figures, checked against torch modules in the lesson's python block and by hand in the test.
      { name: 'the lesson example: GPT-2 small (768 wide, 12 layers, tied): 124,439,808', args: [gpt2(768, 12)], expected: 124_439_808 },
      { name: 'GPT-2 medium (1024 wide, 24 layers, tied): 354,823,168', args: [gpt2(1024, 24)], expected: 354_823_168 },
      { name: 'GPT-2 large (1280 wide, 36 layers, tied): 774,030,080', args: [gpt2(1280, 36)], expected: 774_030_080 },
      { name: 'GPT-2 XL (1600 wide, 48 layers, tied): 1,557,611,200', args: [gpt2(1600, 48)], expected: 1_557_611_200 },
      { name: 'GPT-2 small with an untied output head (no bias): 163,037,184', args: [gpt2(768, 12, false)], expected: 163_037_184 },
      { name: 'a tiny model by hand: vocab 10, context 4, dModel 2, 1 layer, dFF 8, untied', args: [{ vocab: 10, context: 4, dModel: 2, nLayers: 1, dFF: 8, tied: false }], expected: 126 },
      { name: `random: ${describe(random1)}`, args: [random1] },
      { name: `random: ${describe(random2)}`, args: [random2] },
      { name: 'an MLP that is not 4·dModel wide: dModel 64, dFF 100, 3 layers, tied', args: [{ vocab: 500, context: 128, dModel: 64, nLayers: 3, dFF: 100, tied: true }] },
      { name: 'no blocks at all: the embeddings and the final LayerNorm', args: [{ vocab: 300, context: 32, dModel: 16, nLayers: 0, dFF: 64, tied: true }] },
    ];
  },
  reference: (_ctx, cfg) => count(cfg),
  trace: (_ctx, cfg) => gptParts(cfg).steps,
  compare: 'exact',
  properties: [
    {
      name: 'untying the output head adds exactly vocab·dModel',
      cases: (rng) => {
        const cfg = randomConfig(rng);
        return [
          { name: 'GPT-2 small, tied then untied', calls: [[gpt2(768, 12, true)], [gpt2(768, 12, false)]] },
          { name: `${describe({ ...cfg, tied: true })}, then untied`, calls: [[{ ...cfg, tied: true }], [{ ...cfg, tied: false }]] },
        ];
      },
      holds: counts(([tied, untied], [[cfg]]) => {
        const want = cfg.vocab * cfg.dModel;
        if (untied - tied === want) return undefined;
        return (
          `Your count is ${show(tied)} tied and ${show(untied)} untied: a difference of ${show(untied - tied)}, not vocab·dModel = ${show(want)}. ` +
          'Tied, the output head reuses wte and adds nothing; untied, it is one more [dModel, vocab] matrix, with no bias.'
        );
      }),
    },
    {
      name: 'every block adds the same number of parameters',
      cases: (rng) => {
        const cfg = randomConfig(rng);
        return [
          { name: 'GPT-2 small with 12, 13 and 14 layers', calls: [[gpt2(768, 12)], [gpt2(768, 13)], [gpt2(768, 14)]] },
          { name: `${describe(cfg)}, then one and two layers more`, calls: [[cfg], [{ ...cfg, nLayers: cfg.nLayers + 1 }], [{ ...cfg, nLayers: cfg.nLayers + 2 }]] },
        ];
      },
      holds: counts(([a, b, c], [[cfg]]) => {
        const want = gptParts(cfg).steps.perLayer;
        if (b - a === want && c - b === want) return undefined;
        return (
          `One more layer adds ${show(b - a)} to your count, the next one ${show(c - b)}; every block has the same weights, ` +
          `4C² + 4C for attention, 2C·dFF + dFF + C for the MLP and 4C for its two LayerNorms: ${show(want)} here.`
        );
      }),
    },
  ],
  misconceptions: [
    {
      id: 'tied-counted-twice',
      title: { en: 'the tied output head counted as a matrix of its own', 'zh-CN': '共享权重的输出头被当成独立的矩阵计数' },
      message: {
        en:
          'With tied embeddings the output head IS the token embedding wte, used a second time (logits = h·wteᵀ): it adds no parameter. ' +
          'Counting it again adds vocab·dModel, 38,597,376 for GPT-2 small (163,037,184 instead of 124,439,808). Add the head only when tied is false.',
        'zh-CN':
          '嵌入共享权重时，输出头「就是」token 嵌入 wte，只是被再用了一次（logits = h·wteᵀ）：它不增加任何参数。再算一次会多出 vocab·dModel，' +
          'GPT-2 small 多 38,597,376（得到 163,037,184，而不是 124,439,808）。只有 tied 为 false 时才加上输出头。',
      },
      hint: {
        en:
          'GPT-2 small has 124,439,808 parameters. What does your count give, and how far off is it? Compare the gap with 50257·768.',
        'zh-CN':
          'GPT-2 small 有 124,439,808 个参数。你的结果是多少，差了多少？把这个差值和 50257·768 比较一下。',
      },
      wrong: (_ctx, cfg) => count({ ...cfg, tied: false }),
    },
    {
      id: 'layernorms-forgotten',
      title: { en: 'the LayerNorms left out', 'zh-CN': '漏掉了 LayerNorm' },
      message: {
        en:
          'Every block has two LayerNorms (ln_1, ln_2) and the model a final one (ln_f), each with a gain and a bias of dModel entries: 2C·(2L + 1) parameters, ' +
          '38,400 for GPT-2 small (you would get 124,401,408). Few, but they are parameters, and the published 124,439,808 counts them.',
        'zh-CN':
          '每个块有两个 LayerNorm（ln_1、ln_2），模型最后还有一个（ln_f），每个都有各含 dModel 个元素的增益和偏置：共 2C·(2L + 1) 个参数，' +
          'GPT-2 small 为 38,400（否则你会得到 124,401,408）。数量不多，但它们也是参数，公布的 124,439,808 把它们算在内。',
      },
      hint: {
        en:
          'Your count for GPT-2 small is a little short of 124,439,808. What does each block hold besides attention and the MLP, and what comes after the last block?',
        'zh-CN':
          '你算出的 GPT-2 small 参数量比 124,439,808 少一点。除了注意力和 MLP，每个块里还有什么？最后一个块之后又有什么？',
      },
      wrong: (_ctx, cfg) => {
        const all = count(cfg);
        const c = cfg.dModel;
        return anyOf(all - 2 * c * (2 * cfg.nLayers + 1), all - 2 * c);
      },
    },
    {
      id: 'biases-forgotten',
      title: { en: 'the biases of the linear layers left out', 'zh-CN': '漏掉了线性层的偏置' },
      message: {
        en:
          'GPT-2\'s linear layers have biases: 3C for c_attn, C for the attention\'s c_proj, dFF for c_fc and C for the MLP\'s c_proj, L·(5C + dFF) in all (82,944 for GPT-2 small). ' +
          'LLaMA drops them; GPT-2 keeps them. Only the untied output head has none.',
        'zh-CN':
          'GPT-2 的线性层带偏置：c_attn 为 3C，注意力的 c_proj 为 C，c_fc 为 dFF，MLP 的 c_proj 为 C，' +
          '共 L·(5C + dFF)（GPT-2 small 为 82,944）。LLaMA 去掉了偏置；GPT-2 保留了它们。只有不共享权重的输出头没有偏置。',
      },
      hint: {
        en:
          'Write each linear layer of a block as [in, out] + bias. How many numbers does the bias of c_fc hold?',
        'zh-CN':
          '把块中每个线性层写成 [in, out] + 偏置。c_fc 的偏置有多少个数？',
      },
      wrong: (_ctx, cfg) => {
        const all = count(cfg);
        const biases = cfg.nLayers * (5 * cfg.dModel + cfg.dFF);
        return anyOf(all - biases, all - biases - cfg.dModel * (2 * cfg.nLayers + 1));
      },
    },
    {
      id: 'position-embeddings-forgotten',
      title: { en: 'the position embedding left out', 'zh-CN': '漏掉了位置嵌入' },
      message: {
        en:
          'GPT-2 learns a position embedding wpe of context × dModel (1024 × 768 = 786,432 for GPT-2 small) added to the token embedding. ' +
          'Models with RoPE (LLaMA) have none; GPT-2 has one.',
        'zh-CN':
          'GPT-2 学习一个 context × dModel 的位置嵌入 wpe（GPT-2 small 为 1024 × 768 = 786,432），' +
          '加到 token 嵌入上。使用 RoPE 的模型（LLaMA）没有它；GPT-2 有。',
      },
      hint: { en: 'How does GPT-2 know where a token is in the sequence? That table has one row per position.', 'zh-CN': 'GPT-2 怎么知道一个 token 在序列中的位置？那张表每个位置一行。' },
      wrong: (_ctx, cfg) => count(cfg) - cfg.context * cfg.dModel,
    },
  ],
  hints: [
    {
      en:
        'Count in three parts: the embeddings (wte and wpe), one block (then times nLayers), and what comes after the last block (ln_f, and the head when it is not tied).',
      'zh-CN':
        '分三部分来数：嵌入（wte 和 wpe）、一个块（再乘以 nLayers），以及最后一个块之后的部分（ln_f，以及不共享权重时的输出头）。',
    },
    {
      en:
        'One block: c_attn [C, 3C] + 3C, c_proj [C, C] + C, c_fc [C, dFF] + dFF, c_proj [dFF, C] + C, and two LayerNorms of 2C each.',
      'zh-CN':
        '一个块：c_attn [C, 3C] + 3C，c_proj [C, C] + C，c_fc [C, dFF] + dFF，c_proj [dFF, C] + C，' +
        '再加两个各 2C 的 LayerNorm。',
    },
    {
      en:
        'vocab·C + context·C + nLayers·(4C² + 4C + 2C·dFF + dFF + C + 4C) + 2C, plus C·vocab only when tied is false.',
      'zh-CN':
        '总数为 vocab·C + context·C + nLayers·(4C² + 4C + 2C·dFF + dFF + C + 4C) + 2C，' +
        '只有 tied 为 false 时再加 C·vocab。',
    },
  ],
});
