import { defineExercise, randomMatrix, type ReferenceContext, type Rng } from 'llm-tutor/pack';
import { isMatrix, matricesAgree, show, wrongKind } from '../../../transformer-core/properties.js';
import { lessonRows, normaliseRows, normaliseSteps, randomGain, randomRows, scaleShift } from '../norms-math.js';

type Args = [x: number[][], g: number[], eps: number];

/** A case of random tokens (means away from 0) with a random gain near 1. */
function randomCase(rng: Rng, rows: number, cols: number, eps = 1e-5): Args {
  return [randomRows(rng, rows, cols), randomGain(rng, cols), eps];
}

const meanSquare = (xs: number[]) => xs.reduce((a, v) => a + v * v, 0) / xs.length;

/** Where a row of the output, with g = 1, does not have mean square ms/(ms + ε); undefined when every row does. */
function unitRowProblem(out: number[][], x: number[][], eps: number): string | undefined {
  for (let t = 0; t < x.length; t++) {
    const want = meanSquare(x[t]) / (meanSquare(x[t]) + eps);
    const got = meanSquare(out[t]);
    if (Math.abs(got - want) > 1e-5) return `row ${t} of your output has mean square ${show(got)}; it should be ${show(want)}`;
  }
  return undefined;
}

/** Three random tokens, then the same tokens scaled by 2, 0.5 and 10. */
function scaledTokens(rng: Rng): { name: string; calls: Args[] } {
  const scales = [2, 0.5, 10];
  const args = randomCase(rng, 3, 5, 1e-12);
  const scaled = args[0].map((row, t) => row.map((v) => scales[t] * v));
  return { name: '3 tokens, scaled by 2, 0.5 and 10 (ε = 1e-12)', calls: [args, [scaled, args[1], args[2]]] };
}

