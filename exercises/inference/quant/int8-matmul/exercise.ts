import { anyOf, defineExercise, randomMatrix, type Rng } from 'llm-tutor/pack';
import { close, isMatrix, matrixDifference, showList } from '../../../transformer-core/properties.js';
import { absmaxSteps, int8MatmulSteps, integerMatmul, perChannelInput, perChannelSteps } from '../quant-math.js';

type Args = [xq: number[][], xScale: number, wq: number[][], wScales: number[]];

/** The lesson's activations x [2, 4], before quantisation (absmax 3). */
export const lessonXFloat = [
  [1.0, -2.0, 0.5, 3.0],
  [-0.5, 1.4, 2.5, -1.0],
];
/** The lesson's weight [4, 3] (per-channel's lesson example), before quantisation. */
export const lessonWFloat = [
  [0.12, -0.8, 0.05],
  [-0.34, 2.9, -0.07],
  [0.25, -1.6, 0.11],
  [-0.05, 0.4, -0.09],
];

/** x quantised per tensor (absmax) and w per column: the four arguments of int8Matmul. */
export function quantisedPair(x: number[][], w: number[][]): Args {
  const { q, scale } = absmaxSteps(x.flat()).output;
  const cols = x[0].length;
  const xq = x.map((_, t) => q.slice(t * cols, (t + 1) * cols));
  const { q: wq, scales } = perChannelSteps(w).output;
  return [xq, scale, wq, scales];
}

/** The lesson example's arguments: xq, xScale = 3/127, wq, wScales = [0.34, 2.9, 0.11]/127. */
export const lessonArgs = quantisedPair(lessonXFloat, lessonWFloat);

/** Random activations [T, K] and a weight [K, N], quantised. */
const randomPair = (rng: Rng, T: number, K: number, N: number): Args => quantisedPair(randomMatrix(rng, T, K, 1), perChannelInput(rng, K, N, 0.5));

/** The wrong scale axis: wScales indexed by the output's row t, or by the weight's row k (NaN where the index runs past wScales, as in JavaScript). */
function wrongAxis(xq: number[][], xScale: number, wq: number[][], wScales: number[]) {
  const at = (i: number) => wScales[i] ?? NaN;
  const byOutputRow = integerMatmul(xq, wq).map((row, t) => row.map((acc) => acc * xScale * at(t)));
  const byWeightRow = xq.map((row) => wq[0].map((_, j) => row.reduce((s, v, k) => s + v * wq[k][j] * at(k), 0) * xScale));
  return anyOf(byOutputRow, byWeightRow);
}

