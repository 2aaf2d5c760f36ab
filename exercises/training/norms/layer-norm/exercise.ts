import { anyOf, defineExercise, randomVector, transpose, type ReferenceContext, type Rng } from 'llm-tutor/pack';
import { isMatrix, matricesAgree, show, wrongKind } from '../../../transformer-core/properties.js';
import { lessonRows, normaliseRows, normaliseSteps, randomGain, randomRows, scaleShift, type RowNorm } from '../norms-math.js';

type Args = [x: number[][], gamma: number[], beta: number[], eps: number];

const layerNormRule: RowNorm = { centre: true };

/** A case of random tokens with a random γ near 1 and β near 0. */
function randomCase(rng: Rng, rows: number, cols: number, eps = 1e-5): Args {
  return [randomRows(rng, rows, cols), randomGain(rng, cols), randomVector(rng, cols, 0.5), eps];
}

/** The variance of a list of numbers, dividing by N. */
function variance(xs: number[]): number {
  const mu = xs.reduce((a, v) => a + v, 0) / xs.length;
  return xs.reduce((a, v) => a + (v - mu) ** 2, 0) / xs.length;
}

/** Where a row of the output, with γ = 1 and β = 0, is not centred or not of variance σ²/(σ² + ε); undefined when every row is. */
function unitRowProblem(out: number[][], x: number[][], eps: number): string | undefined {
  for (let t = 0; t < x.length; t++) {
    const mean = out[t].reduce((a, v) => a + v, 0) / out[t].length;
    const want = variance(x[t]) / (variance(x[t]) + eps);
    const got = variance(out[t]);
    if (Math.abs(mean) > 1e-6 || Math.abs(got - want) > 1e-5) return `row ${t} of your output has mean ${show(mean)} and variance ${show(got)}; it should have mean 0 and variance ${show(want)}`;
  }
  return undefined;
}

/** Three random tokens, then the same tokens each scaled by a > 0 and shifted by its own amount. */
function movedTokens(rng: Rng): { name: string; calls: Args[] } {
  const [scales, shifts] = [[2, 0.5, 4], [1, -3, 10]];
  const args = randomCase(rng, 3, 5, 1e-12);
  const moved = args[0].map((row, t) => row.map((v) => scales[t] * v + shifts[t]));
  return { name: '3 tokens, scaled by 2, 0.5, 4 and shifted by 1, −3, 10 (ε = 1e-12)', calls: [args, [moved, args[1], args[2], args[3]]] };
}

