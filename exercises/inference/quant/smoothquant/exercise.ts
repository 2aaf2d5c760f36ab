import { anyOf, defineExercise, tidy, type Rng } from 'llm-tutor/pack';
import { close, isVector, show } from '../../../transformer-core/properties.js';

type Args = [xAbsMax: number[], wAbsMax: number[], alpha: number];

/** The lesson's activations [4 tokens, 4 channels]: channel 1 is the outlier. */
export const lessonX = [
  [0.5, 20, -0.8, 1.0],
  [-1.2, -24, 0.6, 0.3],
  [0.9, 16, 1.5, -0.7],
  [-0.4, -18, -1.1, 0.8],
];
/** The lesson's weight [in 4, out 3] (y = x·W): row j multiplies channel j. */
export const lessonW = [
  [0.3, -0.6, 0.2],
  [0.05, 0.1, -0.08],
  [-0.4, 0.25, 0.5],
  [0.7, -0.2, 0.1],
];
/** Their per-channel maxima: max over tokens of |X[:, j]|, max over outputs of |W[j, :]|. */
export const lessonXAbsMax = [1.2, 24, 1.5, 1.0];
export const lessonWAbsMax = [0.6, 0.1, 0.5, 0.7];

const floor = 1e-5;

/** smooth_ln_fcs's factors step by step: the clamped weight maxima, the two powers, their ratio and the clamped factors. */
export function smoothSteps(xAbsMax: number[], wAbsMax: number[], alpha: number) {
  const wClamped = wAbsMax.map((w) => Math.max(w, floor));
  const xPow = xAbsMax.map((x) => x ** alpha);
  const wPow = wClamped.map((w) => w ** (1 - alpha));
  const ratio = xPow.map((x, j) => x / wPow[j]);
  const scales = ratio.map((r) => Math.max(r, floor));
  return { steps: { wClamped, 'xAbsMax^α': xPow, 'wAbsMax^(1−α)': wPow, ratio, scales }, output: scales };
}

/** Per-channel maxima of a layer whose activations have outlier channels (about 1 in 4, 10–60 times the rest). */
function randomMaxima(rng: Rng, channels: number): { x: number[]; w: number[] } {
  const x = Array.from({ length: channels }, (_, j) => tidy((j % 4 === 1 ? rng.uniform(10, 60) : rng.uniform(0.3, 3)), 3));
  const w = Array.from({ length: channels }, () => tidy(rng.uniform(0.02, 1), 3));
  return { x, w };
}

function cases(rng: Rng): { name: string; args: Args; expected?: number[] }[] {
  const a = randomMaxima(rng, 8);
  const b = randomMaxima(rng, 6);
  return [
    // √(max|X|/max|W|): √2, √240, √3, √(1/0.7).
    { name: 'the lesson example: an outlier channel of 24, α = 0.5', args: [lessonXAbsMax, lessonWAbsMax, 0.5], expected: [1.4142136, 15.491933, 1.7320508, 1.1952286] },
    { name: 'the lesson example with α = 0.75: more of the range moved into the weights', args: [lessonXAbsMax, lessonWAbsMax, 0.75] },
    { name: 'α = 1: s = max|X_j|, every smoothed activation channel has maximum 1', args: [lessonXAbsMax, lessonWAbsMax, 1] },
    { name: 'α = 0: s = 1/max|W_j|, every smoothed weight row has maximum 1', args: [lessonXAbsMax, lessonWAbsMax, 0] },
    { name: 'random: 8 channels, outliers in channels 1 and 5, α = 0.5', args: [a.x, a.w, 0.5] },
    { name: 'random: 6 channels, outliers in channels 1 and 5, α = 0.8', args: [b.x, b.w, 0.8] },
    { name: 'a weight row of zeros (a pruned input): its maximum clamped to 1e-5', args: [[2, 30, 1], [0.5, 0, 0.25], 0.5] },
    { name: 'an activation channel that is always 0: its factor clamped to 1e-5', args: [[2, 0, 8], [0.5, 0.3, 0.5], 0.5] },
  ];
}

