import { defineExercise, type Rng } from 'llm-tutor/pack';
import { gb, isNumber, relative, show, wrongKind } from '../memory-math.js';

type Recompute = 'none' | 'full';
export interface ActivationConfig {
  seq: number;
  batch: number;
  hidden: number;
  heads: number;
  recompute: Recompute;
}
type Args = [cfg: ActivationConfig];

/**
 * Korthikanti et al. 2022, §4.1: what one Transformer layer stores for the
 * backward pass, in bytes (16-bit activations, 1-byte dropout masks).
 * Attention 11sbh + 5as²b, MLP 19sbh, the two LayerNorms 4sbh: sbh(34 + 5as/h).
 * With full recomputation only the layer's input is kept, 2sbh.
 */
export function activationSteps(cfg: ActivationConfig, perHead = true) {
  const { seq: s, batch: b, hidden: h, heads: a } = cfg;
  const sbh = s * b * h;
  const attentionLinear = 11 * sbh;
  const attentionScores = 5 * (perHead ? a : 1) * s * s * b;
  const mlp = 19 * sbh;
  const layerNorms = 4 * sbh;
  const layerInput = 2 * sbh;
  const output = cfg.recompute === 'full' ? layerInput : attentionLinear + attentionScores + mlp + layerNorms;
  return { steps: cfg.recompute === 'full' ? { layerInput } : { attentionLinear, attentionScores, mlp, layerNorms }, output };
}

const bytes = (cfg: ActivationConfig) => activationSteps(cfg).output;

/** The lesson example: GPT-2 small's width and heads, its full context, a batch of 8. */
export const lessonCfg: ActivationConfig = { seq: 1024, batch: 8, hidden: 768, heads: 12, recompute: 'none' };
/** GPT-3 175B (Brown et al. 2020, Table 2.1), one sequence of its 2048 tokens. */
export const gpt3: ActivationConfig = { seq: 2048, batch: 1, hidden: 12288, heads: 96, recompute: 'none' };
/** Megatron-Turing NLG 530B (Smith et al. 2022), as in Korthikanti et al.'s experiments. */
export const mtnlg: ActivationConfig = { seq: 2048, batch: 1, hidden: 20480, heads: 128, recompute: 'none' };

function randomConfig(rng: Rng, recompute: Recompute): ActivationConfig {
  const heads = rng.pick([4, 8, 12, 16, 32]);
  return { seq: rng.pick([128, 256, 512, 1000, 2048]), batch: rng.int(1, 16), hidden: heads * rng.pick([32, 64, 128]), heads, recompute };
}

const describe = (c: ActivationConfig) => `s ${c.seq}, b ${c.batch}, h ${c.hidden}, a ${c.heads}, recompute ${c.recompute}`;
const numbers = (check: (out: number[], calls: Args[]) => string | undefined) => (out: unknown[], calls: Args[]) =>
  wrongKind('activationBytesPerLayer', 'a number', out, isNumber) ?? check(out as number[], calls);

