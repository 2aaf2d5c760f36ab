import { defineExercise, randomVector, type Rng } from 'llm-tutor/pack';
import { isVector, show } from '../../../transformer-core/properties.js';
import { asymmetricInput, asymmetricSteps, float32Eps, roundHalfUp, type Asymmetric } from '../quant-math.js';

type Args = [x: number[], bits: number];

/** The lesson's vector (NUMERICS.md's example), from −4.3 to 5.4. */
export const lessonX = [1.2, -0.5, -4.3, 1.2, -3.1, 0.8, 2.4, 5.4];

/** A ReLU's output: nothing below 0, and no exact 0 in it either. */
export const positiveX = [0.3, 1.7, 2.2, 0.9, 0.05, 3.1];

/** Every value negative, the largest −0.4. */
export const negativeX = [-2, -0.4, -1.2, -3];

/** From 0 to 255 at 8 bits, so scale = 1 and x/scale = x: 2.5, 3.5, 100.5 and 0.5 are exact halves. */
export const halvesX = [0, 255, 2.5, 3.5, 100.5, 0.5];

/** From −11.5 to 243.5 at 8 bits: scale 1 and min/scale = −11.5, an exact half, so the zero-point is 12. */
export const halfZeroPointX = [-11.5, 243.5, -1.5, 6.5];

/** Mixed signs, `n` values of standard deviation `std`, kept away from exact halves at `bits`. */
const mixed = (rng: Rng, n: number, std: number, bits: number) => asymmetricInput(rng, (r) => randomVector(r, n, std), bits);
/** Non-negative values, as after a ReLU. */
const relu = (rng: Rng, n: number, bits: number) => asymmetricInput(rng, (r) => randomVector(r, n, 1).map(Math.abs), bits);

const isAsymmetric = (x: unknown): x is Asymmetric => {
  const a = x as Asymmetric;
  return typeof x === 'object' && x !== null && isVector(a.q) && typeof a.scale === 'number' && typeof a.zeroPoint === 'number';
};
const wrongKind = (out: unknown) => (isAsymmetric(out) ? undefined : `quantizeAsymmetric must return { q, scale, zeroPoint }, q a list of numbers; it returned ${JSON.stringify(out)?.slice(0, 80)}.`);