export default defineExercise<Args, number[][]>({
  entry: 'rmsNorm',
  signature: 'rmsNorm(x: Matrix, g: Vector, eps: number): Matrix',
  cases: (rng) => {
    const [rows, cols] = [rng.int(2, 5), rng.int(4, 10)];
    const zero = randomCase(rng, 2, 5);
    zero[0][0] = new Array<number>(5).fill(0);
    const small = randomCase(rng, 3, 6);
    small[0] = randomMatrix(rng, 3, 6, 0.001).map((row) => row.map((v) => Number(v.toFixed(7))));
    const large = randomCase(rng, 2, 6);
    large[0] = large[0].map((row) => row.map((v) => v * 1000));
    return [
      { name: 'the lesson example (2 tokens of 4 features, ε = 1e-5)', args: [lessonRows.rmsNorm, lessonRows.gain, lessonRows.eps] },
      { name: 'random [3, 6]', args: randomCase(rng, 3, 6) },
      { name: `random [${rows}, ${cols}]`, args: randomCase(rng, rows, cols) },
      { name: 'one token (T = 1)', args: randomCase(rng, 1, 8) },
      { name: 'small tokens (entries about 0.001: ε matters)', args: small },
      { name: 'an all-zero token (its output is 0)', args: zero },
      { name: 'large tokens (entries about ±1000)', args: large },
      { name: "LLaMA's ε = 1e-6, a wide token (C = 32)", args: randomCase(rng, 2, 32, 1e-6) },
    ];
  },
  reference: ({ tf }: ReferenceContext, x, g, eps) => tf.mul(normaliseSteps(tf, x, eps, false).normalised, tf.tensor1d(g)),
  trace: ({ tf }: ReferenceContext, x, _g, eps) => {
    const { meanSquare: ms, rstd, normalised } = normaliseSteps(tf, x, eps, false);
    return { meanSquare: ms, rstd, normalised };
  },
  properties: [
    {
      name: 'with g = 1, every row has mean square ms/(ms + ε), just under 1',
      cases: (rng) => [3, 5].map((rows) => {
        const x = randomRows(rng, rows, 6);
        return { name: `x of [${rows}, 6], ε = 1e-5`, calls: [[x, new Array<number>(6).fill(1), 1e-5]] as Args[] };
      }),
      holds: (outputs, calls) => {
        const odd = wrongKind('rmsNorm', 'a matrix', outputs, isMatrix);
        if (odd) return odd;
        const [x, , eps] = calls[0];
        const problem = unitRowProblem(outputs[0], x, eps);
        if (!problem) return undefined;
        return `With g = 1, ${problem}. Dividing a row by √(ms + ε), ms the mean of its squares, leaves a mean square of ms/(ms + ε).`;
      },
    },
    {
      name: 'scaling a token by a > 0 leaves its output unchanged',
      cases: (rng) => [scaledTokens(rng)],
      holds: matricesAgree<Args>(
        'rmsNorm',
        ([before, after]) => [before, after],
        (difference) =>
          `Scaling each token by a > 0 changed your output (${difference}). ` +
          'The root mean square of a·x is a times that of x, so x/rms(x) is the same: only ε, tiny next to the mean square, tells them apart.',
      ),
    },
  ],
  misconceptions: [
    {
      id: 'mean-subtracted',
      title: { en: 'the mean subtracted first (that is LayerNorm)', 'zh-CN': '先减去了均值（那是 LayerNorm）' },
      message: {
        en:
          'You centre each row on its mean before dividing: that is LayerNorm without β. RMSNorm does not subtract the mean; it divides x itself by √(mean(x²) + ε). ' +
          'In the lesson, row [1, 2, 3, 6] has mean square 50/4 = 12.5 and becomes [0.282843, 1.131370, 0.848528, 0.848528], not [−1.069043, −1.069043, 0, 0.801783].',
        'zh-CN':
          '你在做除法之前先把每一行按其均值做了中心化：那是不带 β 的 LayerNorm。RMSNorm 不减均值；它把 x 本身除以 √(mean(x²) + ε)。' +
          '在课程中，行 [1, 2, 3, 6] 的均方为 50/4 = 12.5，结果为 [0.282843, 1.131370, 0.848528, 0.848528]，而不是 [−1.069043, −1.069043, 0, 0.801783]。',
      },
      hint: {
        en: 'Work the lesson\'s row [1, 2, 3, 6] by hand: which number do you divide by, the root of the mean of x² or of the variance? Only one of them needs the mean.',
        'zh-CN': '手算课程中的行 [1, 2, 3, 6]：你要除以哪个数，x² 均值的平方根，还是方差的平方根？两者中只有一个需要用到均值。',
      },
      wrong: (_ctx, x, g, eps) => scaleShift(normaliseRows(x, eps, { centre: true }), g),
    },
    {
      id: 'eps-outside-sqrt',
      title: { en: 'ε added after the square root, rms + ε', 'zh-CN': 'ε 加在了平方根之后，rms + ε' },
      message: {
        en:
          'You divide by √(mean(x²)) + ε; LLaMA and HF divide by √(mean(x²) + ε) (x · rsqrt(ms + ε)). They agree when the mean square is much larger than ε and part on small tokens: ' +
          'in the lesson, row [0.001, −0.002, 0.002, 0.001] has mean square 2.5e-6, so √(ms + ε) = 0.003536 but rms + ε = 0.001591, and its first output is 0.628481 instead of 0.282843.',
        'zh-CN':
          '你除以的是 √(mean(x²)) + ε；LLaMA 和 HF 除以的是 √(mean(x²) + ε)（即 x · rsqrt(ms + ε)）。当均方远大于 ε 时两者一致，在很小的 token 上则分道扬镳：' +
          '在课程中，行 [0.001, −0.002, 0.002, 0.001] 的均方为 2.5e-6，所以 √(ms + ε) = 0.003536，而 rms + ε = 0.001591，它的第一个输出是 0.628481，而不是 0.282843。',
      },
      hint: {
        en: 'Take the lesson\'s small row, mean square 2.5e-6 and ε = 1e-5: compute √(ms + ε) and √ms + ε. Which one does the formula use?',
        'zh-CN': '取课程中那个很小的行，均方 2.5e-6，ε = 1e-5：分别算 √(ms + ε) 和 √ms + ε。公式用的是哪一个？',
      },
      wrong: (_ctx, x, g, eps) => scaleShift(normaliseRows(x, eps, { centre: false, epsOutside: true }), g),
    },
    {
      id: 'gemma-one-plus-g',
      title: { en: "Gemma's (1 + g) instead of g", 'zh-CN': '用了 Gemma 的 (1 + g)，而不是 g' },
      message: {
        en:
          'You scale by 1 + g, as Gemma\'s RMSNorm does (it stores the gain minus 1, initialised to 0). LLaMA and this exercise scale by g itself: ' +
          'row [1, 2, 3, 6] with g = [1, 2, 1, 0.5] gives [0.282843, 1.131370, 0.848528, 0.848528], not [0.565685, 1.697056, 1.697056, 2.545583].',
        'zh-CN':
          '你乘的是 1 + g，这是 Gemma 的 RMSNorm 的做法（它存储的是增益减 1，初始化为 0）。LLaMA 和本练习乘的是 g 本身：' +
          '行 [1, 2, 3, 6] 配 g = [1, 2, 1, 0.5]，得到 [0.282843, 1.131370, 0.848528, 0.848528]，而不是 [0.565685, 1.697056, 1.697056, 2.545583]。',
      },
      hint: {
        en: 'Your normalised rows look right; look at the last step. What exactly multiplies feature c: g[c], or something else?',
        'zh-CN': '你归一化后的行看起来是对的；看看最后一步。乘在特征 c 上的究竟是 g[c]，还是别的什么？',
      },
      wrong: (_ctx, x, g, eps) => scaleShift(normaliseRows(x, eps, { centre: false }), g.map((v) => 1 + v)),
    },
  ],
  hints: [
    {
      en: 'Work one row at a time: the lesson\'s row [1, 2, 3, 6] has mean square (1 + 4 + 9 + 36)/4 = 12.5. Check that number first.',
      'zh-CN': '一次处理一行：课程中的行 [1, 2, 3, 6] 的均方为 (1 + 4 + 9 + 36)/4 = 12.5。先核对这个数。',
    },
    {
      en: 'Divide every entry of the row by √(mean of its squares + ε), then multiply feature c by g[c]. There is no mean to subtract and no offset to add.',
      'zh-CN': '把这一行的每个元素都除以 √(其平方的均值 + ε)，然后把特征 c 乘以 g[c]。不需要减去均值，也没有偏移要加。',
    },
  ],
});
