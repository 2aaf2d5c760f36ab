import { anyOf, defineExercise, type Rng } from 'llm-tutor/pack';
import { gb, isNumber, relative, show, wrongKind } from '../memory-math.js';

type Mode = 'fp32' | 'mixed';
type Args = [params: number, mode: Mode];

/**
 * Bytes per parameter of each state Adam training keeps, by mode.
 * fp32: weights, gradients, m and v in 4 bytes each. Mixed precision (the ZeRO
 * paper's accounting, as Megatron-LM and DeepSpeed keep them): 16-bit weights
 * and gradients, and fp32 master weights, m and v (K = 12).
 */
export const statesOf: Record<Mode, Record<string, number>> = {
  fp32: { weights: 4, gradients: 4, adamM: 4, adamV: 4 },
  mixed: { weights16: 2, gradients16: 2, masterWeights: 4, adamM: 4, adamV: 4 },
};

/** The bytes of every state, their sum per parameter, and the total. */
export function bytesSteps(params: number, mode: Mode) {
  const states = statesOf[mode];
  const perParameter = Object.values(states).reduce((a, b) => a + b, 0);
  const bytes = Object.fromEntries(Object.entries(states).map(([name, b]) => [name, b * params]));
  return { steps: { ...bytes, perParameter }, output: perParameter * params };
}

/** GPT-2 small's parameters (the previous exercise). */
export const gpt2Small = 124_439_808;

const randomParams = (rng: Rng) => rng.int(1, 9) * 10 ** rng.int(5, 9) + rng.int(0, 99_999);

const bytes = (check: (outputs: number[], calls: Args[]) => string | undefined) => (outputs: unknown[], calls: Args[]) =>
  wrongKind('trainingBytes', 'a number', outputs, isNumber) ?? check(outputs as number[], calls);