export default defineExercise<Args, number[]>({
  entry: 'smoothQuantScales',
  signature: 'smoothQuantScales(xAbsMax: Vector, wAbsMax: Vector, alpha: number): Vector',
  inputsReadOnly: true,
  cases,
  reference: (_ctx, xAbsMax, wAbsMax, alpha) => smoothSteps(xAbsMax, wAbsMax, alpha).output,
  trace: (_ctx, xAbsMax, wAbsMax, alpha) => smoothSteps(xAbsMax, wAbsMax, alpha).steps,
  properties: [
    {
      name: 'with α = 0.5 the smoothed activations and weights share each channel\'s maximum',
      cases: (rng) => {
        const { x, w } = randomMaxima(rng, 6);
        return [{ name: '6 channels with outliers, α = 0.5', calls: [[x, w, 0.5]] as Args[] }];
      },
      holds: ([s], [[x, w]]) => {
        if (!isVector(s) || s.length !== x.length) return `smoothQuantScales must return one number per channel (${x.length}); it returned ${JSON.stringify(s)?.slice(0, 80)}.`;
        const j = x.findIndex((xj, i) => !close(xj / s[i], s[i] * w[i]));
        if (j < 0) return undefined;
        return `In channel ${j}, max|X|/s = ${show(x[j])}/${show(s[j])} = ${show(x[j] / s[j])} but s·max|W| = ${show(s[j] * w[j])}. With α = 0.5, s = √(max|X|/max|W|), which leaves both with the maximum √(max|X|·max|W|): the difficulty split evenly.`;
      },
    },
  ],
  misconceptions: [
    {
      id: 'alpha-swapped',
      title: { en: 'α on the wrong side: s = max|W|^α / max|X|^(1−α)', 'zh-CN': 'α 放错了位置：s = max|W|^α / max|X|^(1−α)' },
      message: {
        en:
          'Your factors put the weight maximum in the numerator: s = max|W_j|^α / max|X_j|^(1−α), the inverse of the right one at α = 0.5. Dividing X by that MAKES the outlier worse ' +
          '(channel 1 of the lesson: s = 0.0645 instead of 15.49, so 24 becomes 372 instead of 1.55). The activation maximum is the numerator: s_j = max|X_j|^α / max|W_j|^(1−α).',
        'zh-CN':
          '你的因子把权重最大值放在了分子上：s = max|W_j|^α / max|X_j|^(1−α)，在 α = 0.5 时它恰好是正确因子的倒数。用它去除 X，反而「加剧」了离群值' +
          '（课程示例中的通道 1：s = 0.0645 而不是 15.49，于是 24 变成了 372，而不是 1.55）。激活最大值才是分子：s_j = max|X_j|^α / max|W_j|^(1−α)。',
      },
      hint: {
        en: 'The activation outlier must shrink when divided by s. For the lesson\'s channel 1 (max|X| 24, max|W| 0.1), is your s above 1 or below?',
        'zh-CN': '激活的离群值除以 s 之后必须变小。对课程示例中的通道 1（max|X| 为 24，max|W| 为 0.1），你的 s 大于 1 还是小于 1？',
      },
      wrong: (_ctx, xAbsMax, wAbsMax, alpha) => xAbsMax.map((x, j) => Math.max(Math.max(wAbsMax[j], floor) ** alpha / x ** (1 - alpha), floor)),
    },
    {
      id: 'no-clamp',
      title: { en: 'the 1e-5 clamps left out', 'zh-CN': '漏掉了 1e-5 的下限' },
      message: {
        en:
          'Without smooth_ln_fcs\'s clamps, a weight row of zeros gives s = x^α/0 = Infinity (and then X/s = 0 and s·W = NaN), and an activation channel of zeros gives s = 0, by which X is then divided. ' +
          'Clamp max|W_j| below at 1e-5 before the power, and s itself below at 1e-5.',
        'zh-CN':
          '没有 smooth_ln_fcs 的下限，全零的权重行会得到 s = x^α/0 = Infinity（于是 X/s = 0，s·W = NaN），全零的激活通道会得到 s = 0，而 X 随后还要除以它。' +
          '在取幂之前，把 max|W_j| 的下限设为 1e-5，并把 s 本身的下限也设为 1e-5。',
      },
      hint: {
        en: 'Try a channel whose weights are all 0, and one whose activations are all 0. What are your factors there, and what do X/s and s·W become?',
        'zh-CN': '试一个权重全为 0 的通道，再试一个激活值全为 0 的通道。你在那里的因子是多少？X/s 和 s·W 又变成了什么？',
      },
      wrong: (_ctx, xAbsMax, wAbsMax, alpha) => {
        const raw = (clampW: boolean) => xAbsMax.map((x, j) => x ** alpha / (clampW ? Math.max(wAbsMax[j], floor) : wAbsMax[j]) ** (1 - alpha));
        return anyOf(raw(false), raw(false).map((s) => Math.max(s, floor)), raw(true));
      },
    },
    {
      id: 'product-not-ratio',
      title: { en: 'the two maxima multiplied: s = max|X|^α · max|W|^(1−α)', 'zh-CN': '把两个最大值相乘：s = max|X|^α · max|W|^(1−α)' },
      message: {
        en:
          'You multiply the two powers instead of dividing: s_j = max|X_j|^α · max|W_j|^(1−α), which is √(24 × 0.1) = 1.549 for the lesson\'s channel 1 instead of √(24/0.1) = 15.49. ' +
          'The weight term divides: a channel whose weights are already large should take less of the activation\'s range.',
        'zh-CN':
          '你把两个幂相乘了，而不是相除：s_j = max|X_j|^α · max|W_j|^(1−α)，对课程示例中的通道 1 得到 √(24 × 0.1) = 1.549，而不是 √(24/0.1) = 15.49。' +
          '权重项应该做除数：权重本来就大的通道，应该少分担一些激活值的范围。',
      },
      hint: {
        en: 'Work out the lesson\'s channel 1 with α = 0.5: should it be √(24 × 0.1) or √(24 / 0.1)? Which one leaves X/s and s·W with the same maximum?',
        'zh-CN': '取 α = 0.5 算一下课程示例中的通道 1：应该是 √(24 × 0.1) 还是 √(24 / 0.1)？哪一个能让 X/s 与 s·W 的最大值相同？',
      },
      wrong: (_ctx, xAbsMax, wAbsMax, alpha) => xAbsMax.map((x, j) => Math.max(x ** alpha * Math.max(wAbsMax[j], floor) ** (1 - alpha), floor)),
    },
  ],
  hints: [
    {
      en: 'One channel at a time: raise its activation maximum to α and its weight maximum to 1 − α.',
      'zh-CN': '一次处理一个通道：把它的激活最大值取 α 次幂，把它的权重最大值取 1 − α 次幂。',
    },
    {
      en: 'Divide the first by the second; clamp the weight maximum below at 1e-5 before the power, and the result below at 1e-5.',
      'zh-CN': '用前者除以后者；取幂之前把权重最大值的下限设为 1e-5，结果的下限也设为 1e-5。',
    },
    {
      en: 'The key idea: s_j = max|X_j|^α / max|W_j|^(1−α) is chosen so that dividing X by s and multiplying W by s leaves X·W unchanged while shrinking the activation outliers; α decides how much of the range moves into the weights.',
      'zh-CN': '关键：选取 s_j = max|X_j|^α / max|W_j|^(1−α)，使得 X 除以 s、W 乘以 s 之后 X·W 不变，同时缩小激活的离群值；α 决定有多少范围被挪进权重。',
    },
  ],
});
