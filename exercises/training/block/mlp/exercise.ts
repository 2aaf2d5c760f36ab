import { defineExercise, randomMatrix, type ReferenceContext, type Rng } from 'llm-tutor/pack';
import { matricesAgree } from '../../../transformer-core/properties.js';
import { geluErf, mlp64, mlpSteps, randomMlp, type MlpParams } from '../block-math.js';

type Args = [x: number[][], p: MlpParams];

/**
 * The lesson example: T = 2, C = 2, hidden 4C = 8. w2 sums hidden units 0–3
 * into output 0 and units 4–7 into output 1.
 */
export const lessonMlp: Args = [
  [
    [1, 2],
    [0, -1],
  ],
  {
    w1: [
      [1, -1, 0.5, 0, 2, -2, 1, 0],
      [0, 1, 0.5, 1, -1, 1, 1, -1],
    ],
    b1: [0, 0, 0, 0, 0.5, -0.5, 0, 0],
    w2: [
      [1, 0],
      [1, 0],
      [1, 0],
      [1, 0],
      [0, 1],
      [0, 1],
      [0, 1],
      [0, 1],
    ],
    b2: [0.5, -0.5],
  },
];

/** Random x [T, C] with entries of standard deviation `std` and MLP parameters of hidden 4C: pre-activations spread over the range where the GELUs differ. */
const randomInput = (rng: Rng, T: number, C: number, std = 1): Args => [randomMatrix(rng, T, C, std), randomMlp(rng, C)];

/** The calls of the row-independence property: x, then each of its rows alone. */
function rowCalls(rng: Rng, T: number, C: number): { name: string; calls: Args[] } {
  const [x, p] = randomInput(rng, T, C);
  return { name: `T = ${T}, C = ${C}`, calls: [[x, p], ...x.map((row): Args => [[row], p])] };
}

