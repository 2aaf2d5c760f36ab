import { defineExercise, type ReferenceContext } from 'llm-tutor/pack';
import { isVector, listDifference, show, showList, wrongKind } from '../../properties.js';
import { frequencies, ropeFrequenciesTf } from '../rope-math.js';

type Method = 'linear' | 'ntk';
type Args = [d: number, base: number, factor: number, method: Method];

/** The NTK-aware base: base · factor^(d/(d−2)). */
function ntkBase(d: number, base: number, factor: number): number {
  return base * factor ** (d / (d - 2));
}

/** Relative, as the cases compare: the frequencies span many orders of magnitude. */
const relative = { atol: 1e-12, rtol: 1e-5 };

/** A property's `holds` that first checks every output is a list of numbers. */
function lists(check: (outputs: number[][], calls: Args[]) => string | undefined) {
  return (outputs: unknown[], calls: Args[]) => wrongKind('scaledRopeFrequencies', 'a list of numbers', outputs, isVector) ?? check(outputs as number[][], calls);
}

/** The scaled frequencies in float64; the wrong variants reuse it for the method they get right. */
function scaled(d: number, base: number, factor: number, method: Method): number[] {
  return method === 'linear' ? frequencies(d, base).map((t) => t / factor) : frequencies(d, ntkBase(d, base, factor));
}

