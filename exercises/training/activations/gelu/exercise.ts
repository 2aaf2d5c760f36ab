import { anyOf, defineExercise, randomVector, type Rng, type Tolerance } from 'llm-tutor/pack';
import { isVector, show, wrongKind } from '../../../transformer-core/properties.js';
import { erf, gelu, geluExact, geluTanh, tanhInner, tanhScale, type Approximate } from '../activations-math.js';

type Args = [x: number[], approximate: Approximate];

/** Absolute 1e-6: Abramowitz–Stegun 7.1.26 (|error| ≤ 1.5e-7 in erf, ≤ 2.2e-7 in GELU for |x| ≤ 10) passes; the two forms (up to 4.7e-4 apart) do not pass for each other. */
const tolerance: Tolerance = { atol: 1e-6, rtol: 0 };

/** The lesson's inputs. */
const lessonX = [-3, -1, -0.5, 0, 0.5, 1, 2, 3];
/** x·Φ(x) from the standard normal table: Φ(0.5) = 0.6914624613, Φ(1) = 0.8413447461, Φ(2) = 0.9772498681, Φ(3) = 0.9986501020, and Φ(−x) = 1 − Φ(x). */
const lessonExact = [-0.004049694, -0.1586552539, -0.1542687694, 0, 0.3457312306, 0.8413447461, 1.9544997362, 2.995950306];

/** The largest |exact − tanh| over the real line, 4.73e-4 at x ≈ 2.70, with room for two learner errors of 1e-6. */
const largestGap = 4.75e-4;

/** A GELU that computes the exact form correctly and the tanh form with `inner` inside the tanh. */
function tanhFormWith(x: number[], approximate: Approximate, inner: (v: number) => number): number[] {
  return approximate === 'tanh' ? x.map((v) => geluTanh(v, inner(v))) : x.map(geluExact);
}

/** The index and size of the largest difference between two lists beyond `limit` (NaN counts as beyond), or undefined. */
function largestDifference(a: number[], b: number[], limit: number): { at: number; by: number } | undefined {
  let worst: { at: number; by: number } | undefined;
  a.forEach((v, i) => {
    const by = Math.abs(v - b[i]);
    if (!(by <= limit) && (!worst || !(by <= worst.by))) worst = { at: i, by };
  });
  return worst;
}

/** −6, −5.7, …, 6: both sides of the largest gap between the forms, at ±2.70. */
const grid = Array.from({ length: 41 }, (_, i) => Number((-6 + 0.3 * i).toFixed(1)));

const randomArgs = (rng: Rng, n: number, approximate: Approximate): Args => [randomVector(rng, n, 2), approximate];

