import { anyOf, defineExercise, randomVector, type Rng } from 'llm-tutor/pack';
import { close, isVector, show, showList } from '../../../transformer-core/properties.js';
import { absmaxInput, absmaxSteps, awayFromTies, maxAbs, roundHalfUp, type Absmax } from '../quant-math.js';

type Args = [x: number[]];

/** The lesson's vector (NUMERICS.md's example): largest magnitude 5.4. */
export const lessonX = [1.2, -0.5, -4.3, 1.2, -3.1, 0.8, 2.4, 5.4];

/** A vector whose largest magnitude is 127, so 127·x/max = x: 2.5, −3.5, 0.5 and −0.5 are exact halves. */
export const halvesX = [127, 2.5, -3.5, 0.5, 1.5, -0.5];

/** Largest magnitude 63.5, so 127·x/max = 2x, exactly: 1.25 → 2.5 and −0.75 → −1.5 are exact halves. */
export const halvesX2 = [63.5, 1.25, -0.75, 0.25, -20];

/** The largest magnitude belongs to a negative value: −8. */
export const negativeMaxX = [-8, 2, 3, -1];

/** Small values and one outlier, as an activation of LLM.int8()'s outlier features. */
function withOutlier(rng: Rng): number[] {
  return awayFromTies(
    rng,
    (r) => {
      const x = randomVector(r, 11, 0.5);
      x.splice(r.int(0, 11), 0, 60);
      return x;
    },
    (x) => absmaxSteps(x).steps['127·x/m'],
  );
}

const isAbsmax = (x: unknown): x is Absmax => typeof x === 'object' && x !== null && isVector((x as Absmax).q) && typeof (x as Absmax).scale === 'number';
const wrongKind = (out: unknown) => (isAbsmax(out) ? undefined : `quantizeAbsmax must return { q, scale }, q a list of numbers and scale a number; it returned ${JSON.stringify(out)?.slice(0, 80)}.`);

