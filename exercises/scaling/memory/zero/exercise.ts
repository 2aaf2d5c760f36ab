import { defineExercise, type Rng } from 'llm-tutor/pack';
import { gb, isNumber, relative, show, wrongKind } from '../memory-math.js';

type Stage = 0 | 1 | 2 | 3;
type Args = [params: number, gpus: number, stage: Stage];

/** Adam in mixed precision: 2 bytes of 16-bit weights, 2 of 16-bit gradients, K = 12 of optimiser states (fp32 master weights, m, v). */
export const K = 12;

/**
 * What one GPU holds at each ZeRO stage (Rajbhandari et al. 2020, Fig. 1):
 * stage 1 shards the optimiser states over the N data-parallel GPUs, stage 2
 * the gradients too, stage 3 the weights too; a sharded term is divided by N.
 */
export function zeroSteps(params: number, gpus: number, stage: Stage, k = K) {
  const share = (sharded: boolean) => (sharded ? params / gpus : params);
  const weights = 2 * share(stage >= 3);
  const gradients = 2 * share(stage >= 2);
  const optimizerStates = k * share(stage >= 1);
  return { steps: { weights, gradients, optimizerStates }, output: weights + gradients + optimizerStates };
}

const bytes = (params: number, gpus: number, stage: Stage, k = K) => zeroSteps(params, gpus, stage, k).output;

/** The paper's example: Ψ = 7.5 billion parameters on N = 64 GPUs. */
export const paper = { params: 7.5e9, gpus: 64 };

const randomParams = (rng: Rng) => rng.int(1, 99) * 10 ** rng.int(7, 9);

const outputs = (check: (out: number[], calls: Args[]) => string | undefined) => (out: unknown[], calls: Args[]) =>
  wrongKind('zeroBytesPerGpu', 'a number', out, isNumber) ?? check(out as number[], calls);

const everyStage = (params: number, gpus: number): Args[] => ([0, 1, 2, 3] as Stage[]).map((stage) => [params, gpus, stage]);