export default defineExercise<Args, Asymmetric>({
  entry: 'quantizeAsymmetric',
  signature: 'quantizeAsymmetric(x: Vector, bits: number): { q: number[]; scale: number; zeroPoint: number }',
  inputsReadOnly: true,
  cases: (rng) => [
    {
      name: 'the lesson example at 8 bits: from −4.3 to 5.4',
      args: [lessonX, 8],
      // torch.ao.quantization.MinMaxObserver(dtype=torch.quint8) on these values: scale 0.0380392, zero_point 113.
      expected: { q: [145, 100, 0, 145, 32, 134, 176, 255], scale: 0.038039216, zeroPoint: 113 },
    },
    { name: 'the lesson example at 4 bits: 16 levels, 0 to 15', args: [lessonX, 4], expected: { q: [9, 6, 0, 9, 2, 8, 11, 15], scale: 0.64666667, zeroPoint: 7 } },
    { name: 'all positive, as after a ReLU: the range starts at 0, not at 0.05', args: [positiveX, 8], expected: { q: [25, 140, 181, 74, 4, 255], scale: 0.012156863, zeroPoint: 0 } },
    { name: 'all negative: the range ends at 0, not at −0.4, and the zero-point is 255', args: [negativeX, 8], expected: { q: [85, 221, 153, 0], scale: 0.011764706, zeroPoint: 255 } },
    { name: 'exact halves: scale 1, so 2.5 → 2, 3.5 → 4, 100.5 → 100, 0.5 → 0', args: [halvesX, 8], expected: { q: [0, 255, 2, 4, 100, 0], scale: 1, zeroPoint: 0 } },
    { name: 'an exact half in the zero-point: min/scale = −11.5, so the zero-point is 12', args: [halfZeroPointX, 8], expected: { q: [0, 255, 10, 18], scale: 1, zeroPoint: 12 } },
    { name: 'random: 8 values of both signs, 8 bits', args: [mixed(rng, 8, 1, 8), 8] },
    { name: 'random: 12 values of both signs, 4 bits', args: [mixed(rng, 12, 2, 4), 4] },
    { name: 'random: 10 values ≥ 0 (a ReLU\'s output), 8 bits', args: [relu(rng, 10, 8), 8] },
    { name: 'all zeros: scale 2⁻²³ (torch\'s floor), zero-point 0, q all 0', args: [[0, 0, 0], 8], expected: { q: [0, 0, 0], scale: float32Eps, zeroPoint: 0 } },
    { name: '2 bits: 4 levels for [−1, 0.2, 0.7, 2]', args: [[-1, 0.2, 0.7, 2], 2], expected: { q: [0, 1, 2, 3], scale: 1, zeroPoint: 1 } },
  ],
  reference: (_ctx, x, bits) => asymmetricSteps(x, bits).output,
  trace: (_ctx, x, bits) => asymmetricSteps(x, bits).steps,
  properties: [
    {
      name: 'q and the zero-point are integers in [0, 2^bits − 1]',
      cases: (rng) => [
        { name: '10 values ≥ 0, 8 bits', calls: [[relu(rng, 10, 8), 8]] as Args[] },
        { name: '6 values ≤ 0, 4 bits', calls: [[relu(rng, 6, 4).map((v) => -v), 4]] as Args[] },
      ],
      holds: ([out], [[, bits]]) => {
        const odd = wrongKind(out);
        if (odd) return odd;
        const qmax = 2 ** bits - 1;
        const inRange = (v: number) => Number.isInteger(v) && v >= 0 && v <= qmax;
        if (!inRange(out.zeroPoint)) return `Your zero-point is ${show(out.zeroPoint)}, not an integer in [0, ${qmax}]: it could not be stored in ${bits} bits. With the range extended to include 0 it always lands inside; torch clamps it as well.`;
        const i = out.q.findIndex((v) => !inRange(v));
        if (i >= 0) return `q[${i}] is ${show(out.q[i])}, not an integer in [0, ${qmax}]. Clamp round(x/scale) + zeroPoint to [0, 2^bits − 1].`;
        return undefined;
      },
    },
    {
      name: 'every value comes back within half a step: |(q − zeroPoint)·scale − x| ≤ scale/2',
      cases: (rng) => [
        { name: '12 values of both signs, 8 bits', calls: [[randomVector(rng, 12, 2), 8]] as Args[] },
        { name: '8 values from 0.5 up, 4 bits', calls: [[randomVector(rng, 8, 1).map((v) => 0.5 + Math.abs(v)), 4]] as Args[] },
      ],
      holds: ([out], [[x]]) => {
        const odd = wrongKind(out);
        if (odd) return odd;
        const back = (k: number) => (out.q[k] - out.zeroPoint) * out.scale;
        const largest = Math.max(...x.map(Math.abs));
        const i = x.findIndex((v, k) => !(Math.abs(back(k) - v) <= out.scale / 2 + 1e-9 * largest));
        if (i < 0) return undefined;
        return `x[${i}] = ${show(x[i])} comes back as (q − zeroPoint)·scale = (${show(out.q[i])} − ${show(out.zeroPoint)}) · ${show(out.scale)} = ${show(back(i))}, more than scale/2 = ${show(out.scale / 2)} away. When the range [min(x, 0), max(x, 0)] is spread over 2^bits − 1 steps, every value has a level within half a step.`;
      },
    },
  ],
  misconceptions: [
    {
      id: 'range-without-zero',
      title: { en: 'the range not extended to include 0', 'zh-CN': '范围没有扩展到包含 0' },
      message: {
        en: 'You take the range from min(x) to max(x). torch first extends it to include 0 (min(x, 0) to max(x, 0)), so that 0, the value of padding and of every ReLU zero, is a level of its own, the zero-point. For the ReLU case [0.3, …, 0.05, 3.1] your range starts at 0.05: round(0.05/scale) = 4 gives a zero-point of −4, clamped to 0, and 3.1 overflows to 259 before the clamp cuts it to 255.',
        'zh-CN': '你取的范围是从 min(x) 到 max(x)。torch 会先把它扩展到包含 0（从 min(x, 0) 到 max(x, 0)），使 0——填充值以及每个 ReLU 输出的零——独占一个量化级，也就是零点。对 ReLU 用例 [0.3, …, 0.05, 3.1]，你的范围从 0.05 开始：round(0.05/scale) = 4 给出零点 −4，截断为 0，而 3.1 在被截断到 255 之前上溢到了 259。',
      },
      hint: {
        en: 'For the all-positive case, which value should map to q = 0: 0.05, or 0? Compute min and max after putting 0 among the values.',
        'zh-CN': '对全为正的用例，哪个值应该映射到 q = 0：0.05 还是 0？把 0 放进这些值里之后再求最小值和最大值。',
      },
      wrong: (_ctx, x, bits) => asymmetricSteps(x, bits, { includeZero: false }).output,
    },
    {
      id: 'zero-point-out-of-range',
      title: { en: 'a zero-point outside [0, 2^bits − 1]', 'zh-CN': '零点在 [0, 2^bits − 1] 之外' },
      message: {
        en: 'Your zero-point falls outside [0, 2^bits − 1] (−4 for the ReLU case, 294 for the all-negative one), so it cannot be stored in the integer type. It comes from a range that does not include 0: extend it to [min(x, 0), max(x, 0)], and the zero-point, the level of 0, always lands inside (torch clamps it too).',
        'zh-CN': '你的零点落在了 [0, 2^bits − 1] 之外（ReLU 用例中为 −4，全为负的用例中为 294），所以无法存入整数类型。这源于范围没有包含 0：把它扩展到 [min(x, 0), max(x, 0)]，零点（0 所在的量化级）就总会落在范围内（torch 也会截断它）。',
      },
      hint: {
        en: 'Try the all-negative case [−2, −0.4, −1.2, −3]. Is your zero-point a number an 8-bit unsigned integer can hold?',
        'zh-CN': '试试全为负的用例 [−2, −0.4, −1.2, −3]。你的零点是一个 8 位无符号整数能存放的数吗？',
      },
      wrong: (_ctx, x, bits) => asymmetricSteps(x, bits, { includeZero: false, clampZeroPoint: false }).output,
    },
    {
      id: 'round-half-up',
      title: { en: 'Math.round: an exact .5 rounded up', 'zh-CN': 'Math.round：恰好为 .5 时向上舍入' },
      message: {
        en: 'You round with Math.round, which sends an exact .5 up: with scale 1, 2.5 → 3 and 100.5 → 101, and min/scale = −11.5 → −11 gives zero-point 11. torch rounds half to even: 2.5 → 2, 100.5 → 100, −11.5 → −12, so the zero-point is 12.',
        'zh-CN': '你用 Math.round 舍入，它把恰好为 .5 的数向上舍入：scale 为 1 时，2.5 → 3，100.5 → 101，而 min/scale = −11.5 → −11 给出零点 11。torch 平局取偶：2.5 → 2，100.5 → 100，−11.5 → −12，所以零点是 12。',
      },
      hint: {
        en: 'With scale 1, x/scale is x. What is 2.5 rounded half to even? And −11.5?',
        'zh-CN': 'scale 为 1 时，x/scale 就是 x。2.5 按平局取偶舍入是多少？−11.5 呢？',
      },
      wrong: (_ctx, x, bits) => asymmetricSteps(x, bits, { round: roundHalfUp }).output,
    },
    {
      id: 'signed-range',
      title: { en: 'the signed range [−2^(bits−1), 2^(bits−1) − 1]', 'zh-CN': '有符号范围 [−2^(bits−1), 2^(bits−1) − 1]' },
      message: {
        en: 'You quantise to the signed range, −128 to 127 at 8 bits (torch\'s qint8): the lesson example gives zero-point −15 and q from −128 to 127. This exercise is quint8\'s unsigned range, qmin = 0 and qmax = 2^bits − 1: zero-point 113, q from 0 to 255.',
        'zh-CN': '你量化到了有符号范围，8 位时为 −128 到 127（torch 的 qint8）：课程示例得到零点 −15，q 从 −128 到 127。本练习用的是 quint8 的无符号范围，qmin = 0，qmax = 2^bits − 1：零点 113，q 从 0 到 255。',
      },
      hint: {
        en: 'What are qmin and qmax for bits = 8 here? The lesson\'s smallest value, −4.3, should come out as q = 0.',
        'zh-CN': '这里 bits = 8 时 qmin 和 qmax 是多少？课程示例中最小的值 −4.3 应当得到 q = 0。',
      },
      wrong: (_ctx, x, bits) => {
        const half = 2 ** (bits - 1);
        const { q, scale, zeroPoint } = asymmetricSteps(x, bits).output;
        // The same steps on [−half, half − 1]: shifting qmin and qmax by −half shifts the zero-point and every q by −half.
        return { q: q.map((v) => v - half), scale, zeroPoint: zeroPoint - half };
      },
    },
  ],
  hints: [
    {
      en: 'First the range: min = min(x, 0) and max = max(x, 0). Then scale = (max − min)/(2^bits − 1), at least 2⁻²³.',
      'zh-CN': '先求范围：min = min(x, 0)，max = max(x, 0)。然后 scale = (max − min)/(2^bits − 1)，且至少为 2⁻²³。',
    },
    {
      en: 'The zero-point is the level of 0: −round(min/scale), clamped to [0, 2^bits − 1]. Then q = round(x/scale) + zeroPoint, clamped to the same range.',
      'zh-CN': '零点是 0 所在的量化级：−round(min/scale)，截断到 [0, 2^bits − 1]。然后 q = round(x/scale) + zeroPoint，截断到同一范围。',
    },
    { text: { en: 'Round half to even, as torch.round: an exact .5 goes to the even neighbour (2.5 → 2, −11.5 → −12).', 'zh-CN': '像 torch.round 那样平局取偶：恰好为 .5 的数舍入到偶数的那个相邻整数（2.5 → 2，−11.5 → −12）。' }, misconception: 'round-half-up' },
  ],
});