export default defineExercise<Args, number[][]>({
  entry: 'mlp',
  signature: 'mlp(x: Matrix, p: { w1: Matrix; b1: Vector; w2: Matrix; b2: Vector }): Matrix',
  cases: (rng) => [
    { name: 'the lesson example (T = 2, C = 2, hidden 8)', args: lessonMlp },
    { name: 'random, T = 3, C = 4, hidden 16', args: randomInput(rng, 3, 4) },
    { name: 'random, T = 5, C = 6, hidden 24', args: randomInput(rng, 5, 6) },
    { name: 'one token (T = 1, C = 8, hidden 32)', args: randomInput(rng, 1, 8) },
    { name: 'large pre-activations (x × 4: GELU is almost ReLU there)', args: randomInput(rng, 3, 4, 4) },
  ],
  // Exact and tanh GELU differ by up to 4.7e-4 per unit: tight enough that the wrong one shows, loose enough for a float32 reference.
  compare: { atol: 1e-5, rtol: 1e-5 },
  reference: ({ tf }: ReferenceContext, x, p) => mlpSteps(tf, tf.tensor2d(x), p).output,
  trace: ({ tf }: ReferenceContext, x, p) => mlpSteps(tf, tf.tensor2d(x), p).steps,
  properties: [
    {
      name: 'each token goes through on its own: a row alone gives the same row',
      cases: (rng) => [rowCalls(rng, 3, 2), rowCalls(rng, 2, 4)],
      holds: matricesAgree<Args>(
        'mlp',
        ([whole, ...rows]) => [whole, rows.map((r) => r[0])],
        (difference) =>
          `mlp(x) and the rows of mlp([x[t]]), one token at a time, differ (the whole first): ${difference}. ` +
          'The MLP works on each position by itself; nothing in it mixes tokens (only attention does).',
      ),
    },
  ],
  misconceptions: [
    {
      id: 'exact-gelu',
      title: { en: 'the exact (erf) GELU where GPT-2 uses the tanh approximation', 'zh-CN': '用了精确（erf）GELU，而 GPT-2 用的是 tanh 近似' },
      message: {
        en:
          'Your MLP uses GELU(z) = z·Φ(z) with erf, PyTorch\'s default. GPT-2 was trained with the tanh approximation, 0.5·z·(1 + tanh(√(2/π)·(z + 0.044715·z³))) (its gelu_new), and its weights expect it. ' +
          'The two differ by at most 4.7e-4 per unit, but it adds up: the lesson\'s output [0, 0] should be 5.536553 and yours is 5.536978.',
        'zh-CN':
          '你的 MLP 用的是 erf 写出的 GELU(z) = z·Φ(z)，这是 PyTorch 的默认设置。GPT-2 训练时用的是 tanh 近似 0.5·z·(1 + tanh(√(2/π)·(z + 0.044715·z³)))（即它的 gelu_new），它的权重也是按这个来的。' +
          '两者在每个单元上最多相差 4.7e-4，但累加起来就明显了：课程中的输出 [0, 0] 应为 5.536553，而你的是 5.536978。',
      },
      hint: {
        en: 'Which GELU did GPT-2 train with? Compute GELU(3) both ways: 2.996363 and 2.995950. This exercise grades to 1e-5.',
        'zh-CN': 'GPT-2 训练时用的是哪种 GELU？用两种方法分别算 GELU(3)：2.996363 和 2.995950。本练习按 1e-5 评判。',
      },
      wrong: (_ctx, x, p) => mlp64(x, p, { activation: geluErf }),
    },
    {
      id: 'bias-after-activation',
      title: { en: 'b1 added after the activation', 'zh-CN': 'b1 加在了激活函数之后' },
      message: {
        en:
          'Your hidden units are gelu(x·w1) + b1: the bias comes after the nonlinearity. A linear layer is x·w1 + b1, and the GELU takes the whole of it: gelu(x·w1 + b1). ' +
          'In the lesson example output [0, 1] should be 2.642388 and yours is 2.45096.',
        'zh-CN':
          '你的隐藏单元是 gelu(x·w1) + b1：偏置放在了非线性之后。线性层是 x·w1 + b1，GELU 作用于它的全部：gelu(x·w1 + b1)。' +
          '在课程的例子中，输出 [0, 1] 应为 2.642388，而你的是 2.45096。',
      },
      hint: {
        en: 'Write the first layer as a linear layer, then the activation of its output. Where does b1 sit?',
        'zh-CN': '先把第一层写成一个线性层，再对它的输出施加激活函数。b1 应该放在哪里？',
      },
      wrong: (_ctx, x, p) => mlp64(x, p, { biasAfterActivation: true }),
    },
    {
      id: 'relu',
      title: { en: 'ReLU instead of GELU', 'zh-CN': '用了 ReLU 而不是 GELU' },
      message: {
        en:
          'Your activation is max(0, z), the original Transformer\'s ReLU. GPT-2 uses GELU (tanh form): a smooth curve that lets small negative values through (GELU(−0.5) = −0.154286). ' +
          'In the lesson example output [0, 0] should be 5.536553 and yours is 6.',
        'zh-CN':
          '你的激活函数是 max(0, z)，即最初的 Transformer 所用的 ReLU。GPT-2 用的是 GELU（tanh 形式）：一条平滑的曲线，会让较小的负值通过（GELU(−0.5) = −0.154286）。' +
          '在课程的例子中，输出 [0, 0] 应为 5.536553，而你的是 6。',
      },
      hint: {
        en: 'What is the activation at z = −0.5 in the lesson\'s table? ReLU would give 0.',
        'zh-CN': '在课程的表格中，z = −0.5 处的激活值是多少？ReLU 会给出 0。',
      },
      wrong: (_ctx, x, p) => mlp64(x, p, { activation: (v) => Math.max(0, v) }),
    },
  ],
  hints: [
    {
      en: 'Two linear layers with an activation between them, applied to each row of x: widen to 4C, activate, narrow back to C.',
      'zh-CN': '两个线性层，中间夹一个激活函数，作用于 x 的每一行：加宽到 4C，激活，再收窄回 C。',
    },
    {
      en: 'The activation is GELU\'s tanh form, 0.5·z·(1 + tanh(√(2/π)·(z + 0.044715·z³))), applied to the whole of x·w1 + b1.',
      'zh-CN': '激活函数是 GELU 的 tanh 形式 0.5·z·(1 + tanh(√(2/π)·(z + 0.044715·z³)))，作用于完整的 x·w1 + b1。',
    },
    {
      text: {
        en: 'The exact GELU, with erf, is 4.7e-4 away at most, and the tolerance here is 1e-5: use the tanh form GPT-2 trained with.',
        'zh-CN': '用 erf 写出的精确 GELU 最多相差 4.7e-4，而这里的容差是 1e-5：请使用 GPT-2 训练时所用的 tanh 形式。',
      },
      misconception: 'exact-gelu',
    },
  ],
});
