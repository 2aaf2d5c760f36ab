import { anyOf, defineExercise, type Rng } from 'llm-tutor/pack';
import { relative, show } from '../../memory/memory-math.js';

export interface PlanConfig {
  params: number;
  tokens?: number;
  gpus: number;
  peakFlops: number;
  mfu: number;
}
export interface Plan {
  tokens: number;
  flops: number;
  seconds: number;
}
type Args = [cfg: PlanConfig];

/** Chinchilla's compute-optimal ratio (Hoffmann et al. 2022): about 20 training tokens per parameter. */
export const TOKENS_PER_PARAM = 20;
/** An A100's dense bf16 peak, FLOP/s. */
export const A100 = 312e12;

/** The plan step by step: tokens (defaulted only when absent), 6·N·D FLOPs, the cluster's achieved rate, the time. */
export function planSteps(cfg: PlanConfig, flopsPerParamToken = 6) {
  const tokens = cfg.tokens ?? TOKENS_PER_PARAM * cfg.params;
  const flops = flopsPerParamToken * cfg.params * tokens;
  const achievedFlopsPerSecond = cfg.gpus * cfg.peakFlops * cfg.mfu;
  const seconds = flops / achievedFlopsPerSecond;
  return {
    steps: { tokens, tokensDefaulted: cfg.tokens === undefined, flops, achievedFlopsPerSecond, seconds, hours: seconds / 3600, days: seconds / 86400 },
    output: { tokens, flops, seconds },
  };
}

const plan = (cfg: PlanConfig, flopsPerParamToken = 6): Plan => planSteps(cfg, flopsPerParamToken).output;

/** The lesson example: the syllabus's 1-billion-parameter model, Chinchilla's tokens, A100s at MFU 0.4. */
export const lessonCfg: PlanConfig = { params: 1e9, gpus: 8, peakFlops: A100, mfu: 0.4 };

function randomConfig(rng: Rng, withTokens: boolean): PlanConfig {
  const params = rng.int(1, 9) * 10 ** rng.int(8, 10);
  const cfg: PlanConfig = { params, gpus: rng.pick([1, 16, 128, 512]), peakFlops: rng.pick([125e12, 312e12, 989e12]), mfu: rng.pick([0.3, 0.35, 0.45, 0.5]) };
  if (withTokens) cfg.tokens = rng.int(2, 300) * 1e9;
  return cfg;
}

const describe = (c: PlanConfig) =>
  `${show(c.params)} parameters, ${c.tokens === undefined ? 'default tokens' : `${show(c.tokens)} tokens`}, ${c.gpus} GPUs of ${show(c.peakFlops / 1e12)} TFLOP/s at MFU ${c.mfu}`;

const isPlan = (x: unknown): x is Plan =>
  typeof x === 'object' && x !== null && ['tokens', 'flops', 'seconds'].every((k) => typeof (x as Record<string, unknown>)[k] === 'number');
const plans = (check: (out: Plan[], calls: Args[]) => string | undefined) => (out: unknown[], calls: Args[]) => {
  const odd = out.find((o) => !isPlan(o));
  if (odd !== undefined) return `trainingPlan must return { tokens, flops, seconds }, three numbers; it returned ${JSON.stringify(odd)?.slice(0, 80)}.`;
  return check(out as Plan[], calls);
};