export default defineExercise<Args, number[]>({
  entry: 'gelu',
  signature: 'gelu(x: Vector, approximate: "none" | "tanh"): Vector',
  compare: tolerance,
  cases: (rng) => [
    { name: 'the lesson example, exact form ("none")', args: [lessonX, 'none'], expected: lessonExact },
    { name: 'the lesson example, tanh form', args: [lessonX, 'tanh'] },
    { name: 'random, exact form (8 values)', args: randomArgs(rng, 8, 'none') },
    { name: 'random, tanh form (8 values)', args: randomArgs(rng, 8, 'tanh') },
    { name: 'where the forms differ most (x near ±2.7), exact form', args: [[2.5, 2.7, 2.9, -2.7], 'none'] },
    { name: 'large magnitudes (±10), exact form', args: [[-10, -6, 6, 10], 'none'] },
    { name: 'large magnitudes (±10), tanh form', args: [[-10, -6, 6, 10], 'tanh'] },
    { name: 'small values (about ±0.001), exact form', args: [randomVector(rng, 4, 0.001).map((v) => v || 0.0005), 'none'] },
    { name: 'an empty vector', args: [[], 'tanh'] },
  ],
  reference: (_ctx, x, approximate) => gelu(x, approximate),
  trace: (_ctx, x, approximate) =>
    approximate === 'tanh'
      ? { inner: x.map((v) => tanhInner(v)), tanh: x.map((v) => Math.tanh(tanhInner(v))) }
      : { 'x/√2': x.map((v) => v / Math.SQRT2), erf: x.map((v) => erf(v / Math.SQRT2)), 'Φ(x)': x.map((v) => 0.5 * (1 + erf(v / Math.SQRT2))) },
  properties: [
    {
      name: 'gelu(x) − gelu(−x) = x, in both forms',
      cases: (rng) => [4, 6].map((n) => {
        const x = randomVector(rng, n, 2);
        const minus = x.map((v) => -v);
        return { name: `${n} values, each form`, calls: [[x, 'none'], [minus, 'none'], [x, 'tanh'], [minus, 'tanh']] as Args[] };
      }),
      holds: (outputs, calls) => {
        const odd = wrongKind('gelu', 'a list of numbers', outputs, isVector);
        if (odd) return odd;
        for (const [plus, minus] of [[0, 1], [2, 3]]) {
          const x = calls[plus][0];
          const difference = outputs[plus].map((v, i) => v - outputs[minus][i]);
          const wrong = largestDifference(difference, x, 2e-6);
          if (wrong) {
            const i = wrong.at;
            return `With approximate "${calls[plus][1]}", gelu(${show(x[i])}) − gelu(${show(-x[i])}) is ${show(difference[i])}, not ${show(x[i])}. ` +
              'x·Φ(x) − (−x)·Φ(−x) = x·(Φ(x) + Φ(−x)) = x, since Φ(−x) = 1 − Φ(x): erf and tanh are odd, erf(−z) = −erf(z), so an approximation written for z ≥ 0 needs that symmetry for z < 0.';
          }
        }
        return undefined;
      },
    },
    {
      name: 'the exact and the tanh forms agree within 4.75e-4',
      cases: () => [{ name: 'x from −6 to 6 in steps of 0.3', calls: [[grid, 'none'], [grid, 'tanh']] }],
      holds: (outputs, calls) => {
        const odd = wrongKind('gelu', 'a list of numbers', outputs, isVector);
        if (odd) return odd;
        const wrong = largestDifference(outputs[0], outputs[1], largestGap);
        if (!wrong) return undefined;
        const x = calls[0][0][wrong.at];
        return `At x = ${show(x)} your exact form gives ${show(outputs[0][wrong.at])} and your tanh form ${show(outputs[1][wrong.at])}, ${show(wrong.by)} apart. ` +
          'The tanh form was fitted to the exact one: they are never more than 4.73e-4 apart (at x ≈ 2.70), so one of your two forms is off.';
      },
    },
  ],
  misconceptions: [
    {
      id: 'forms-swapped',
      title: { en: 'the exact and the tanh forms swapped (or one form for both)', 'zh-CN': '精确形式与 tanh 形式用反了（或两种都用同一个）' },
      message: {
        en:
          'Your "none" gives the tanh form, or your "tanh" the erf form (or you ignore `approximate`). They are close but not equal: at x = 1 the exact GELU is 0.841345 and the tanh form 0.841192, ' +
          'and they differ by up to 4.7e-4 near x = 2.7, far above the 1e-6 allowed. "none" is 0.5·x·(1 + erf(x/√2)); "tanh" is 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).',
        'zh-CN':
          '你的 "none" 给出的是 tanh 形式，或者你的 "tanh" 给出的是 erf 形式（也可能你忽略了 `approximate`）。两者很接近但并不相等：在 x = 1 处，精确 GELU 是 0.841345，tanh 形式是 0.841192；' +
          '在 x = 2.7 附近两者相差可达 4.7e-4，远超允许的 1e-6。"none" 是 0.5·x·(1 + erf(x/√2))；"tanh" 是 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))。',
      },
      hint: {
        en: 'Check which formula each value of `approximate` runs: "none" means no approximation, the erf form. Try x = 1: 0.841345 is one form, 0.841192 the other.',
        'zh-CN': '检查 `approximate` 的每个取值分别走的是哪个公式："none" 表示不做近似，即 erf 形式。试试 x = 1：0.841345 是一种形式，0.841192 是另一种。',
      },
      wrong: (_ctx, x, approximate) => {
        const other: Approximate = approximate === 'tanh' ? 'none' : 'tanh';
        return anyOf(gelu(x, other), gelu(x, 'none'), gelu(x, 'tanh'));
      },
    },
    {
      id: 'cube-missing',
      title: { en: 'the tanh form with 0.044715·x instead of 0.044715·x³', 'zh-CN': 'tanh 形式里写成 0.044715·x，而不是 0.044715·x³' },
      message: {
        en:
          'Inside your tanh you add 0.044715·x; the formula adds 0.044715·x³. The two agree at x = ±1 (x³ = x there) and nowhere else: ' +
          'at x = 2 the tanh form is 1.954598, but with 0.044715·x it is 1.931170. The cube is what bends the curve to fit x·Φ(x).',
        'zh-CN':
          '你在 tanh 里面加的是 0.044715·x；公式加的是 0.044715·x³。两者只在 x = ±1 处一致（那里 x³ = x），其他地方都不同：' +
          '在 x = 2 处，tanh 形式应为 1.954598，用 0.044715·x 却得到 1.931170。正是这个立方项把曲线掰弯，去拟合 x·Φ(x)。',
      },
      hint: {
        en: 'Evaluate your tanh form at x = 2, where x³ = 8 and x = 2 differ: the lesson gives 1.954598. Compare the inside of your tanh with the formula term by term.',
        'zh-CN': '在 x = 2 处计算你的 tanh 形式，这里 x³ = 8 与 x = 2 不同：课程给出的是 1.954598。把你 tanh 里面的表达式与公式逐项对比。',
      },
      wrong: (_ctx, x, approximate) => tanhFormWith(x, approximate, (v) => tanhInner(v, tanhScale, (u) => u)),
    },
    {
      id: 'two-over-pi-without-sqrt',
      title: { en: 'the tanh form scaled by 2/π instead of √(2/π)', 'zh-CN': 'tanh 形式的缩放系数用了 2/π，而不是 √(2/π)' },
      message: {
        en:
          'You scale the inside of the tanh by 2/π = 0.6366; the constant is √(2/π) = 0.7979 (the slope of erf(x/√2) at 0, 2/√π·1/√2). ' +
          'At x = 1 that gives 0.790869 instead of 0.841192.',
        'zh-CN':
          '你给 tanh 的内部乘上了 2/π = 0.6366；正确的常数是 √(2/π) = 0.7979（即 erf(x/√2) 在 0 处的斜率，2/√π·1/√2）。' +
          '于是在 x = 1 处得到 0.790869，而不是 0.841192。',
      },
      hint: {
        en: 'What number multiplies (x + 0.044715·x³) in your code? Print it: the lesson\'s constant is 0.797885.',
        'zh-CN': '你的代码里乘在 (x + 0.044715·x³) 前面的是哪个数？把它打印出来：课程中的常数是 0.797885。',
      },
      wrong: (_ctx, x, approximate) => tanhFormWith(x, approximate, (v) => tanhInner(v, 2 / Math.PI)),
    },
  ],
  hints: [
    {
      en: 'Write each form for one number first and check it against the lesson\'s table at x = 1: 0.841345 (exact) and 0.841192 (tanh). Then map it over x.',
      'zh-CN': '先针对单个数写出每种形式，并用课程表格中 x = 1 的值核对：0.841345（精确）和 0.841192（tanh）。然后再对 x 逐元素映射。',
    },
    {
      en: 'JavaScript has no Math.erf: write erf(z) for z ≥ 0 with the Abramowitz–Stegun formula of the lesson, and use erf(−z) = −erf(z) for negative z.',
      'zh-CN': 'JavaScript 没有 Math.erf：按课程中的 Abramowitz–Stegun 公式写出 z ≥ 0 时的 erf(z)，z 为负时利用 erf(−z) = −erf(z)。',
    },
    {
      en: 'The key idea: "none" is 0.5·x·(1 + erf(x/√2)); "tanh" is 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). Both are x times a number between 0 and 1.',
      'zh-CN': '关键思路："none" 是 0.5·x·(1 + erf(x/√2))；"tanh" 是 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))。两者都是 x 乘以一个介于 0 和 1 之间的数。',
    },
  ],
});
