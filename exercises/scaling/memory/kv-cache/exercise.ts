import { defineExercise, type Rng } from 'llm-tutor/pack';
import { gib, isNumber, relative, show, wrongKind } from '../memory-math.js';

export interface KvConfig {
  layers: number;
  kvHeads: number;
  headDim: number;
  seqLen: number;
  batch: number;
  bytesPerValue: number;
}
type Args = [cfg: KvConfig];

/** The cache per token (K and V of every layer), per sequence, and for the batch. */
export function kvSteps(cfg: KvConfig) {
  const valuesPerToken = 2 * cfg.layers * cfg.kvHeads * cfg.headDim;
  const bytesPerToken = valuesPerToken * cfg.bytesPerValue;
  const bytesPerSequence = bytesPerToken * cfg.seqLen;
  return { steps: { valuesPerToken, bytesPerToken, bytesPerSequence }, output: bytesPerSequence * cfg.batch };
}

const bytes = (cfg: KvConfig) => kvSteps(cfg).output;

/** Published configurations (Hugging Face config.json): layers, KV heads and head dimension. */
export const models = {
  llama2_7b: { layers: 32, kvHeads: 32, headDim: 128 },
  llama2_70b: { layers: 80, kvHeads: 8, headDim: 128 },
  mistral_7b: { layers: 32, kvHeads: 8, headDim: 128 },
  gpt3_175b: { layers: 96, kvHeads: 96, headDim: 128 },
};

/** The lesson example: LLaMA-2-7B, one sequence of 4096 tokens, fp16. */
export const lessonCfg: KvConfig = { ...models.llama2_7b, seqLen: 4096, batch: 1, bytesPerValue: 2 };

function randomConfig(rng: Rng): KvConfig {
  return {
    layers: rng.int(2, 48),
    kvHeads: rng.pick([4, 8, 12, 16]),
    headDim: rng.pick([32, 64, 96, 128]),
    seqLen: rng.int(100, 9000),
    batch: rng.int(3, 16),
    bytesPerValue: rng.pick([1, 2, 4]),
  };
}

const describe = (c: KvConfig) => `${c.layers} layers, ${c.kvHeads} KV heads of ${c.headDim}, ${c.seqLen} tokens × ${c.batch}, ${c.bytesPerValue} bytes`;