export default defineExercise<Args, number>({
  entry: 'trainingBytes',
  signature: 'trainingBytes(params: number, mode: "fp32" | "mixed"): number',
  cases: (rng) => {
    const random1 = randomParams(rng);
    const random2 = randomParams(rng);
    return [
      { name: 'the lesson example: GPT-2 small (124,439,808 parameters), mixed precision', args: [gpt2Small, 'mixed'], expected: 1_991_036_928 },
      { name: 'GPT-2 small in fp32: the same 1,991,036,928 bytes', args: [gpt2Small, 'fp32'], expected: 1_991_036_928 },
      { name: 'the ZeRO paper\'s 7.5 billion parameters, mixed precision: 120 GB', args: [7.5e9, 'mixed'], expected: 120e9 },
      { name: 'LLaMA-2-7B (6,738,415,616 parameters) in fp32', args: [6_738_415_616, 'fp32'], expected: 107_814_649_856 },
      { name: `random: ${show(random1)} parameters, mixed`, args: [random1, 'mixed'] },
      { name: `random: ${show(random2)} parameters, fp32`, args: [random2, 'fp32'] },
      { name: 'a single parameter, mixed: 2 + 2 + 4 + 4 + 4 bytes', args: [1, 'mixed'], expected: 16 },
      { name: 'a single parameter, fp32: 4 + 4 + 4 + 4 bytes', args: [1, 'fp32'], expected: 16 },
      { name: 'a trillion parameters, mixed: 16 TB', args: [1e12, 'mixed'], expected: 1.6e13 },
    ];
  },
  reference: (_ctx, params, mode) => bytesSteps(params, mode).output,
  trace: (_ctx, params, mode) => bytesSteps(params, mode).steps,
  compare: relative,
  properties: [
    {
      name: 'mixed precision keeps as many bytes as fp32',
      cases: (rng) => {
        const params = randomParams(rng);
        return [
          { name: 'GPT-2 small in both modes', calls: [[gpt2Small, 'fp32'], [gpt2Small, 'mixed']] },
          { name: `${show(params)} parameters in both modes`, calls: [[params, 'fp32'], [params, 'mixed']] },
        ];
      },
      holds: bytes(([fp32, mixed], [[params]]) => {
        if (Math.abs(fp32 - mixed) <= 1e-9 * Math.abs(fp32)) return undefined;
        return (
          `For ${show(params)} parameters you return ${show(fp32)} bytes in fp32 and ${show(mixed)} in mixed precision. ` +
          'Both are 16 bytes per parameter: fp32 keeps 4 + 4 + 4 + 4, mixed precision 2 + 2 for the 16-bit weights and gradients and 4 + 4 + 4 for the fp32 master weights, m and v.'
        );
      }),
    },
  ],
  misconceptions: [
    {
      id: 'master-copy-forgotten',
      title: { en: 'mixed precision without the fp32 master weights', 'zh-CN': '混合精度下漏掉了 fp32 主权重' },
      message: {
        en:
          'In mixed precision the optimiser updates an fp32 copy of the weights (4 bytes) and casts it to 16 bits for the next forward pass: the 16-bit weights alone would lose the small updates. ' +
          `With it the optimiser holds K = 12 bytes per parameter (master, m, v), not 8: 16Ψ in all, ${gb(16 * gpt2Small)} for GPT-2 small, not ${gb(12 * gpt2Small)}.`,
        'zh-CN':
          '在混合精度下，优化器更新的是权重的一份 fp32 副本（4 字节），再把它转换为 16 位供下一次前向传播使用：只用 16 位权重会丢掉那些很小的更新。' +
          `算上它，优化器每个参数保存 K = 12 字节（主权重、m、v），而不是 8：总共 16Ψ，GPT-2 small 为 ${gb(16 * gpt2Small)}，而不是 ${gb(12 * gpt2Small)}。`,
      },
      hint: {
        en:
          'In mixed precision, which copy of the weights does Adam update: the 16-bit one, or another? Count the fp32 tensors the optimiser holds.',
        'zh-CN':
          '在混合精度下，Adam 更新的是哪一份权重：16 位的那份，还是另一份？数一数优化器保存的 fp32 张量。',
      },
      wrong: (_ctx, params, mode) => (mode === 'mixed' ? 12 * params : 16 * params),
    },
    {
      id: 'all-half-precision',
      title: { en: 'mixed precision as every state in 16 bits', 'zh-CN': '把混合精度当作所有状态都是 16 位' },
      message: {
        en:
          'Mixed precision keeps only the weights and gradients used in the forward and backward passes in 16 bits; the master weights and Adam\'s m and v stay in fp32. ' +
          `It is 2 + 2 + 4 + 4 + 4 = 16 bytes per parameter, not half of fp32's 16: ${gb(16 * gpt2Small)} for GPT-2 small, not ${gb(8 * gpt2Small)}.`,
        'zh-CN':
          '混合精度只把前向和反向传播使用的权重和梯度存为 16 位；主权重以及 Adam 的 m 和 v 仍保留在 fp32 中。' +
          `每个参数是 2 + 2 + 4 + 4 + 4 = 16 字节，而不是 fp32 的 16 字节的一半：GPT-2 small 为 ${gb(16 * gpt2Small)}，而不是 ${gb(8 * gpt2Small)}。`,
      },
      hint: {
        en:
          'Which of the five tensors of mixed-precision Adam are 16-bit? Write each one with its bytes per parameter.',
        'zh-CN':
          '混合精度 Adam 的五个张量中，哪些是 16 位的？把每一个连同它每个参数的字节数写出来。',
      },
      wrong: (_ctx, params, mode) => (mode === 'mixed' ? 8 * params : 16 * params),
    },
    {
      id: 'weights-only',
      title: { en: 'only the weights counted', 'zh-CN': '只算了权重' },
      message: {
        en:
          'Training holds more than the weights: their gradients and Adam\'s two moments for every parameter, and in mixed precision an fp32 master copy too. ' +
          `The weights alone are what inference needs (${gb(2 * gpt2Small)} for GPT-2 small in 16 bits); training with Adam needs 16 bytes per parameter, ${gb(16 * gpt2Small)}.`,
        'zh-CN':
          '训练要保存的不只是权重：还有每个参数的梯度和 Adam 的两个矩，混合精度下还有一份 fp32 主副本。' +
          `只有权重是推理所需的（GPT-2 small 在 16 位下为 ${gb(2 * gpt2Small)}）；用 Adam 训练每个参数需要 16 字节，即 ${gb(16 * gpt2Small)}。`,
      },
      hint: { en: 'List what one Adam step reads and writes for each parameter: the weight, and what else?', 'zh-CN': '列出一次 Adam 更新对每个参数读写的内容：权重，还有什么？' },
      wrong: (_ctx, params, mode) => (mode === 'mixed' ? 2 * params : 4 * params),
    },
    {
      id: 'one-moment',
      title: { en: 'one optimiser state per parameter instead of Adam\'s two', 'zh-CN': '每个参数只有一个优化器状态，而不是 Adam 的两个' },
      message: {
        en:
          'Adam keeps two running averages per parameter, m (of the gradient) and v (of its square), each in fp32: 8 bytes, not 4. ' +
          'One state is SGD with momentum. With both, fp32 is 4 + 4 + 4 + 4 = 16 bytes per parameter, and mixed precision 2 + 2 + 4 + 4 + 4 = 16.',
        'zh-CN':
          'Adam 为每个参数保存两个滑动平均，m（梯度的）和 v（梯度平方的），都是 fp32：共 8 字节，而不是 4。只有一个状态的是带动量的 SGD。' +
          '两个都算上，fp32 是每个参数 4 + 4 + 4 + 4 = 16 字节，混合精度是 2 + 2 + 4 + 4 + 4 = 16。',
      },
      hint: { en: 'How many running averages does Adam update at each step? Look at the AdamW exercise\'s state.', 'zh-CN': 'Adam 每一步更新几个滑动平均？看看 AdamW 练习里的状态。' },
      wrong: (_ctx, params) => 12 * params,
    },
  ],
  hints: [
    {
      en:
        'Write every tensor a training step keeps for one parameter, with its size in bytes: the weight, its gradient, and what Adam adds.',
      'zh-CN':
        '把一个训练步为一个参数保存的每个张量都写出来，连同它占的字节数：权重、它的梯度，以及 Adam 额外添加的内容。',
    },
    {
      en:
        'fp32: weight, gradient, m and v, 4 bytes each. Mixed precision: 16-bit weight and gradient (2 bytes each), and an fp32 master weight, m and v (4 bytes each).',
      'zh-CN':
        'fp32：权重、梯度、m 和 v，各 4 字节。混合精度：16 位的权重和梯度（各 2 字节），以及 fp32 的主权重、m 和 v（各 4 字节）。',
    },
    { en: 'Both modes come to 16 bytes per parameter: return 16 · params.', 'zh-CN': '两种模式都是每个参数 16 字节：返回 16 · params。' },
  ],
});