export default defineExercise<Args, Plan>({
  entry: 'trainingPlan',
  signature: 'trainingPlan(cfg: { params: number; tokens?: number; gpus: number; peakFlops: number; mfu: number }): { tokens: number; flops: number; seconds: number }',
  cases: (rng) => {
    const random1 = randomConfig(rng, true);
    const random2 = randomConfig(rng, false);
    return [
      {
        name: 'the lesson example: the syllabus\'s 1 B-parameter model, default tokens, 8 A100s at MFU 0.4 (1.39 days)',
        args: [lessonCfg],
        expected: { tokens: 2e10, flops: 1.2e20, seconds: 120_192.30769230769 },
      },
      {
        name: 'the same model on 64 A100s at MFU 0.4 (4.17 hours)',
        args: [{ ...lessonCfg, gpus: 64 }],
        expected: { tokens: 2e10, flops: 1.2e20, seconds: 15_024.038461538461 },
      },
      {
        name: 'Chinchilla: 70 B parameters on its 1.4 T tokens, given, on 1024 A100s at MFU 0.4',
        args: [{ params: 70e9, tokens: 1.4e12, gpus: 1024, peakFlops: A100, mfu: 0.4 }],
        expected: { tokens: 1.4e12, flops: 5.88e23, seconds: 4_601_111.778846154 },
      },
      {
        name: 'GPT-3: 175 B parameters on 300 B tokens (3.15e23 FLOPs), 1024 A100s at MFU 0.4',
        args: [{ params: 175e9, tokens: 300e9, gpus: 1024, peakFlops: A100, mfu: 0.4 }],
        expected: { tokens: 3e11, flops: 3.15e23, seconds: 2_464_881.310096154 },
      },
      {
        name: 'LLaMA-2-7B (6,738,415,616 parameters) on 2 T tokens, one A100 at MFU 0.4: its GPU-seconds',
        args: [{ params: 6_738_415_616, tokens: 2e12, gpus: 1, peakFlops: A100, mfu: 0.4 }],
      },
      { name: `random: ${describe(random1)}`, args: [random1] },
      { name: `random: ${describe(random2)}`, args: [random2] },
      { name: 'an undertrained small model: 124 M parameters on 10 B tokens, one H100 (989 TFLOP/s) at MFU 0.5', args: [{ params: 124e6, tokens: 10e9, gpus: 1, peakFlops: 989e12, mfu: 0.5 }] },
      { name: 'the hardware\'s peak: MFU 1, one GPU, default tokens', args: [{ params: 1e8, gpus: 1, peakFlops: A100, mfu: 1 }] },
    ];
  },
  reference: (_ctx, cfg) => plan(cfg),
  trace: (_ctx, cfg) => planSteps(cfg).steps,
  compare: relative,
  properties: [
    {
      name: 'twice the GPUs take half the time',
      cases: (rng) => {
        const cfg = randomConfig(rng, true);
        return [
          { name: 'the lesson example on 8, then 16 GPUs', calls: [[lessonCfg], [{ ...lessonCfg, gpus: 16 }]] },
          { name: `${describe(cfg)}, then twice the GPUs`, calls: [[cfg], [{ ...cfg, gpus: 2 * cfg.gpus }]] },
        ];
      },
      holds: plans(([few, many], [[cfg]]) => {
        if (Math.abs(many.seconds - few.seconds / 2) <= 1e-9 * few.seconds) return undefined;
        return (
          `Your run takes ${show(few.seconds)} s on ${cfg.gpus} GPUs and ${show(many.seconds)} s on ${2 * cfg.gpus}. ` +
          'The work, 6·params·tokens FLOPs, is the same; the cluster does gpus · peakFlops · mfu of it per second, so twice the GPUs at the same MFU take half the time.'
        );
      }),
    },
    {
      name: 'given tokens are used as given',
      cases: (rng) => {
        const cfg = randomConfig(rng, true);
        return [
          { name: 'the lesson example with 100 B tokens given', calls: [[{ ...lessonCfg, tokens: 1e11 }]] },
          { name: describe(cfg), calls: [[cfg]] },
        ];
      },
      holds: plans(([out], [[cfg]]) => {
        if (out.tokens === cfg.tokens && Math.abs(out.flops - 6 * cfg.params * cfg.tokens!) <= 1e-9 * out.flops) return undefined;
        return (
          `With tokens = ${show(cfg.tokens!)} given, your plan has ${show(out.tokens)} tokens and ${show(out.flops)} FLOPs. ` +
          `The 20 tokens per parameter are a default for when tokens is absent; a given count is the run's, and the FLOPs are 6 · params · tokens = ${show(6 * cfg.params * cfg.tokens!)}.`
        );
      }),
    },
  ],
  misconceptions: [
    {
      id: 'forward-only',
      title: { en: '2·N·D: the forward pass only', 'zh-CN': '2·N·D：只算了前向传播' },
      message: {
        en:
          'A forward pass costs about 2 FLOPs per parameter per token (a multiply and an add); training also runs the backward pass, which computes the gradients of both the activations and the weights, twice the forward. ' +
          `That is 6·N·D in all: ${show(plan(lessonCfg).flops)} FLOPs for the lesson example, not ${show(plan(lessonCfg, 2).flops)}, and three times the time.`,
        'zh-CN':
          '前向传播每个参数每个 token 约需 2 FLOPs（一次乘法和一次加法）；训练还要做反向传播，它同时计算激活值和权重的梯度，开销是前向的两倍。' +
          `总共是 6·N·D：课程示例为 ${show(plan(lessonCfg).flops)} FLOPs，而不是 ${show(plan(lessonCfg, 2).flops)}，所需时间也是三倍。`,
      },
      hint: {
        en:
          'Your FLOPs are a third of the expected ones. Besides the forward pass, what does every training step compute, and how much does it cost?',
        'zh-CN':
          '你的 FLOPs 只有预期的三分之一。除了前向传播，每个训练步还要计算什么？开销是多少？',
      },
      wrong: (_ctx, cfg) => plan(cfg, 2),
    },
    {
      id: 'tokens-always-default',
      title: { en: 'tokens set to 20·params even when given', 'zh-CN': '给定了 tokens 仍设为 20·params' },
      message: {
        en:
          'Chinchilla\'s 20 tokens per parameter is the default for when cfg.tokens is absent (undefined). When the run gives its own token count (GPT-3\'s 300 B, LLaMA-2\'s 2 T), use it: cfg.tokens ?? 20 * cfg.params.',
        'zh-CN':
          'Chinchilla 的每个参数 20 个 token 是 cfg.tokens 缺省（undefined）时的默认值。当训练给出了自己的 token 数（GPT-3 的 300 B，' +
          'LLaMA-2 的 2 T）时，就用它：cfg.tokens ?? 20 * cfg.params。',
      },
      hint: {
        en:
          'Run the GPT-3 case: which tokens does your plan return, the 300 B given or 20·175 B?',
        'zh-CN':
          '跑一下 GPT-3 的用例：你的计划返回的 token 数是给定的 300 B，还是 20·175 B？',
      },
      wrong: (_ctx, cfg) => plan({ ...cfg, tokens: undefined }),
    },
    {
      id: 'mfu-wrong-way',
      title: { en: 'the MFU not dividing the throughput', 'zh-CN': '没有用 MFU 去除吞吐量' },
      message: {
        en:
          'MFU is the fraction of the peak a run achieves: the cluster does gpus · peakFlops · mfu FLOP/s, so seconds = flops / (gpus · peakFlops · mfu). ' +
          `Multiplying by the MFU, or leaving it out, gives a run faster than the hardware: for the lesson example ${show(plan(lessonCfg).seconds)} s at MFU 0.4.`,
        'zh-CN':
          'MFU 是训练实际达到的峰值比例：集群每秒完成 gpus · peakFlops · mfu FLOP，所以 seconds = flops / (gpus · peakFlops · mfu)。' +
          `乘以 MFU 或者不考虑它，得到的训练速度都比硬件本身还快：课程示例在 MFU 0.4 时应为 ${show(plan(lessonCfg).seconds)} s。`,
      },
      hint: {
        en:
          'At MFU 0.4 the GPUs achieve 40% of their peak. Should that make the run longer or shorter than at the peak?',
        'zh-CN':
          'MFU 为 0.4 时，GPU 只达到峰值的 40%。这会让训练比按峰值计算更长还是更短？',
      },
      wrong: (_ctx, cfg) => {
        const { tokens, flops, seconds } = plan(cfg);
        return anyOf({ tokens, flops, seconds: seconds * cfg.mfu * cfg.mfu }, { tokens, flops, seconds: seconds * cfg.mfu });
      },
    },
    {
      id: 'gpus-forgotten',
      title: { en: 'the time on one GPU', 'zh-CN': '只算了单块 GPU 的时间' },
      message: {
        en:
          'The GPUs share the work: data, tensor and pipeline parallelism split the 6·N·D FLOPs among them, so the cluster does gpus · peakFlops · mfu FLOP/s. ' +
          'Without dividing by gpus, your seconds are GPU-seconds, the time one GPU alone would take (the lesson example\'s 8 GPUs: 8 times too long).',
        'zh-CN':
          '这些 GPU 分担工作：数据并行、张量并行和流水线并行把 6·N·D FLOPs 分给它们，所以集群每秒完成 gpus · peakFlops · mfu FLOP。' +
          '不除以 gpus，你算出的秒数就是 GPU·秒，即单块 GPU 独自完成所需的时间（课程示例用 8 块 GPU：长了 8 倍）。',
      },
      hint: {
        en:
          'Your time is the same on 8 and on 64 GPUs, or 8 and 64 times too long. Where does cfg.gpus enter?',
        'zh-CN':
          '你的时间在 8 块和 64 块 GPU 上一样，或者分别长了 8 倍和 64 倍。cfg.gpus 应该出现在哪里？',
      },
      wrong: (_ctx, cfg) => {
        const { tokens, flops, seconds } = plan(cfg);
        return { tokens, flops, seconds: seconds * cfg.gpus };
      },
    },
  ],
  hints: [
    {
      en:
        'Three steps: the tokens (given, or 20 per parameter), the FLOPs of training on them, and the time at the rate the cluster achieves.',
      'zh-CN':
        '分三步：token 数（给定的，或每个参数 20 个）、在这些 token 上训练的 FLOPs，以及按集群实际达到的速率所需的时间。',
    },
    {
      en:
        'Training costs 6 FLOPs per parameter per token: 2 for the forward pass, 4 for the backward. The cluster achieves gpus · peakFlops · mfu FLOP/s.',
      'zh-CN':
        '训练每个参数每个 token 需要 6 FLOPs：前向 2，反向 4。集群实际达到 gpus · peakFlops · mfu FLOP/s。',
    },
    {
      en:
        'tokens = cfg.tokens ?? 20 · params; flops = 6 · params · tokens; seconds = flops / (gpus · peakFlops · mfu).',
      'zh-CN':
        '先算 tokens = cfg.tokens ?? 20 · params；再算 flops = 6 · params · tokens；最后 seconds = flops / (gpus · peakFlops · mfu)。',
    },
  ],
});
