import { anyOf, defineExercise, type ReferenceContext } from 'llm-tutor/pack';
import { frequencies, ropeFrequenciesTf } from '../rope-math.js';
import { close, isVector, show, wrongKind } from '../../properties.js';

type Args = [d: number, base: number];

const frequencyCases = () => [
  { name: 'd=8, base 10000', calls: [[8, 10000]] as Args[] },
  { name: 'd=12, base 100', calls: [[12, 100]] as Args[] },
  { name: 'd=128, base 500000', calls: [[128, 500000]] as Args[] },
];

export default defineExercise<Args, number[]>({
  entry: 'ropeFrequencies',
  signature: 'ropeFrequencies(d: number, base: number): Vector',
  // The frequencies span many orders of magnitude (down to 1e-6 and below), so they are compared relatively.
  compare: { atol: 1e-12, rtol: 1e-5 },
  cases: (rng) => {
    const d = 2 * rng.int(3, 16);
    const base = 100 * rng.int(2, 200);
    return [
      { name: 'the lesson example (d=8, base 10000): [1, 0.1, 0.01, 0.001]', args: [8, 10000] },
      { name: 'one pair (d=2)', args: [2, 10000] },
      { name: 'd=4, base 100', args: [4, 100] },
      { name: `random (d=${d}, base ${base})`, args: [d, base] },
      { name: 'GPT-NeoX / LLaMA 2 heads (d=128, base 10000)', args: [128, 10000] },
      { name: 'LLaMA 3 (d=128, base 500000)', args: [128, 500000] },
      { name: 'Code Llama (d=128, base 1000000)', args: [128, 1_000_000] },
      { name: 'a small head (d=16, base 10000)', args: [16, 10000] },
    ];
  },
  reference: ({ tf }: ReferenceContext, d, base) => ropeFrequenciesTf(tf, d, base),
  properties: [
    {
      name: 'the frequencies start at θ_0 = 1 and strictly decrease',
      cases: frequencyCases,
      holds: (outputs) => {
        const odd = wrongKind('ropeFrequencies', 'a list of numbers', outputs, isVector);
        if (odd) return odd;
        const theta = outputs[0];
        if (!close(1, theta[0], { atol: 1e-12, rtol: 0 })) return `Your θ_0 is ${show(theta[0])}. The first pair turns fastest, at base^0 = 1 radian per position.`;
        const i = theta.findIndex((t, k) => k > 0 && !(t < theta[k - 1]));
        if (i < 0) return undefined;
        return `Your θ_${i} = ${show(theta[i])} is not below θ_${i - 1} = ${show(theta[i - 1])}. θ_i = base^(−2i/d) with base > 1 shrinks as i grows: each pair turns more slowly than the one before.`;
      },
    },
    {
      name: 'each frequency is the previous one times base^(−2/d)',
      cases: frequencyCases,
      holds: (outputs, calls) => {
        const odd = wrongKind('ropeFrequencies', 'a list of numbers', outputs, isVector);
        if (odd) return odd;
        const [d, base] = calls[0];
        const ratio = base ** (-2 / d);
        const theta = outputs[0];
        const i = theta.findIndex((t, k) => k > 0 && !close(ratio, t / theta[k - 1], { atol: 0, rtol: 2e-5 }));
        if (i < 0) return undefined;
        return (
          `Your θ_${i} / θ_${i - 1} is ${show(theta[i] / theta[i - 1])}, but with d = ${d} and base ${base} every ratio is base^(−2/d) = ${show(ratio)}. ` +
          'The frequencies form a geometric sequence: going from pair i to pair i + 1 adds −2/d to the exponent.'
        );
      },
    },
  ],
  misconceptions: [
    {
      id: 'exponent-i-over-d',
      title: { en: 'θ_i = base^(−i/d) instead of base^(−2i/d)', 'zh-CN': 'θ_i = base^(−i/d)，而不是 base^(−2i/d)' },
      message: {
        en:
          'Your exponent is −i/d, half of what it should be, so the frequencies fall too slowly: the last one is about base^(−1/2) instead of about 1/base. ' +
          'The exponent is −2i/d: 2i is the index of the first dimension of pair i (Meta\'s LLaMA writes arange(0, d, 2) / d). For d = 8: [1, 0.1, 0.01, 0.001].',
        'zh-CN':
          '你的指数是 −i/d，只有应有值的一半，所以频率下降得太慢：最后一个大约是 base^(−1/2)，而不是大约 1/base。' +
          '指数应为 −2i/d：2i 是第 i 对第一个维度的下标（Meta 的 LLaMA 写作 arange(0, d, 2) / d）。d = 8 时：[1, 0.1, 0.01, 0.001]。',
      },
      hint: {
        en: 'For d = 8 and base 10000 you should get [1, 0.1, 0.01, 0.001]. Compare your exponent with the one in the lesson\'s formula.',
        'zh-CN': 'd = 8、base 为 10000 时，你应该得到 [1, 0.1, 0.01, 0.001]。把你的指数和课程公式中的比较一下。',
      },
      wrong: (_ctx, d, base) => frequencies(d, base, 1),
    },
    {
      id: 'd-entries',
      title: { en: 'd frequencies instead of d/2', 'zh-CN': '返回了 d 个频率，而不是 d/2 个' },
      message: {
        en:
          'You returned d numbers. RoPE turns the d dimensions two at a time, so there are d/2 pairs and d/2 frequencies, θ_0 … θ_(d/2−1). ' +
          'Common causes: looping i over 0 … d − 1 (or arange(0, d) instead of arange(0, d, 2)), or repeating each frequency for the two members of its pair; ' +
          'that repetition belongs to applying the rotation, not to the frequency list.',
        'zh-CN':
          '你返回了 d 个数。RoPE 把 d 个维度两两一组旋转，所以有 d/2 对、d/2 个频率，θ_0 … θ_(d/2−1)。' +
          '常见原因：让 i 遍历 0 … d − 1（或者用了 arange(0, d) 而不是 arange(0, d, 2)），或者把每个频率为它那一对的两个成员各重复一次；这种重复属于应用旋转的步骤，不属于频率列表。',
      },
      hint: { en: 'How many numbers does your function return? RoPE turns the dimensions two at a time.', 'zh-CN': '你的函数返回了多少个数？RoPE 是把维度两两一组旋转的。' },
      wrong: (_ctx, d, base) => {
        const half = frequencies(d, base);
        return anyOf(
          Array.from({ length: d }, (_, i) => base ** ((-2 * i) / d)), // i = 0 … d−1 with exponent −2i/d
          Array.from({ length: d }, (_, j) => base ** (-j / d)), // arange(0, d) / d
          half.flatMap((t) => [t, t]), // repeat_interleave, for neighbour pairs
          [...half, ...half], // cat(freqs, freqs), for the half-split layout
        );
      },
    },
    {
      id: 'positive-exponent',
      title: { en: 'base^(+2i/d): wavelengths instead of frequencies', 'zh-CN': 'base^(+2i/d)：算成了波长而不是频率' },
      message: {
        en:
          'Your numbers grow with i: base^(2i/d) is 1/θ_i, the number of positions pair i needs to turn by one radian (its wavelength divided by 2π). ' +
          'θ_i = base^(−2i/d) = 1 / base^(2i/d): the first pair turns fastest (θ_0 = 1 radian per position) and the last slowest.',
        'zh-CN':
          '你的数随 i 增大：base^(2i/d) 是 1/θ_i，即第 i 对转过一弧度所需的位置数（它的波长除以 2π）。' +
          'θ_i = base^(−2i/d) = 1 / base^(2i/d)：第一对转得最快（θ_0 = 每个位置 1 弧度），最后一对最慢。',
      },
      hint: { en: 'Your numbers grow with i, but the first pair should turn fastest. Check the sign of the exponent.', 'zh-CN': '你的数随 i 增大，但第一对应该转得最快。检查指数的符号。' },
      wrong: (_ctx, d, base) => frequencies(d, base, -2),
    },
    {
      id: 'index-from-one',
      title: { en: 'i counted from 1 (θ_0 is not 1)', 'zh-CN': 'i 从 1 开始计数（θ_0 不等于 1）' },
      message: {
        en: 'Your first frequency is base^(−2/d) instead of 1: the pairs are numbered from i = 0, so θ_0 = base^0 = 1 and the last is θ_(d/2−1) = base^(−(d−2)/d).',
        'zh-CN': '你的第一个频率是 base^(−2/d) 而不是 1：各对从 i = 0 开始编号，所以 θ_0 = base^0 = 1，最后一个是 θ_(d/2−1) = base^(−(d−2)/d)。',
      },
      hint: { en: 'What is your first frequency? Pair 0 has exponent 0.', 'zh-CN': '你的第一个频率是多少？第 0 对的指数是 0。' },
      wrong: (_ctx, d, base) => Array.from({ length: d / 2 }, (_, i) => base ** ((-2 * (i + 1)) / d)),
    },
  ],
  hints: [
    {
      en: 'How many numbers? One per pair of dimensions: d/2 of them, for i = 0 … d/2 − 1.',
      'zh-CN': '有多少个数？每对维度一个：共 d/2 个，i = 0 … d/2 − 1。',
    },
    {
      en: 'θ_i = base^(−2i/d). The first is always 1; each next one is smaller by the same factor, base^(−2/d).',
      'zh-CN': 'θ_i = base^(−2i/d)。第一个总是 1；之后每一个都按同一个因子 base^(−2/d) 变小。',
    },
    {
      en: 'The exponent is negative and counts pairs, not dimensions: entry i uses 2i/d, so the last one (i = d/2 − 1) is base^(−(d−2)/d), just above 1/base, never 1/base itself.',
      'zh-CN': '指数是负的，而且数的是维度对而不是维度：第 i 个元素用 2i/d，所以最后一个（i = d/2 − 1）是 base^(−(d−2)/d)，略大于 1/base，永远不会等于 1/base 本身。',
    },
  ],
});