export default defineExercise<Args, number[][]>({
  entry: 'int8Matmul',
  signature: 'int8Matmul(xq: number[][], xScale: number, wq: number[][], wScales: Vector): Matrix',
  inputsReadOnly: true,
  cases: (rng) => [
    {
      name: 'the lesson example: x [2, 4] per tensor, w [4, 3] per column',
      args: lessonArgs,
      expected: [
        [0.77311055, -6.175603, -0.024961250],
        [0.14026660, 0.028048856, 0.24210366],
      ],
    },
    { name: 'random: 3 tokens, K = 5, N = 4', args: randomPair(rng, 3, 5, 4) },
    { name: 'random: 5 tokens, K = 4, N = 2 (more tokens than output channels)', args: randomPair(rng, 5, 4, 2) },
    { name: 'random: one token (a decoding step), K = 8, N = 3', args: randomPair(rng, 1, 8, 3) },
    {
      name: 'an all-zero weight column: scale 0, output column 0',
      args: [[[10, -20, 30]], 0.01, [[5, 0, -7], [-3, 0, 2], [1, 0, 9]], [0.02, 0, 0.03]],
      expected: [[0.02 * 0.01 * (50 + 60 + 30), 0, 0.03 * 0.01 * (-70 - 40 + 270)]],
    },
    {
      name: 'the largest products: 64 of 127·127 and −127·127 accumulate to 64·16129 = 1032256',
      args: [[new Array(64).fill(127), new Array(64).fill(-127)], 0.5, Array.from({ length: 64 }, () => [127, -127]), [0.25, 0.125]],
      expected: [
        [1032256 * 0.125, -1032256 * 0.0625],
        [-1032256 * 0.125, 1032256 * 0.0625],
      ],
    },
  ],
  reference: (_ctx, xq, xScale, wq, wScales) => int8MatmulSteps(xq, xScale, wq, wScales).output,
  trace: (_ctx, xq, xScale, wq, wScales) => int8MatmulSteps(xq, xScale, wq, wScales).steps,
  properties: [
    {
      name: 'doubling wScales[j] doubles column j of the output and leaves the rest unchanged',
      cases: (rng) =>
        [
          [3, 4, 3, 1],
          [4, 3, 2, 0],
        ].map(([T, K, N, j]) => {
          const [xq, xScale, wq, wScales] = randomPair(rng, T, K, N);
          const doubled = wScales.map((s, k) => (k === j ? 2 * s : s));
          return { name: `${T} tokens, K = ${K}, N = ${N}, wScales[${j}] doubled`, calls: [[xq, xScale, wq, wScales], [xq, xScale, wq, doubled]] as Args[] };
        }),
      holds: ([before, after], [[, , , wScales], [, , , doubled]]) => {
        for (const out of [before, after]) if (!isMatrix(out)) return `int8Matmul must return a matrix (a list of rows of numbers); it returned ${JSON.stringify(out)?.slice(0, 80)}.`;
        const j = wScales.findIndex((s, k) => s !== doubled[k]);
        const want = before.map((row) => row.map((v, k) => (k === j ? 2 * v : v)));
        const difference = matrixDifference(want, after);
        if (difference === undefined) return undefined;
        return `With wScales ${showList(wScales)} changed to ${showList(doubled)}, column ${j} of your output should double and nothing else move; yet, comparing the expected with yours, ${difference}. wScales[j] belongs to output column j: y[t][j] = acc[t][j]·xScale·wScales[j].`;
      },
    },
    {
      name: 'doubling xScale doubles every output',
      cases: (rng) => [{ name: '2 tokens, K = 4, N = 3', calls: (([xq, xScale, wq, wScales]) => [[xq, xScale, wq, wScales], [xq, 2 * xScale, wq, wScales]])(randomPair(rng, 2, 4, 3)) as Args[] }],
      holds: ([before, after]) => {
        for (const out of [before, after]) if (!isMatrix(out)) return `int8Matmul must return a matrix (a list of rows of numbers); it returned ${JSON.stringify(out)?.slice(0, 80)}.`;
        const bad = before.findIndex((row, t) => row.some((v, j) => !close(2 * v, after[t]?.[j])));
        if (bad < 0) return undefined;
        return `Row ${bad} went from ${showList(before[bad])} to ${showList(after[bad])} when xScale doubled; every output is a multiple of xScale, so every one should double.`;
      },
    },
  ],
  misconceptions: [
    {
      id: 'wrong-scale-axis',
      title: { en: 'the weight scales applied along the wrong axis', 'zh-CN': '权重缩放因子用错了轴' },
      message: {
        en: 'You multiply by wScales[t] (the output\'s row, a token) or by wScales[k] (a row of wq, an input channel). The weight was quantised per column: wScales[j] belongs to output column j, so y[t][j] = (Σ_k xq[t][k]·wq[k][j])·xScale·wScales[j]. In the lesson, y[1][2] comes out 6.38 instead of 0.242.',
        'zh-CN': '你乘的是 wScales[t]（输出的行，即一个 token）或 wScales[k]（wq 的一行，即一个输入通道）。权重是按列量化的：wScales[j] 属于输出列 j，所以 y[t][j] = (Σ_k xq[t][k]·wq[k][j])·xScale·wScales[j]。课程示例中 y[1][2] 算出来是 6.38，而不是 0.242。',
      },
      hint: {
        en: 'wq is [K, N] and wScales has N entries. Which index of y[t][j] runs over N?',
        'zh-CN': 'wq 为 [K, N]，wScales 有 N 个元素。y[t][j] 的哪个下标遍历 N？',
      },
      wrong: (_ctx, xq, xScale, wq, wScales) => wrongAxis(xq, xScale, wq, wScales),
    },
    {
      id: 'x-scale-forgotten',
      title: { en: 'xScale left out', 'zh-CN': '漏掉了 xScale' },
      message: {
        en: 'Your output is acc·wScales[j], without xScale: the activations stay in their integer units, 127/max|x| times too large (42.3 times in the lesson, where y[0][1] comes out −261.4 instead of −6.18). Both operands were quantised; each scale undoes one of them: y = acc·xScale·wScales[j].',
        'zh-CN': '你的输出是 acc·wScales[j]，没有乘 xScale：激活值停留在整数单位上，大了 127/max|x| 倍（课程示例中是 42.3 倍，y[0][1] 算出来是 −261.4 而不是 −6.18）。两个操作数都被量化了；每个缩放因子各还原其中一个：y = acc·xScale·wScales[j]。',
      },
      hint: {
        en: 'Compare your y[0][1] for the lesson with the float product x·w, −6.2. By what factor is it off?',
        'zh-CN': '把你在课程示例中的 y[0][1] 与浮点乘积 x·w 的 −6.2 比较。差了多少倍？',
      },
      wrong: (_ctx, xq, _xScale, wq, wScales) => int8MatmulSteps(xq, 1, wq, wScales).output,
    },
  ],
  hints: [
    {
      en: 'First the integer product: acc[t][j] = Σ_k xq[t][k]·wq[k][j], a sum of whole numbers, with no scale inside the loop.',
      'zh-CN': '先算整数乘积：acc[t][j] = Σ_k xq[t][k]·wq[k][j]，这是整数之和，循环内不乘任何缩放因子。',
    },
    {
      en: 'Then undo both quantisations at once: y[t][j] = acc[t][j]·xScale·wScales[j]. wScales has one entry per output column.',
      'zh-CN': '然后一次性还原两次量化：y[t][j] = acc[t][j]·xScale·wScales[j]。wScales 每个输出列一个元素。',
    },
  ],
});