export default defineExercise<Args, Absmax>({
  entry: 'quantizeAbsmax',
  signature: 'quantizeAbsmax(x: Vector): { q: number[]; scale: number }',
  inputsReadOnly: true,
  cases: (rng) => [
    {
      name: 'the lesson example: largest magnitude 5.4',
      args: [lessonX],
      expected: { q: [28, -12, -101, 28, -73, 19, 56, 127], scale: 0.042519685 },
    },
    { name: 'exact halves: the largest magnitude is 127, so 2.5 → 2, −3.5 → −4, ±0.5 → 0', args: [halvesX], expected: { q: [127, 2, -4, 0, 2, 0], scale: 1 } },
    { name: 'exact halves with max 63.5: 127·x/max = 2x, so 1.25 → 2 and −0.75 → −2', args: [halvesX2], expected: { q: [127, 2, -2, 0, -40], scale: 0.5 } },
    { name: 'the largest magnitude is negative: [−8, 2, 3, −1]', args: [negativeMaxX], expected: { q: [-127, 32, 48, -16], scale: 0.062992126 } },
    { name: 'random: 8 values, std 1', args: [absmaxInput(rng, 8, 1)] },
    { name: 'random: 16 values, std 3', args: [absmaxInput(rng, 16, 3)] },
    { name: 'an outlier: 11 values of std 0.5 and one 60', args: [withOutlier(rng)] },
    { name: 'all zeros: q all 0 and scale 0', args: [[0, 0, 0, 0]], expected: { q: [0, 0, 0, 0], scale: 0 } },
    { name: 'a single value −2.5: q [−127]', args: [[-2.5]], expected: { q: [-127], scale: 2.5 / 127 } },
  ],
  reference: (_ctx, x) => absmaxSteps(x).output,
  trace: (_ctx, x) => absmaxSteps(x).steps,
  properties: [
    {
      name: 'every value comes back within half a step: |q·scale − x| ≤ scale/2',
      cases: (rng) => [
        { name: '12 random values, std 2', calls: [[randomVector(rng, 12, 2)]] },
        { name: '10 random values and an outlier 40', calls: [[[...randomVector(rng, 10, 0.3), 40]]] },
      ],
      holds: ([out], [[x]]) => {
        const odd = wrongKind(out);
        if (odd) return odd;
        const i = x.findIndex((v, k) => !(Math.abs(out.q[k] * out.scale - v) <= out.scale / 2 + 1e-9 * maxAbs(x)));
        if (i < 0) return undefined;
        return `x[${i}] = ${show(x[i])} comes back as q·scale = ${show(out.q[i])} · ${show(out.scale)} = ${show(out.q[i] * out.scale)}, more than half a step (scale/2 = ${show(out.scale / 2)}) away. With scale = max|x|/127 and q = round(x/scale), no value is further than scale/2 from q·scale.`;
      },
    },
    {
      name: 'multiplying x by 4 leaves q unchanged and multiplies scale by 4',
      cases: (rng) => {
        const x = absmaxInput(rng, 8, 1);
        return [{ name: '8 random values, std 1, then the same times 4', calls: [[x], [x.map((v) => 4 * v)]] as Args[] }];
      },
      holds: ([before, after]) => {
        for (const out of [before, after]) {
          const odd = wrongKind(out);
          if (odd) return odd;
        }
        const i = before.q.findIndex((v, k) => v !== after.q[k]);
        if (i >= 0 || before.q.length !== after.q.length) return `q changed when every value was multiplied by 4: ${showList(before.q)} became ${showList(after.q)}. q depends only on x/max|x|, which a common factor leaves unchanged.`;
        if (!close(4 * before.scale, after.scale)) return `scale went from ${show(before.scale)} to ${show(after.scale)}, not 4 times it: scale = max|x|/127 grows with x.`;
        return undefined;
      },
    },
  ],
  misconceptions: [
    {
      id: 'round-half-up',
      title: { en: 'Math.round: an exact .5 rounded up', 'zh-CN': 'Math.round：恰好为 .5 时向上舍入' },
      message: {
        en: 'You round with Math.round, which sends every exact .5 up (2.5 → 3, −3.5 → −3). torch.round, like this exercise, rounds a .5 to the even integer: 2.5 → 2, −3.5 → −4, 0.5 → 0. Round half to even: when the fraction is exactly .5, pick the even neighbour.',
        'zh-CN': '你用 Math.round 舍入，它把每个恰好为 .5 的数都向上舍入（2.5 → 3，−3.5 → −3）。torch.round 和本练习一样，把 .5 舍入到偶数：2.5 → 2，−3.5 → −4，0.5 → 0。要平局取偶：小数部分恰好为 .5 时，取偶数的那个相邻整数。',
      },
      hint: {
        en: 'In the case whose largest magnitude is 127, 127·x/max is x itself. What do 2.5, −3.5 and 0.5 round to under "half to even"?',
        'zh-CN': '在最大绝对值为 127 的那个用例中，127·x/max 就是 x 本身。按「平局取偶」，2.5、−3.5 和 0.5 分别舍入成什么？',
      },
      wrong: (_ctx, x) => absmaxSteps(x, { round: roundHalfUp }).output,
    },
    {
      id: 'levels-128',
      title: { en: '128 levels instead of 127', 'zh-CN': '用了 128 个量化级而不是 127' },
      message: {
        en: 'You scale by 128/max|x|, so the largest value becomes 128, which int8 cannot hold (its largest is 127), and the lesson\'s −4.3 becomes −102 instead of −101. Symmetric int8 uses [−127, 127]: q = round(127·x/max|x|), scale = max|x|/127.',
        'zh-CN': '你按 128/max|x| 缩放，于是最大的值变成了 128，int8 放不下它（int8 最大为 127），课程示例中的 −4.3 也变成了 −102 而不是 −101。对称 int8 使用 [−127, 127]：q = round(127·x/max|x|)，scale = max|x|/127。',
      },
      hint: {
        en: 'What does your function give for the largest value of the lesson, 5.4? An int8 holds at most 127.',
        'zh-CN': '你的函数对课程示例中最大的值 5.4 给出什么？int8 最多只能存 127。',
      },
      wrong: (_ctx, x) => absmaxSteps(x, { levels: 128 }).output,
    },
    {
      id: 'max-not-abs',
      title: { en: 'the largest value instead of the largest magnitude', 'zh-CN': '用最大值代替了最大绝对值' },
      message: {
        en: 'You divide by max(x), not max|x|: when the value of largest magnitude is negative (−8 in [−8, 2, 3, −1]) it quantises beyond −127 (to −339). Take the largest absolute value, so that both ends fit in [−127, 127].',
        'zh-CN': '你除以的是 max(x) 而不是 max|x|：当绝对值最大的数为负时（[−8, 2, 3, −1] 中的 −8），它会被量化到 −127 之外（变成 −339）。应取最大的绝对值，这样两端都能放进 [−127, 127]。',
      },
      hint: {
        en: 'Try [−8, 2, 3, −1]: which number should map to ±127?',
        'zh-CN': '试试 [−8, 2, 3, −1]：哪个数应该映射到 ±127？',
      },
      // Math.max(...x) alone, or started from 0 (a loop from m = 0): they differ only when every value is negative.
      wrong: (_ctx, x) => anyOf(absmaxSteps(x, { max: (v) => Math.max(...v) }).output, absmaxSteps(x, { max: (v) => Math.max(0, ...v) }).output),
    },
  ],
  hints: [
    {
      en: 'Find the largest absolute value m of x. The scale is m/127; every q is 127·x/m rounded.',
      'zh-CN': '找出 x 的最大绝对值 m。缩放因子是 m/127；每个 q 都是把 127·x/m 舍入。',
    },
    { text: { en: 'Rounding: torch.round sends an exact .5 to the even neighbour (2.5 → 2, 3.5 → 4, −0.5 → 0). JavaScript\'s Math.round sends it up; correct it when the fraction is exactly .5.', 'zh-CN': '舍入：torch.round 把恰好为 .5 的数舍入到偶数的那个相邻整数（2.5 → 2，3.5 → 4，−0.5 → 0）。JavaScript 的 Math.round 则向上舍入；小数部分恰好为 .5 时要加以纠正。' }, misconception: 'round-half-up' },
    {
      en: 'An all-zero x has m = 0: return q all 0 and scale 0 instead of dividing by 0.',
      'zh-CN': '全零的 x 有 m = 0：返回全 0 的 q 和为 0 的 scale，而不要除以 0。',
    },
  ],
});