export default defineExercise<Args, number>({
  entry: 'kvCacheBytes',
  signature: 'kvCacheBytes(cfg: { layers: number; kvHeads: number; headDim: number; seqLen: number; batch: number; bytesPerValue: number }): number',
  cases: (rng) => {
    const random1 = randomConfig(rng);
    const random2 = randomConfig(rng);
    return [
      { name: 'the lesson example: LLaMA-2-7B (32 layers, 32 KV heads of 128), 4096 tokens, fp16: 2 GiB', args: [lessonCfg], expected: 2_147_483_648 },
      { name: 'LLaMA-2-70B with grouped-query attention (80 layers, 8 KV heads of 128), 4096 tokens, fp16: 1.25 GiB', args: [{ ...models.llama2_70b, seqLen: 4096, batch: 1, bytesPerValue: 2 }], expected: 1_342_177_280 },
      { name: 'Mistral 7B (32 layers, 8 KV heads of 128), a batch of 32 sequences of 4096 tokens, fp16: 16 GiB', args: [{ ...models.mistral_7b, seqLen: 4096, batch: 32, bytesPerValue: 2 }], expected: 17_179_869_184 },
      { name: 'GPT-3 175B (96 layers, 96 heads of 128), its 2048-token context, fp16: 9 GiB', args: [{ ...models.gpt3_175b, seqLen: 2048, batch: 1, bytesPerValue: 2 }], expected: 9_663_676_416 },
      { name: 'LLaMA-2-7B with an int8 cache (1 byte per value), 4096 tokens: 1 GiB', args: [{ ...lessonCfg, bytesPerValue: 1 }], expected: 1_073_741_824 },
      { name: `random: ${describe(random1)}`, args: [random1] },
      { name: `random: ${describe(random2)}`, args: [random2] },
      { name: 'one layer, one KV head of 64, one token, fp32: 2·64·4 bytes', args: [{ layers: 1, kvHeads: 1, headDim: 64, seqLen: 1, batch: 1, bytesPerValue: 4 }], expected: 512 },
      { name: 'an empty cache (no tokens yet): 0 bytes', args: [{ layers: 12, kvHeads: 12, headDim: 64, seqLen: 0, batch: 4, bytesPerValue: 2 }], expected: 0 },
    ];
  },
  reference: (_ctx, cfg) => bytes(cfg),
  trace: (_ctx, cfg) => kvSteps(cfg).steps,
  compare: relative,
  properties: [
    {
      name: 'twice the tokens or twice the sequences take twice the cache',
      cases: (rng) => {
        const cfg = randomConfig(rng);
        return [
          { name: 'the lesson example, then 8192 tokens, then 2 sequences', calls: [[lessonCfg], [{ ...lessonCfg, seqLen: 8192 }], [{ ...lessonCfg, batch: 2 }]] },
          { name: `${describe(cfg)}, then twice the tokens, then twice the batch`, calls: [[cfg], [{ ...cfg, seqLen: 2 * cfg.seqLen }], [{ ...cfg, batch: 2 * cfg.batch }]] },
        ];
      },
      holds: (outputs) => {
        const odd = wrongKind('kvCacheBytes', 'a number', outputs, isNumber);
        if (odd) return odd;
        const [base, longer, wider] = outputs as number[];
        const twice = (x: number) => Math.abs(x - 2 * base) <= 1e-9 * 2 * base;
        if (twice(longer) && twice(wider)) return undefined;
        return (
          `Your cache is ${show(base)} bytes, ${show(longer)} with twice the tokens and ${show(wider)} with twice the sequences; both should be ${show(2 * base)}. ` +
          'Every token of every sequence stores the same K and V vectors in every layer, so the cache is proportional to seqLen and to batch.'
        );
      },
    },
  ],
  misconceptions: [
    {
      id: 'k-and-v',
      title: { en: 'only one of K and V counted', 'zh-CN': 'K 和 V 只算了一个' },
      message: {
        en:
          'The cache keeps two vectors per token, head and layer: the key (for the scores) and the value (for the weighted sum). ' +
          `Counting one gives half: ${gib(bytes(lessonCfg) / 2)} for the lesson example instead of ${gib(bytes(lessonCfg))}. The factor 2 is K and V.`,
        'zh-CN':
          '缓存为每个 token、每个头、每一层保存两个向量：键（用于计算分数）和值（用于加权求和）。' +
          `只算其一就只有一半：课程示例得到 ${gib(bytes(lessonCfg) / 2)}，而不是 ${gib(bytes(lessonCfg))}。因子 2 指的就是 K 和 V。`,
      },
      hint: {
        en:
          'Attention at the next step needs two things from every earlier token. Which two, and did you count both?',
        'zh-CN':
          '下一步的注意力需要每个之前 token 的两样东西。是哪两样？你两样都算了吗？',
      },
      wrong: (_ctx, cfg) => bytes(cfg) / 2,
    },
    {
      id: 'kv-heads-left-out',
      title: { en: 'kvHeads left out: one head per layer', 'zh-CN': '漏掉了 kvHeads：每层只算一个头' },
      message: {
        en:
          'Each layer caches kvHeads heads of headDim values for K and for V (32 in LLaMA-2-7B; 8 in LLaMA-2-70B, whose 64 query heads share them by grouped-query attention). ' +
          'Leaving kvHeads out counts one head per layer; counting the query heads instead would overcount a GQA model 8 times. Multiply by kvHeads.',
        'zh-CN':
          '每一层为 K 和 V 各缓存 kvHeads 个头、每头 headDim 个值（LLaMA-2-7B 中为 32；LLaMA-2-70B 中为 8，' +
          '它的 64 个查询头通过分组查询注意力共享这些头）。漏掉 kvHeads 就成了每层只算一个头；而改用查询头数则会把 GQA 模型多算 8 倍。' +
          '要乘以 kvHeads。',
      },
      hint: {
        en:
          'How many keys of headDim values does one layer store for one token? Count the heads that have their own K and V.',
        'zh-CN':
          '对一个 token，一层要存储多少个含 headDim 个值的键？数一数拥有独立 K 和 V 的头。',
      },
      wrong: (_ctx, cfg) => bytes(cfg) / cfg.kvHeads,
    },
    {
      id: 'bytes-forgotten',
      title: { en: 'values counted, not bytes', 'zh-CN': '算的是值的个数，不是字节数' },
      message: {
        en:
          'The product of layers, heads, headDim, tokens and batch (times 2) counts values; each takes bytesPerValue bytes (2 in fp16, 1 in int8, 4 in fp32). ' +
          `For the lesson example that is ${show(bytes(lessonCfg) / 2)} values, ${show(bytes(lessonCfg))} bytes.`,
        'zh-CN':
          '层数、头数、headDim、token 数和 batch 的乘积（再乘 2）是值的个数；每个值占 bytesPerValue 字节（fp16 为 2，int8 为 1，fp32 为 4）。' +
          `在课程示例中是 ${show(bytes(lessonCfg) / 2)} 个值，即 ${show(bytes(lessonCfg))} 字节。`,
      },
      hint: {
        en:
          'Your number is a count of values. How many bytes does one fp16 value take, and where does your function use cfg.bytesPerValue?',
        'zh-CN':
          '你的结果是值的个数。一个 fp16 值占几个字节？你的函数在哪里用到了 cfg.bytesPerValue？',
      },
      wrong: (_ctx, cfg) => bytes(cfg) / cfg.bytesPerValue,
    },
    {
      id: 'batch-forgotten',
      title: { en: 'one sequence counted instead of the batch', 'zh-CN': '只算了一个序列，而不是整个批次' },
      message: {
        en:
          'Every sequence of the batch has its own cache: its tokens have their own keys and values. ' +
          'Multiply the cache of one sequence by batch: Mistral 7B with 32 sequences of 4096 tokens needs 16 GiB, not 0.5 GiB.',
        'zh-CN':
          '批次中的每个序列都有自己的缓存：它的 token 有自己的键和值。把一个序列的缓存乘以 batch：Mistral 7B 处理 32 个 4096 token 的序列需要 16 GiB，' +
          '而不是 0.5 GiB。',
      },
      hint: { en: 'Two requests decoded together: can they share their keys and values? Then what does batch multiply?', 'zh-CN': '两个请求一起解码：它们能共享键和值吗？那么 batch 乘的是什么？' },
      wrong: (_ctx, cfg) => bytes(cfg) / cfg.batch,
    },
  ],
  hints: [
    {
      en:
        'Count the values one token adds to the cache: in every layer, a key and a value vector for every KV head.',
      'zh-CN':
        '数一数一个 token 往缓存里添加多少个值：每一层中，每个 KV 头各一个键向量和一个值向量。',
    },
    {
      en:
        'One token: 2 · layers · kvHeads · headDim values. Then multiply by the tokens, the sequences and the bytes per value.',
      'zh-CN':
        '一个 token：2 · layers · kvHeads · headDim 个值。再乘以 token 数、序列数和每个值的字节数。',
    },
    { en: 'Return 2 · layers · kvHeads · headDim · seqLen · batch · bytesPerValue.', 'zh-CN': '返回 2 · layers · kvHeads · headDim · seqLen · batch · bytesPerValue。' },
  ],
});