export default defineExercise<Args, number>({
  entry: 'zeroBytesPerGpu',
  signature: 'zeroBytesPerGpu(params: number, gpus: number, stage: 0 | 1 | 2 | 3): number',
  cases: (rng) => {
    const random1: Args = [randomParams(rng), rng.pick([2, 4, 8, 16, 32, 128]), rng.pick([1, 2] as Stage[])];
    const random2: Args = [randomParams(rng), rng.pick([3, 6, 12, 24, 96]), rng.pick([0, 3] as Stage[])];
    return [
      { name: 'the lesson example: 7.5 B parameters, 64 GPUs, stage 0 (plain data parallelism): 120 GB', args: [paper.params, paper.gpus, 0], expected: 120e9 },
      { name: '7.5 B parameters, 64 GPUs, stage 1 (optimiser states sharded): 31.4 GB', args: [paper.params, paper.gpus, 1], expected: 31.40625e9 },
      { name: '7.5 B parameters, 64 GPUs, stage 2 (gradients sharded too): 16.6 GB', args: [paper.params, paper.gpus, 2], expected: 16.640625e9 },
      { name: '7.5 B parameters, 64 GPUs, stage 3 (weights sharded too): 1.875 GB', args: [paper.params, paper.gpus, 3], expected: 1.875e9 },
      { name: 'a trillion parameters on 1024 GPUs, stage 3: 15.6 GB each', args: [1e12, 1024, 3], expected: 15.625e9 },
      { name: 'LLaMA-2-7B (6,738,415,616 parameters) on 8 GPUs, stage 2', args: [6_738_415_616, 8, 2], expected: 25_269_058_560 },
      { name: `random: ${show(random1[0])} parameters, ${random1[1]} GPUs, stage ${random1[2]}`, args: random1 },
      { name: `random: ${show(random2[0])} parameters, ${random2[1]} GPUs, stage ${random2[2]}`, args: random2 },
      { name: 'one GPU, stage 3: nothing to share with, all 16 bytes per parameter', args: [124_439_808, 1, 3], expected: 1_991_036_928 },
      { name: 'a share that is not a whole number: 124,439,808 parameters on 5 GPUs, stage 3', args: [124_439_808, 5, 3], expected: 398_207_385.6 },
      { name: '124,439,808 parameters on 5 GPUs, stage 1', args: [124_439_808, 5, 1], expected: 796_414_771.2 },
    ];
  },
  reference: (_ctx, params, gpus, stage) => bytes(params, gpus, stage),
  trace: (_ctx, params, gpus, stage) => zeroSteps(params, gpus, stage).steps,
  compare: relative,
  properties: [
    {
      name: 'on one GPU every stage keeps all 16 bytes per parameter',
      cases: (rng) => {
        const params = randomParams(rng);
        return [
          { name: '7.5 B parameters, N = 1, stages 0 to 3', calls: everyStage(paper.params, 1) },
          { name: `${show(params)} parameters, N = 1, stages 0 to 3`, calls: everyStage(params, 1) },
        ];
      },
      holds: outputs((out, calls) => {
        const params = calls[0][0];
        const odd = out.findIndex((b) => Math.abs(b - 16 * params) > 1e-9 * 16 * params);
        if (odd < 0) return undefined;
        return (
          `On one GPU your stage ${odd} gives ${show(out[odd])} bytes for ${show(params)} parameters, not 16Ψ = ${show(16 * params)}. ` +
          'Sharding over N = 1 GPU divides by 1: every stage then holds the 2Ψ + 2Ψ + 12Ψ of plain data parallelism.'
        );
      }),
    },
    {
      name: 'each stage needs no more memory than the one before',
      cases: (rng) => {
        const params = randomParams(rng);
        const gpus = rng.pick([2, 4, 16, 256]);
        return [
          { name: '7.5 B parameters on 64 GPUs, stages 0 to 3', calls: everyStage(paper.params, 64) },
          { name: `${show(params)} parameters on ${gpus} GPUs, stages 0 to 3`, calls: everyStage(params, gpus) },
        ];
      },
      holds: outputs((out, calls) => {
        const grows = out.findIndex((b, s) => s > 0 && b > out[s - 1] * (1 + 1e-9));
        if (grows < 0) return undefined;
        return (
          `On ${calls[0][1]} GPUs your stage ${grows} needs ${show(out[grows])} bytes, more than stage ${grows - 1}'s ${show(out[grows - 1])}. ` +
          'Each stage shards one more kind of state and keeps the sharding of the stages before: the memory per GPU can only go down.'
        );
      }),
    },
  ],
  misconceptions: [
    {
      id: 'stage2-shards-weights',
      title: { en: 'stage 2 sharding the weights too', 'zh-CN': 'stage 2 把权重也分片了' },
      message: {
        en:
          'Stage 2 shards the optimiser states and the gradients, not the weights: every GPU still holds all 16-bit weights, 2Ψ, for its forward and backward passes. ' +
          `On the lesson example it is 2Ψ + (2 + 12)Ψ/N = ${gb(bytes(paper.params, paper.gpus, 2))}, not ${gb(bytes(paper.params, paper.gpus, 3))}: sharding the weights is what stage 3 adds.`,
        'zh-CN':
          'stage 2 对优化器状态和梯度分片，但不对权重分片：每块 GPU 仍然保存全部 16 位权重（2Ψ），用于它自己的前向和反向传播。' +
          `在课程示例中是 2Ψ + (2 + 12)Ψ/N = ${gb(bytes(paper.params, paper.gpus, 2))}，而不是 ${gb(bytes(paper.params, paper.gpus, 3))}：对权重分片是 stage 3 才加上的。`,
      },
      hint: {
        en:
          'At stage 2, does each GPU still run the forward pass of the whole model on its own batch? Then which tensor must it hold whole?',
        'zh-CN':
          '在 stage 2 下，每块 GPU 是否仍要在自己的批次上跑整个模型的前向传播？那么它必须完整保存哪个张量？',
      },
      wrong: (_ctx, params, gpus, stage) => bytes(params, gpus, stage === 2 ? 3 : stage),
    },
    {
      id: 'stages-shifted',
      title: { en: 'the stages counted from the first sharding (stage 0 already sharding the optimiser)', 'zh-CN': 'stage 从第一次分片开始计（stage 0 就已经对优化器分片）' },
      message: {
        en:
          'Stage 0 is plain data parallelism: nothing is sharded, every GPU holds all 16Ψ bytes (120 GB on the lesson example). ' +
          'Stage 1 shards the optimiser states, stage 2 the gradients too, stage 3 the weights too. Your stage s looks like the paper\'s stage s + 1.',
        'zh-CN':
          'stage 0 就是普通的数据并行：什么都不分片，每块 GPU 保存全部 16Ψ 字节（课程示例中为 120 GB）。stage 1 对优化器状态分片，' +
          'stage 2 把梯度也分片，stage 3 把权重也分片。你的 stage s 看起来是论文中的 stage s + 1。',
      },
      hint: {
        en:
          'What does every GPU hold in plain data parallelism, before any ZeRO stage? That is stage 0; check your stage 0 gives 120 GB in the lesson example.',
        'zh-CN':
          '在任何 ZeRO stage 之前，普通数据并行下每块 GPU 保存什么？那就是 stage 0；检查一下你的 stage 0 在课程示例中是否得到 120 GB。',
      },
      wrong: (_ctx, params, gpus, stage) => bytes(params, gpus, Math.min(stage + 1, 3) as Stage),
    },
    {
      id: 'k-16',
      title: { en: 'K = 16: the optimiser states counted as all 16 bytes', 'zh-CN': 'K = 16：把全部 16 字节都算作优化器状态' },
      message: {
        en:
          'The 16 bytes per parameter are 2 (16-bit weights) + 2 (16-bit gradients) + K = 12 (fp32 master weights, m and v): K is 12, and the weights and gradients are counted once, apart from it. ' +
          `With K = 16 the lesson example gives ${gb(bytes(paper.params, paper.gpus, 0, 16))} at stage 0 instead of 120 GB.`,
        'zh-CN':
          '每个参数的 16 字节是 2（16 位权重）+ 2（16 位梯度）+ K = 12（fp32 主权重、m 和 v）：K 是 12，权重和梯度在它之外单独算一次。' +
          `取 K = 16，课程示例在 stage 0 得到 ${gb(bytes(paper.params, paper.gpus, 0, 16))}，而不是 120 GB。`,
      },
      hint: { en: 'Write 16Ψ as its three parts, 2Ψ + 2Ψ + KΨ. What is K?', 'zh-CN': '把 16Ψ 写成三部分之和 2Ψ + 2Ψ + KΨ。K 是多少？' },
      wrong: (_ctx, params, gpus, stage) => bytes(params, gpus, stage, 16),
    },
    {
      id: 'master-copy-forgotten',
      title: { en: 'K = 8: the fp32 master weights left out of the optimiser states', 'zh-CN': 'K = 8：优化器状态中漏掉了 fp32 主权重' },
      message: {
        en:
          'Adam in mixed precision keeps an fp32 copy of the weights besides m and v, so the optimiser states are K = 4 + 4 + 4 = 12 bytes per parameter, not 8. ' +
          `With K = 8 the lesson example gives ${gb(bytes(paper.params, paper.gpus, 0, 8))} at stage 0 instead of 120 GB.`,
        'zh-CN':
          '混合精度的 Adam 除了 m 和 v，还保存一份 fp32 权重副本，所以优化器状态是每个参数 K = 4 + 4 + 4 = 12 字节，而不是 8。' +
          `取 K = 8，课程示例在 stage 0 得到 ${gb(bytes(paper.params, paper.gpus, 0, 8))}，而不是 120 GB。`,
      },
      hint: {
        en:
          'Which three fp32 tensors does mixed-precision Adam keep per parameter? Count them at 4 bytes each.',
        'zh-CN':
          '混合精度的 Adam 为每个参数保存哪三个 fp32 张量？每个按 4 字节计算。',
      },
      wrong: (_ctx, params, gpus, stage) => bytes(params, gpus, stage, 8),
    },
  ],
  hints: [
    {
      en:
        'Split the 16 bytes per parameter into three kinds: 16-bit weights (2Ψ), 16-bit gradients (2Ψ) and optimiser states (12Ψ).',
      'zh-CN':
        '把每个参数的 16 字节分成三类：16 位权重（2Ψ）、16 位梯度（2Ψ）和优化器状态（12Ψ）。',
    },
    {
      en:
        'Stage 1 divides the optimiser states by N; stage 2 also the gradients; stage 3 also the weights. A kind that is not sharded stays whole on every GPU.',
      'zh-CN':
        'stage 1 把优化器状态除以 N；stage 2 把梯度也除以 N；stage 3 把权重也除以 N。没有分片的那类在每块 GPU 上保持完整。',
    },
    { en: 'stage 0: 16Ψ; stage 1: 4Ψ + 12Ψ/N; stage 2: 2Ψ + 14Ψ/N; stage 3: 16Ψ/N.', 'zh-CN': 'stage 0 为 16Ψ；stage 1 为 4Ψ + 12Ψ/N；stage 2 为 2Ψ + 14Ψ/N；stage 3 为 16Ψ/N。' },
  ],
});