export default defineExercise<Args, number[][]>({
  entry: 'layerNorm',
  signature: 'layerNorm(x: Matrix, gamma: Vector, beta: Vector, eps: number): Matrix',
  cases: (rng) => {
    const [rows, cols] = [rng.int(2, 5), rng.int(4, 10)];
    const quiet = randomCase(rng, 3, 6);
    quiet[0] = quiet[0].map((row) => row.map((v) => Number((0.01 + v / 1000).toFixed(7))));
    const constant = randomCase(rng, 2, 5);
    constant[0][1] = new Array<number>(5).fill(2.5);
    return [
      { name: 'the lesson example (2 tokens of 4 features, ε = 1e-5)', args: [lessonRows.layerNorm, lessonRows.gain, lessonRows.shift, lessonRows.eps] },
      { name: 'random [3, 6]', args: randomCase(rng, 3, 6) },
      { name: `random [${rows}, ${cols}]`, args: randomCase(rng, rows, cols) },
      { name: 'one token (T = 1)', args: randomCase(rng, 1, 8) },
      { name: 'nearly constant tokens (spread about 0.001: ε matters)', args: quiet },
      { name: 'a constant token (variance 0: its output is β)', args: constant },
      { name: 'one feature (C = 1: every output is β)', args: randomCase(rng, 3, 1) },
      { name: "BERT's ε = 1e-12", args: randomCase(rng, 2, 6, 1e-12) },
      { name: 'a wide token (C = 32)', args: randomCase(rng, 2, 32) },
    ];
  },
  reference: ({ tf }: ReferenceContext, x, gamma, beta, eps) => tf.add(tf.mul(normaliseSteps(tf, x, eps, true).normalised, tf.tensor1d(gamma)), tf.tensor1d(beta)),
  trace: ({ tf }: ReferenceContext, x, _gamma, _beta, eps) => {
    const { mean, meanSquare, rstd, normalised } = normaliseSteps(tf, x, eps, true);
    return { mean, variance: meanSquare, rstd, normalised };
  },
  properties: [
    {
      name: 'with γ = 1 and β = 0, every row has mean 0 and variance σ²/(σ² + ε), just under 1',
      cases: (rng) => [3, 5].map((rows) => {
        const x = randomRows(rng, rows, 6);
        return { name: `x of [${rows}, 6], ε = 1e-5`, calls: [[x, new Array<number>(6).fill(1), new Array<number>(6).fill(0), 1e-5]] as Args[] };
      }),
      holds: (outputs, calls) => {
        const odd = wrongKind('layerNorm', 'a matrix', outputs, isMatrix);
        if (odd) return odd;
        const [x, , , eps] = calls[0];
        const problem = unitRowProblem(outputs[0], x, eps);
        if (!problem) return undefined;
        return `With γ = 1 and β = 0, ${problem}. Subtracting the row's mean makes its mean 0; dividing by √(σ² + ε), σ² the variance dividing by N, makes its variance σ²/(σ² + ε).`;
      },
    },
    {
      name: 'scaling a token by a > 0 and shifting it leaves its output unchanged',
      cases: (rng) => [movedTokens(rng)],
      holds: matricesAgree<Args>(
        'layerNorm',
        ([before, after]) => [before, after],
        (difference) =>
          `Scaling each token by a > 0 and adding a constant to it changed your output (${difference}). ` +
          'The mean moves with the shift and the standard deviation with the scale, so (x − μ)/σ is the same: only ε, tiny next to σ², tells them apart.',
      ),
    },
  ],
  misconceptions: [
    {
      id: 'unbiased-variance',
      title: { en: 'the unbiased variance (÷ (N − 1)) instead of ÷ N', 'zh-CN': '用了无偏方差（÷ (N − 1)），而不是 ÷ N' },
      message: {
        en:
          'Your outputs are about √((N − 1)/N) times the reference\'s: you divide the sum of squares by N − 1. LayerNorm uses the biased variance, dividing by N, as PyTorch does. ' +
          'In the lesson, row [1, 2, 3, 6] has variance 14/4 = 3.5, not 14/3 = 4.667, so its first entry is −1.069043, not −0.925819. (With one feature, N − 1 = 0 and you get NaN.)',
        'zh-CN':
          '你的输出约为参考结果的 √((N − 1)/N) 倍：你把平方和除以了 N − 1。LayerNorm 用的是有偏方差，除以 N，PyTorch 也是如此。' +
          '在课程中，行 [1, 2, 3, 6] 的方差是 14/4 = 3.5，而不是 14/3 = 4.667，所以它的第一个元素是 −1.069043，而不是 −0.925819。（只有一个特征时，N − 1 = 0，你会得到 NaN。）',
      },
      hint: {
        en: 'Work out the variance of [1, 2, 3, 6] by hand: the sum of squared deviations is 14. What do you divide it by?',
        'zh-CN': '手算 [1, 2, 3, 6] 的方差：偏差的平方和是 14。你应该除以多少？',
      },
      wrong: (_ctx, x, gamma, beta, eps) => scaleShift(normaliseRows(x, eps, { centre: true, unbiased: true }), gamma, beta),
    },
    {
      id: 'eps-outside-sqrt',
      title: { en: 'ε added after the square root, σ + ε', 'zh-CN': 'ε 加在了平方根之后，σ + ε' },
      message: {
        en:
          'You divide by √(σ²) + ε; PyTorch divides by √(σ² + ε). The two agree when σ² is much larger than ε, and part when a token is nearly constant: ' +
          'in the lesson, row [0.002, 0.004, 0.001, 0.001] has σ² = 1.5e-6, so √(σ² + ε) = 0.003391 but σ + ε = 0.001235, and its second feature comes out 3.239536 instead of 1.179536.',
        'zh-CN':
          '你除以的是 √(σ²) + ε；PyTorch 除以的是 √(σ² + ε)。当 σ² 远大于 ε 时两者一致，而当 token 几乎恒定时就分道扬镳了：' +
          '在课程中，行 [0.002, 0.004, 0.001, 0.001] 的 σ² = 1.5e-6，所以 √(σ² + ε) = 0.003391，而 σ + ε = 0.001235，它的第二个特征算出来是 3.239536，而不是 1.179536。',
      },
      hint: {
        en: 'Take the lesson\'s nearly constant row, σ² = 1.5e-6 and ε = 1e-5: compute √(σ² + ε) and √σ² + ε. Which one does the formula use?',
        'zh-CN': '取课程中那个几乎恒定的行，σ² = 1.5e-6，ε = 1e-5：分别算 √(σ² + ε) 和 √σ² + ε。公式用的是哪一个？',
      },
      wrong: (_ctx, x, gamma, beta, eps) => scaleShift(normaliseRows(x, eps, { centre: true, epsOutside: true }), gamma, beta),
    },
    {
      id: 'normalised-columns',
      title: { en: 'each feature normalised over the tokens (columns) instead of each token over its features', 'zh-CN': '对每个特征跨 token（按列）归一化，而不是对每个 token 在其特征上归一化' },
      message: {
        en:
          'You take the mean and variance of every column, a feature across the tokens, as BatchNorm does. LayerNorm normalises each token, a row, over its own C features: ' +
          'row [1, 2, 3, 6] has mean 3 and variance 3.5 whatever the other tokens are, and a single token (T = 1) is normalised too.',
        'zh-CN':
          '你对每一列，即某个特征跨所有 token，求了均值和方差，这是 BatchNorm 的做法。LayerNorm 对每个 token（一行）在它自己的 C 个特征上归一化：' +
          '无论其他 token 是什么，行 [1, 2, 3, 6] 的均值都是 3，方差都是 3.5；单独一个 token（T = 1）也同样要归一化。',
      },
      hint: {
        en: 'Which entries share a mean in your code? Print the mean you compute for the lesson\'s first token: it should be 3, the mean of [1, 2, 3, 6].',
        'zh-CN': '在你的代码里，哪些元素共享同一个均值？打印你为课程中第一个 token 算出的均值：它应该是 3，即 [1, 2, 3, 6] 的均值。',
      },
      wrong: (_ctx, x, gamma, beta, eps) => scaleShift(transpose(normaliseRows(transpose(x), eps, layerNormRule)), gamma, beta),
    },
    {
      id: 'gamma-beta-dropped',
      title: { en: 'γ or β left out', 'zh-CN': '漏了 γ 或 β' },
      message: {
        en:
          'Your output is the normalised x, without the learned scale γ or the offset β (or both): the last step is n·γ + β, feature by feature. ' +
          'In the lesson, row 0 normalises to [−1.069043, −0.534522, 0, 1.603565] and with γ = [1, 2, 1, 0.5], β = [0, 0, 1, −1] becomes [−1.069043, −1.069043, 1, −0.198217].',
        'zh-CN':
          '你的输出是归一化后的 x，缺了可学习的缩放 γ 或偏移 β（或两者都缺）：最后一步是逐特征计算 n·γ + β。' +
          '在课程中，第 0 行归一化后为 [−1.069043, −0.534522, 0, 1.603565]，乘以 γ = [1, 2, 1, 0.5]、加上 β = [0, 0, 1, −1] 后变成 [−1.069043, −1.069043, 1, −0.198217]。',
      },
      hint: {
        en: 'Your normalised rows look right. Which two arguments have you not used yet, and what does each one do to feature c?',
        'zh-CN': '你归一化后的行看起来是对的。还有哪两个参数你没用上？它们各自对特征 c 做什么？',
      },
      wrong: (_ctx, x, gamma, beta, eps) => {
        const n = normaliseRows(x, eps, layerNormRule);
        return anyOf(n, scaleShift(n, gamma), scaleShift(n, gamma.map(() => 1), beta));
      },
    },
  ],
  hints: [
    {
      en: 'Work one row at a time: the lesson\'s row [1, 2, 3, 6] has mean 3 and variance 3.5. Check those two numbers before anything else.',
      'zh-CN': '一次处理一行：课程中的行 [1, 2, 3, 6] 均值为 3，方差为 3.5。先核对这两个数，再做别的。',
    },
    {
      en: 'Subtract the row\'s mean from each entry, divide by √(variance + ε), with the variance dividing by N, then scale feature c by gamma[c] and add beta[c].',
      'zh-CN': '从每个元素中减去该行的均值，除以 √(方差 + ε)，其中方差除以 N，然后把特征 c 乘以 gamma[c]，再加上 beta[c]。',
    },
    {
      en: 'Every statistic is per token: a row of x, over its C features. Nothing is shared between rows, so a single token works like any other.',
      'zh-CN': '每个统计量都是针对单个 token 的：x 的一行，在它的 C 个特征上计算。行与行之间不共享任何东西，所以单独一个 token 和其他情况没有区别。',
    },
  ],
});