export default defineExercise<Args, number>({
  entry: 'activationBytesPerLayer',
  signature: 'activationBytesPerLayer(cfg: { seq: number; batch: number; hidden: number; heads: number; recompute: "none" | "full" }): number',
  cases: (rng) => {
    const random1 = randomConfig(rng, 'none');
    const random2 = randomConfig(rng, 'full');
    return [
      { name: 'the lesson example: GPT-2 small\'s width (768, 12 heads), 1024 tokens, batch 8, no recomputation', args: [lessonCfg], expected: 717_225_984 },
      { name: 'the lesson example with full recomputation: only the layer\'s input, 2sbh', args: [{ ...lessonCfg, recompute: 'full' }], expected: 12_582_912 },
      { name: 'GPT-3 175B (h 12288, 96 heads), one sequence of 2048 tokens: 5as/h = 80 outweighs the 34', args: [gpt3], expected: 2_868_903_936 },
      { name: 'GPT-3 175B with full recomputation', args: [{ ...gpt3, recompute: 'full' }], expected: 50_331_648 },
      { name: 'MT-NLG 530B (h 20480, 128 heads), one sequence of 2048 tokens', args: [mtnlg], expected: 4_110_417_920 },
      { name: 'a long context: 8192 tokens at LLaMA-2-7B\'s width (4096, 32 heads), batch 1', args: [{ seq: 8192, batch: 1, hidden: 4096, heads: 32, recompute: 'none' }], expected: 11_878_268_928 },
      { name: `random: ${describe(random1)}`, args: [random1] },
      { name: `random: ${describe(random2)}`, args: [random2] },
      { name: 'one token, one head of 8: s = b = 1, h = 8, a = 1 (8·(34 + 5/8) bytes)', args: [{ seq: 1, batch: 1, hidden: 8, heads: 1, recompute: 'none' }], expected: 277 },
    ];
  },
  reference: (_ctx, cfg) => bytes(cfg),
  trace: (_ctx, cfg) => activationSteps(cfg).steps,
  compare: relative,
  properties: [
    {
      name: 'without recomputation, twice the sequence takes more than twice the memory',
      cases: (rng) => {
        const cfg = randomConfig(rng, 'none');
        return [
          { name: 'the lesson example, then 2048 tokens', calls: [[lessonCfg], [{ ...lessonCfg, seq: 2048 }]] },
          { name: `${describe(cfg)}, then twice the tokens`, calls: [[cfg], [{ ...cfg, seq: 2 * cfg.seq }]] },
        ];
      },
      holds: numbers(([once, twice], [[cfg]]) => {
        if (twice > 2 * once * (1 + 1e-9)) return undefined;
        return (
          `Your layer keeps ${show(once)} bytes at s = ${cfg.seq} and ${show(twice)} at s = ${2 * cfg.seq}: at most twice as much. ` +
          'The attention scores, the softmax output and its dropout mask are a×s×s per sequence (5as²b bytes), so that part grows four times when s doubles.'
        );
      }),
    },
    {
      name: 'with full recomputation the memory does not depend on the heads',
      cases: (rng) => {
        const cfg = randomConfig(rng, 'full');
        return [
          { name: 'the lesson example with full recomputation, 12 heads then 24', calls: [[{ ...lessonCfg, recompute: 'full' }], [{ ...lessonCfg, heads: 24, recompute: 'full' }]] },
          { name: `${describe(cfg)}, then twice the heads`, calls: [[cfg], [{ ...cfg, heads: 2 * cfg.heads }]] },
        ];
      },
      holds: numbers(([fewer, more], [[cfg]]) => {
        if (fewer === more && fewer > 0) return undefined;
        return (
          `With full recomputation your layer keeps ${show(fewer)} bytes with ${cfg.heads} heads and ${show(more)} with ${2 * cfg.heads}. ` +
          'It keeps only its input, s·b·h values of 2 bytes, and recomputes everything else (scores included) in the backward pass: the heads do not enter, and it is never 0.'
        );
      }),
    },
  ],
  misconceptions: [
    {
      id: 'attention-term-forgotten',
      title: { en: 'the attention scores left out: 34sbh', 'zh-CN': '漏掉了注意力分数：只算了 34sbh' },
      message: {
        en:
          'Attention stores, per head, the softmax output (2 bytes), its dropout mask (1) and the dropout output (2) for every pair of positions: 5as²b bytes, the 5as/h of sbh(34 + 5as/h). ' +
          `Without it the lesson example gives ${gb(34 * 1024 * 8 * 768)} instead of ${gb(bytes(lessonCfg))}; 34sbh is what selective recomputation keeps, recomputing exactly that part.`,
        'zh-CN':
          '注意力对每个头、每一对位置都要存储 softmax 输出（2 字节）、它的 dropout 掩码（1）和 dropout 输出（2）：共 5as²b 字节，即 sbh(34 + 5as/h) 中的 5as/h 部分。' +
          `少了它，课程示例得到的是 ${gb(34 * 1024 * 8 * 768)}，而不是 ${gb(bytes(lessonCfg))}；34sbh 正是选择性重计算所保留的量，它恰好重新计算这一部分。`,
      },
      hint: {
        en:
          'Which tensors of attention have a size that grows with s², not s·h? How many bytes per entry does each keep?',
        'zh-CN':
          '注意力中哪些张量的大小随 s² 增长，而不是随 s·h 增长？每个元素各保留几个字节？',
      },
      wrong: (_ctx, cfg) => (cfg.recompute === 'full' ? bytes(cfg) : 34 * cfg.seq * cfg.batch * cfg.hidden),
    },
    {
      id: 'scores-once-not-per-head',
      title: { en: 'one s × s attention matrix per sequence instead of one per head', 'zh-CN': '每个序列只算一个 s × s 注意力矩阵，而不是每个头一个' },
      message: {
        en:
          'Each of the a heads computes its own s × s scores and softmax, so the quadratic term is 5·a·s²·b bytes, not 5·s²·b. ' +
          `On the lesson example (12 heads) that is ${gb(bytes(lessonCfg))}, not ${gb(activationSteps(lessonCfg, false).output)}.`,
        'zh-CN':
          'a 个头中的每一个都计算自己的 s × s 分数和 softmax，所以二次项是 5·a·s²·b 字节，而不是 5·s²·b。' +
          `在课程示例（12 个头）中是 ${gb(bytes(lessonCfg))}，而不是 ${gb(activationSteps(lessonCfg, false).output)}。`,
      },
      hint: { en: 'How many softmax matrices of s × s does one layer of 12 heads compute for one sequence?', 'zh-CN': '对一个序列，12 个头的一层要计算多少个 s × s 的 softmax 矩阵？' },
      wrong: (_ctx, cfg) => activationSteps(cfg, false).output,
    },
    {
      id: 'recompute-keeps-nothing',
      title: { en: 'full recomputation keeping nothing', 'zh-CN': '完全重计算时什么都不保留' },
      message: {
        en:
          'Full recomputation still keeps each layer\'s input, s·b·h values of 2 bytes (2sbh): the backward pass runs the layer\'s forward pass again from it. ' +
          `For the lesson example that is ${show(2 * 1024 * 8 * 768)} bytes per layer, not 0.`,
        'zh-CN':
          '完全重计算仍然保留每一层的输入，即 s·b·h 个 2 字节的值（2sbh）：反向传播要从它出发重新运行该层的前向传播。' +
          `在课程示例中这是每层 ${show(2 * 1024 * 8 * 768)} 字节，而不是 0。`,
      },
      hint: { en: 'To recompute a layer\'s activations in the backward pass, what must still be there to start from?', 'zh-CN': '要在反向传播中重新计算一层的激活值，必须还留着什么作为起点？' },
      wrong: (_ctx, cfg) => (cfg.recompute === 'full' ? 0 : bytes(cfg)),
    },
    {
      id: 'recompute-ignored',
      title: { en: 'recompute ignored: full recomputation counted as none', 'zh-CN': '忽略了 recompute：把完全重计算当作不重计算' },
      message: {
        en:
          'With recompute "full" the layer keeps only its input, 2sbh bytes, and recomputes the rest during the backward pass. ' +
          `Your number is the one without recomputation (${gb(bytes(lessonCfg))} for the lesson example instead of ${gb(2 * 1024 * 8 * 768)}): look at cfg.recompute.`,
        'zh-CN':
          'recompute 为 "full" 时，该层只保留输入（2sbh 字节），其余部分在反向传播时重新计算。' +
          `你的结果是不重计算时的值（课程示例中为 ${gb(bytes(lessonCfg))}，而应为 ${gb(2 * 1024 * 8 * 768)}）：看一看 cfg.recompute。`,
      },
      hint: {
        en:
          'Compare your result for recompute "none" and "full" on the lesson example. Should they be the same?',
        'zh-CN':
          '在课程示例上比较 recompute 为 "none" 和 "full" 时你的结果。它们应该相同吗？',
      },
      wrong: (_ctx, cfg) => bytes({ ...cfg, recompute: 'none' }),
    },
  ],
  hints: [
    {
      en:
        'One 16-bit copy of the layer\'s input is s·b·h values, 2·s·b·h bytes. Add up the tensors the layer keeps for the backward pass, in units of sbh and of as²b.',
      'zh-CN':
        '该层输入的一份 16 位副本是 s·b·h 个值，即 2·s·b·h 字节。把该层为反向传播保留的张量加起来，以 sbh 和 as²b 为单位。',
    },
    {
      en:
        'Attention keeps 11sbh + 5as²b bytes, the MLP 19sbh, the two LayerNorms 4sbh; with full recomputation only the input, 2sbh.',
      'zh-CN':
        '注意力保留 11sbh + 5as²b 字节，MLP 保留 19sbh，两个 LayerNorm 保留 4sbh；完全重计算时只保留输入，即 2sbh。',
    },
    { en: 'recompute "none": s·b·h·(34 + 5·a·s/h); recompute "full": 2·s·b·h.', 'zh-CN': 'recompute 为 "none"：s·b·h·(34 + 5·a·s/h)；recompute 为 "full"：2·s·b·h。' },
  ],
});