export default defineExercise<Args, number[]>({
  entry: 'scaledRopeFrequencies',
  signature: 'scaledRopeFrequencies(d: number, base: number, factor: number, method: "linear" | "ntk"): Vector',
  // The frequencies span many orders of magnitude, so they are compared relatively.
  compare: { atol: 1e-12, rtol: 1e-5 },
  cases: (rng) => {
    const d = 2 * rng.int(3, 32);
    const base = rng.pick([10000, 500000]);
    const factor = rng.pick([1.5, 2.5, 3, 6]);
    return [
      { name: 'the lesson example, linear (d=8, base 10000, factor 4)', args: [8, 10000, 4, 'linear'] },
      { name: 'the lesson example, NTK (d=8, base 10000, factor 4)', args: [8, 10000, 4, 'ntk'] },
      { name: 'factor 1, linear: nothing changes', args: [16, 10000, 1, 'linear'] },
      { name: 'factor 1, NTK: nothing changes', args: [16, 10000, 1, 'ntk'] },
      { name: 'Position Interpolation, LLaMA 2048 → 32768 (d=128, factor 16, linear)', args: [128, 10000, 16, 'linear'] },
      { name: 'NTK-aware, alpha 8 (d=128, base 10000, factor 8)', args: [128, 10000, 8, 'ntk'] },
      { name: 'NTK with d=4 (base · factor²)', args: [4, 10000, 3, 'ntk'] },
      { name: `random, linear (d=${d}, base ${base}, factor ${factor})`, args: [d, base, factor, 'linear'] },
      { name: `random, NTK (d=${d}, base ${base}, factor ${factor})`, args: [d, base, factor, 'ntk'] },
      { name: 'one pair, linear (d=2, factor 2)', args: [2, 10000, 2, 'linear'] },
    ];
  },
  reference: ({ tf }: ReferenceContext, d, base, factor, method) =>
    method === 'linear' ? tf.div(ropeFrequenciesTf(tf, d, base), factor) : ropeFrequenciesTf(tf, d, ntkBase(d, base, factor)),
  properties: [
    {
      name: 'factor 1 gives the plain frequencies, with either method',
      cases: () => [{ name: 'd=16, base 10000, "linear" then "ntk"', calls: [[16, 10000, 1, 'linear'], [16, 10000, 1, 'ntk']] as Args[] }],
      holds: lists((outputs, calls) => {
        const plain = (call: Args) => frequencies(call[0], call[1]);
        const i = outputs.findIndex((o, j) => listDifference(plain(calls[j]), o, relative) !== undefined);
        if (i < 0) return undefined;
        return (
          `With factor 1, your "${calls[i][3]}" frequencies differ from the plain θ_i = base^(−2i/d): ${listDifference(plain(calls[i]), outputs[i], relative)} (plain first, yours second). ` +
          'A factor of 1 stretches nothing: θ_i / 1 = θ_i, and base · 1^(d/(d−2)) = base.'
        );
      }),
    },
    {
      name: 'linear scaling divides every frequency by the factor',
      cases: (rng) => {
        const d = 2 * rng.int(3, 16);
        return [4, rng.pick([2.5, 6])].map((factor) => ({ name: `d=${d}, factor 1 then ${factor}`, calls: [[d, 10000, 1, 'linear'], [d, 10000, factor, 'linear']] as Args[] }));
      },
      holds: lists(([plain, scaledOut], calls) => {
        const factor = calls[1][2];
        const difference = listDifference(plain.map((t) => t / factor), scaledOut, relative);
        if (!difference) return undefined;
        return (
          `Your linear frequencies for factor ${show(factor)} are not your factor-1 frequencies divided by ${show(factor)}: ${difference} (divided first, yours second). ` +
          `Position Interpolation rotates position p as if it were p / factor, so every θ_i becomes θ_i / factor: [1, 0.1, 0.01, 0.001] becomes [0.25, 0.025, 0.0025, 0.00025] for factor 4.`
        );
      }),
    },
    {
      name: 'NTK leaves the fastest frequency at 1 and divides the slowest by the factor',
      cases: (rng) => {
        const d = 2 * rng.int(3, 32);
        return [{ name: 'd=8, factor 1 then 4', calls: [[8, 10000, 1, 'ntk'], [8, 10000, 4, 'ntk']] as Args[] },
          { name: `d=${d}, factor 1 then 3`, calls: [[d, 10000, 1, 'ntk'], [d, 10000, 3, 'ntk']] as Args[] }];
      },
      holds: lists(([plain, ntk], calls) => {
        const factor = calls[1][2];
        const last = ntk.length - 1;
        const fastest = listDifference([1], ntk.slice(0, 1), relative);
        const slowest = listDifference([plain[last] / factor], ntk.slice(last), relative);
        if (!fastest && !slowest) return undefined;
        const found = fastest ? `your θ'_0 is ${show(ntk[0])}, not 1` : `your slowest θ' is ${show(ntk[last])}, not ${show(plain[last])} / ${show(factor)} = ${show(plain[last] / factor)}`;
        return (
          `With NTK and factor ${show(factor)}, ${found}. base' = base · factor^(d/(d−2)) multiplies pair i's frequency by factor^(−2i/(d−2)): 1 for i = 0, 1/factor for the last pair. ` +
          `For d = 8 and factor 4: ${showList([1, 0.0629961, 0.00396850, 0.00025])}.`
        );
      }),
    },
  ],
  misconceptions: [
    {
      id: 'linear-multiplies',
      title: { en: 'linear scaling multiplies the frequencies by the factor', 'zh-CN': '线性缩放把频率乘以了 factor' },
      message: {
        en:
          'Your linear frequencies are θ_i · factor: every pair turns faster, so a long context looks even longer. ' +
          'Position Interpolation squeezes positions: position p is rotated as if it were p / factor, which is the same as dividing every θ_i by the factor.',
        'zh-CN':
          '你的线性缩放频率是 θ_i · factor：每一对都转得更快，于是长上下文看起来更长了。' +
          '位置插值（Position Interpolation）是压缩位置：位置 p 被当作 p / factor 来旋转，这等同于把每个 θ_i 都除以 factor。',
      },
      hint: {
        en: 'Scaling for a longer context should make the rotations slower, so every θ smaller. Does yours grow?',
        'zh-CN': '为更长的上下文做缩放，应该让旋转变慢，也就是让每个 θ 变小。你的变大了吗？',
      },
      wrong: (_ctx, d, base, factor, method) => (method === 'linear' ? frequencies(d, base).map((t) => t * factor) : scaled(d, base, factor, method)),
    },
    {
      id: 'ntk-base-times-factor',
      title: { en: 'NTK base = base · factor (exponent d/(d−2) missing)', 'zh-CN': 'NTK 的 base = base · factor（缺少指数 d/(d−2)）' },
      message: {
        en:
          'Your NTK base is base · factor. The NTK-aware rule is base\' = base · factor^(d/(d−2)): the exponent d/(d−2) is chosen so that the slowest pair, ' +
          'θ_(d/2−1) = base\'^(−(d−2)/d), is divided by exactly the factor, as linear scaling would, while θ_0 = 1 stays the same.',
        'zh-CN':
          '你的 NTK base 是 base · factor。NTK-aware 规则是 base\' = base · factor^(d/(d−2))：' +
          '选择指数 d/(d−2)，是为了让最慢的一对 θ_(d/2−1) = base\'^(−(d−2)/d) 恰好被除以 factor（和线性缩放一样），同时 θ_0 = 1 保持不变。',
      },
      hint: {
        en: 'With NTK, the slowest frequency should come out divided by exactly the factor. Check it for your base: what exponent on the factor makes that true?',
        'zh-CN': '用 NTK 时，最慢的频率应该恰好被除以 factor。用你的 base 验证一下：factor 上的指数取多少才能做到这一点？',
      },
      wrong: (_ctx, d, base, factor, method) => (method === 'ntk' ? frequencies(d, base * factor) : scaled(d, base, factor, method)),
    },
    {
      id: 'ntk-exponent-inverted',
      title: { en: 'NTK base = base · factor^((d−2)/d): the exponent upside down', 'zh-CN': 'NTK 的 base = base · factor^((d−2)/d)：指数上下颠倒了' },
      message: {
        en:
          'Your NTK base is base · factor^((d−2)/d), an exponent below 1 where the rule has d/(d−2), above 1. ' +
          'base\' = base · factor^(d/(d−2)) is what divides the slowest pair, θ_(d/2−1) = base\'^(−(d−2)/d), by exactly the factor. ' +
          'In the lesson example (d = 8, factor 4) your base is 28284.27 instead of 63496.04, and the slowest pair is slowed by 4^(9/16) ≈ 2.18 instead of 4.',
        'zh-CN':
          '你的 NTK base 是 base · factor^((d−2)/d)，指数小于 1，而规则中的指数是 d/(d−2)，大于 1。' +
          '正是 base\' = base · factor^(d/(d−2)) 才能把最慢的一对 θ_(d/2−1) = base\'^(−(d−2)/d) 恰好除以 factor。' +
          '在课程示例中（d = 8，factor 为 4），你的 base 是 28284.27 而不是 63496.04，最慢的一对只慢了 4^(9/16) ≈ 2.18 倍，而不是 4 倍。',
      },
      hint: {
        en: 'Print your NTK base for d = 8, factor 4: the lesson gets 63496.04. Is the exponent on your factor above 1 or below it?',
        'zh-CN': '打印 d = 8、factor 为 4 时你的 NTK base：课程中得到的是 63496.04。你在 factor 上的指数是大于 1 还是小于 1？',
      },
      wrong: (_ctx, d, base, factor, method) => (method === 'ntk' ? frequencies(d, base * factor ** ((d - 2) / d)) : scaled(d, base, factor, method)),
    },
    {
      id: 'ntk-as-linear',
      title: { en: 'NTK computed like linear scaling (every θ_i divided by the factor)', 'zh-CN': '把 NTK 算成了线性缩放（每个 θ_i 都除以 factor）' },
      message: {
        en:
          'For "ntk" you divided every frequency by the factor, which is linear scaling. NTK-aware scaling changes the base instead: ' +
          'base\' = base · factor^(d/(d−2)), then θ_i = base\'^(−2i/d). The fast pairs (small i) barely change and only the slow ones are stretched, so nearby tokens keep their resolution.',
        'zh-CN':
          '对 "ntk"，你把每个频率都除以了 factor，这是线性缩放。NTK-aware 缩放改变的是 base：base\' = base · factor^(d/(d−2))，然后 θ_i = base\'^(−2i/d)。' +
          '快的维度对（i 较小）几乎不变，只有慢的被拉伸，所以相邻 token 的分辨率得以保持。',
      },
      hint: {
        en: 'Compare your NTK frequencies with your linear ones: they should differ. NTK leaves the fast pairs almost alone; what does it change instead of dividing?',
        'zh-CN': '把你的 NTK 频率和线性频率比较一下：它们应该不同。NTK 几乎不动快的维度对；它不做除法，改变的是什么？',
      },
      wrong: (_ctx, d, base, factor, method) => (method === 'ntk' ? frequencies(d, base).map((t) => t / factor) : scaled(d, base, factor, method)),
    },
    {
      id: 'ntk-base-divided',
      title: { en: 'NTK base divided by factor^(d/(d−2)) instead of multiplied', 'zh-CN': 'NTK 的 base 除以了 factor^(d/(d−2))，而不是乘以' },
      message: {
        en:
          'Your NTK base is base / factor^(d/(d−2)): a smaller base makes every pair turn faster, the opposite of what a longer context needs. ' +
          'Multiply: base\' = base · factor^(d/(d−2)). A larger base means slower rotations, so positions beyond the training length stay within angles the model has seen.',
        'zh-CN':
          '你的 NTK base 是 base / factor^(d/(d−2))：更小的 base 会让每一对都转得更快，与更长上下文的需要正好相反。' +
          '应该相乘：base\' = base · factor^(d/(d−2))。base 越大，旋转越慢，超出训练长度的位置才能停留在模型见过的角度范围内。',
      },
      hint: { en: 'A bigger base means slower rotations. Should the new base be larger or smaller than the old one?', 'zh-CN': 'base 越大，旋转越慢。新的 base 应该比原来的大还是小？' },
      wrong: (_ctx, d, base, factor, method) => (method === 'ntk' ? frequencies(d, base / factor ** (d / (d - 2))) : scaled(d, base, factor, method)),
    },
  ],
  hints: [
    {
      en: 'Start from the plain frequencies of positions/rope-frequencies, θ_i = base^(−2i/d) for i = 0 … d/2 − 1. Both methods make every θ_i smaller (or equal): the rotations slow down.',
      'zh-CN': '从 positions/rope-frequencies 的原始频率出发：对 i = 0 … d/2 − 1，θ_i = base^(−2i/d)。两种方法都让每个 θ_i 变小（或不变）：旋转变慢。',
    },
    {
      en: 'Linear (Position Interpolation): θ_i / factor, the same as rotating position p as if it were p / factor.',
      'zh-CN': '线性缩放（位置插值）：θ_i / factor，等同于把位置 p 当作 p / factor 来旋转。',
    },
    {
      en: 'NTK-aware: keep the formula and change the base: base\' = base · factor^(d/(d−2)), then θ_i = base\'^(−2i/d). You may import your own ropeFrequencies from \'./rope-frequencies.js\'.',
      'zh-CN': 'NTK-aware：公式不变，改变 base：base\' = base · factor^(d/(d−2))，然后 θ_i = base\'^(−2i/d)。你可以从 \'./rope-frequencies.js\' 导入你自己的 ropeFrequencies。',
    },
  ],
});
