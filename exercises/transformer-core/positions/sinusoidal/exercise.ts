import { defineExercise, type ReferenceContext } from 'llm-tutor/pack';
import { angleTable, frequencies } from '../rope-math.js';
import { isMatrix, show, wrongKind } from '../../properties.js';

type Args = [seqLen: number, d: number];

const positions = (seqLen: number, from = 0) => Array.from({ length: seqLen }, (_, p) => from + p);

/** PE in float64 with the paper's layout (sin on even columns, cos on odd), for a given angle table [seqLen, d/2]. */
function interleave(angles: number[][], swap = false): number[][] {
  return angles.map((row) => row.flatMap((a) => (swap ? [Math.cos(a), Math.sin(a)] : [Math.sin(a), Math.cos(a)])));
}

/** The first [p, j] where `bad(pe, p, j)`, or undefined. */
function firstEntry(pe: number[][], step: number, bad: (row: number[], j: number) => boolean): [number, number] | undefined {
  for (let p = 0; p < pe.length; p++) {
    for (let j = 0; j < pe[p].length; j += step) if (bad(pe[p], j)) return [p, j];
  }
  return undefined;
}

const encodingCases = () => [
  { name: 'seqLen=6, d=8', calls: [[6, 8]] as Args[] },
  { name: 'seqLen=50, d=16', calls: [[50, 16]] as Args[] },
];

export default defineExercise<Args, number[][]>({
  entry: 'sinusoidalEncoding',
  signature: 'sinusoidalEncoding(seqLen: number, d: number): Matrix',
  cases: (rng) => {
    const [t, d] = [rng.int(5, 20), 2 * rng.int(3, 16)];
    return [
      { name: 'the lesson example (seqLen=4, d=4)', args: [4, 4] },
      { name: 'one position (seqLen=1, d=8): [0, 1, 0, 1, …]', args: [1, 8] },
      { name: 'one pair (seqLen=6, d=2): [sin p, cos p]', args: [6, 2] },
      { name: 'seqLen=10, d=8', args: [10, 8] },
      { name: `random (seqLen=${t}, d=${d})`, args: [t, d] },
      { name: "the paper's width (seqLen=6, d=512)", args: [6, 512] },
      { name: 'a long sequence (seqLen=1000, d=6)', args: [1000, 6] },
    ];
  },
  reference: ({ tf }: ReferenceContext, seqLen, d) => {
    const t = tf.tensor2d(angleTable(positions(seqLen), frequencies(d, 10000)), [seqLen, d / 2]);
    // [seqLen, d/2, 2] with sin then cos on the last axis, flattened: column 2i is sin, column 2i+1 is cos.
    return tf.reshape(tf.stack([tf.sin(t), tf.cos(t)], 2), [seqLen, d]);
  },
  // The angle of pair i at position p, p / 10000^(2i/d), before sin and cos (not reduced to [−π, π]).
  trace: (_ctx, seqLen, d) => {
    const freqs = frequencies(d, 10000);
    return { frequencies: freqs, angles: positions(seqLen).map((p) => freqs.map((f) => p * f)) };
  },
  properties: [
    {
      name: 'every entry is between −1 and 1',
      cases: encodingCases,
      holds: (outputs) => {
        const odd = wrongKind('sinusoidalEncoding', 'a matrix', outputs, isMatrix);
        if (odd) return odd;
        const at = firstEntry(outputs[0], 1, (row, j) => !(Math.abs(row[j]) <= 1 + 1e-12));
        if (!at) return undefined;
        const [p, j] = at;
        return `Your PE[${p}][${j}] is ${show(outputs[0][p][j])}. Every entry is a sine or a cosine of an angle, so it lies between −1 and 1: nothing multiplies or adds to them.`;
      },
    },
    {
      name: 'sin² + cos² = 1 in every pair of columns (2i, 2i+1)',
      cases: encodingCases,
      holds: (outputs) => {
        const odd = wrongKind('sinusoidalEncoding', 'a matrix', outputs, isMatrix);
        if (odd) return odd;
        const square = (row: number[], j: number) => row[j] ** 2 + row[j + 1] ** 2;
        const at = firstEntry(outputs[0], 2, (row, j) => !(Math.abs(square(row, j) - 1) <= 1e-6));
        if (!at) return undefined;
        const [p, j] = at;
        const row = outputs[0][p];
        return (
          `In your row ${p}, columns ${j} and ${j + 1} are ${show(row[j])} and ${show(row[j + 1])}, whose squares add up to ${show(square(row, j))}. ` +
          `Columns 2i and 2i+1 are the sine and the cosine of one angle, p / 10000^(2i/d), so sin² + cos² = 1 in every pair.`
        );
      },
    },
  ],
  misconceptions: [
    {
      id: 'exponent-i-over-d',
      title: { en: 'exponent i/d instead of 2i/d', 'zh-CN': '指数用了 i/d 而不是 2i/d' },
      message: {
        en:
          'Your wavelengths grow too slowly: you divided p by 10000^(i/d), so the last pair only reaches 10000^(1/2) = 100 instead of nearly 10000. ' +
          'Pair i (columns 2i and 2i+1) uses 10000^(2i/d); the 2i is the index of its sin column. For d = 4 the divisors are [1, 100].',
        'zh-CN':
          '你的波长增长得太慢：你把 p 除以了 10000^(i/d)，所以最后一对只达到 10000^(1/2) = 100，而不是将近 10000。' +
          '第 i 对（第 2i 列和第 2i+1 列）使用 10000^(2i/d)；2i 是它的 sin 列的下标。d = 4 时，除数为 [1, 100]。',
      },
      hint: {
        en: 'For d = 4 the two pairs should divide p by 1 and by 100. Print your divisors: which index goes in the exponent?',
        'zh-CN': 'd = 4 时，两对应该分别把 p 除以 1 和 100。打印你的除数：指数里应该放哪个下标？',
      },
      wrong: (_ctx, seqLen, d) => interleave(angleTable(positions(seqLen), frequencies(d, 10000, 1))),
    },
    {
      id: 'position-multiplied',
      title: { en: 'p multiplied by 10000^(2i/d) instead of divided by it', 'zh-CN': 'p 乘以了 10000^(2i/d)，而不是除以它' },
      message: {
        en:
          'Your later pairs turn faster, not slower: you multiplied p by 10000^(2i/d) instead of dividing it. ' +
          'In the lesson example (d = 4) pair 1 turns 100 radians per position instead of 0.01, so row 1 is [0.841471, 0.540302, −0.506366, 0.862319] ' +
          'instead of [0.841471, 0.540302, 0.010000, 0.999950]. The angle is p / 10000^(2i/d): the wavelengths grow from 2π to nearly 2π·10000.',
        'zh-CN':
          '你靠后的维度对转得更快而不是更慢：你把 p 乘以了 10000^(2i/d)，而不是除以它。' +
          '在课程示例中（d = 4），第 1 对每个位置转 100 弧度而不是 0.01，所以第 1 行是 [0.841471, 0.540302, −0.506366, 0.862319]，而不是 [0.841471, 0.540302, 0.010000, 0.999950]。' +
          '角度应为 p / 10000^(2i/d)：波长从 2π 增长到将近 2π·10000。',
      },
      hint: {
        en: 'In the lesson example pair 1 moves only 0.01 radian from one position to the next. Print your angle of pair 1 at p = 1: is it 0.01?',
        'zh-CN': '在课程示例中，第 1 对从一个位置到下一个位置只转 0.01 弧度。打印你在 p = 1 时第 1 对的角度：是 0.01 吗？',
      },
      wrong: (_ctx, seqLen, d) => interleave(angleTable(positions(seqLen), frequencies(d, 10000, -2))),
    },
    {
      id: 'column-index-exponent',
      title: { en: 'the column index j in the exponent instead of the pair index i', 'zh-CN': '指数里用了列下标 j，而不是对的下标 i' },
      message: {
        en:
          'You used 10000^(2j/d) with j the column index, so column 2i got 10000^(4i/d) and column 2i+1 got 10000^((4i+2)/d). ' +
          'Columns 2i and 2i+1 share one frequency: the exponent uses i = ⌊j/2⌋, the pair index (the TensorFlow tutorial writes 2 * (j // 2) / d).',
        'zh-CN':
          '你用了 10000^(2j/d)，其中 j 是列下标，所以第 2i 列得到 10000^(4i/d)，第 2i+1 列得到 10000^((4i+2)/d)。' +
          '第 2i 列和第 2i+1 列共用一个频率：指数中用的是对的下标 i = ⌊j/2⌋（TensorFlow 教程写作 2 * (j // 2) / d）。',
      },
      hint: {
        en: 'Columns 2i and 2i+1 share one angle. Print the divisors of columns 0 and 1: are they equal?',
        'zh-CN': '第 2i 列和第 2i+1 列共用一个角度。打印第 0 列和第 1 列的除数：它们相等吗？',
      },
      wrong: (_ctx, seqLen, d) =>
        positions(seqLen).map((p) => Array.from({ length: d }, (_, j) => (j % 2 === 0 ? Math.sin : Math.cos)(p / 10000 ** ((2 * j) / d)))),
    },
    {
      id: 'sin-cos-swapped',
      title: { en: 'cos on the even columns and sin on the odd ones', 'zh-CN': '偶数列放了 cos，奇数列放了 sin' },
      message: {
        en: 'Your even columns hold cos and your odd columns sin. The paper puts sin at 2i and cos at 2i+1, so position 0 is [0, 1, 0, 1, …].',
        'zh-CN': '你的偶数列是 cos，奇数列是 sin。论文把 sin 放在 2i，把 cos 放在 2i+1，所以位置 0 是 [0, 1, 0, 1, …]。',
      },
      hint: {
        en: 'Row 0 should be [0, 1, 0, 1, …]. Which function gives 0 at angle 0, and which columns should hold it?',
        'zh-CN': '第 0 行应该是 [0, 1, 0, 1, …]。哪个函数在角度 0 处取 0，它应该放在哪些列？',
      },
      wrong: (_ctx, seqLen, d) => interleave(angleTable(positions(seqLen), frequencies(d, 10000)), true),
    },
    {
      id: 'concatenated-halves',
      title: { en: 'all the sines first, then all the cosines', 'zh-CN': '先放所有正弦，再放所有余弦' },
      message: {
        en:
          'You put sin(p·ω_i) in the first d/2 columns and cos(p·ω_i) in the last d/2. tensor2tensor and fairseq lay it out that way, ' +
          'but the paper (and this exercise) interleaves them: column 2i is sin and column 2i+1 is cos of the same angle. Position 0 is [0, 1, 0, 1, …], not [0, 0, …, 1, 1].',
        'zh-CN':
          '你把 sin(p·ω_i) 放在前 d/2 列，把 cos(p·ω_i) 放在后 d/2 列。tensor2tensor 和 fairseq 是这样排布的，' +
          '但论文（以及本练习）是交错排列的：第 2i 列是 sin，第 2i+1 列是同一个角度的 cos。位置 0 是 [0, 1, 0, 1, …]，而不是 [0, 0, …, 1, 1]。',
      },
      hint: {
        en: 'Row 0 should be [0, 1, 0, 1, …]: the sine and cosine of one pair sit side by side, not in two halves.',
        'zh-CN': '第 0 行应该是 [0, 1, 0, 1, …]：同一对的正弦和余弦并排放在一起，而不是分在两半。',
      },
      wrong: (_ctx, seqLen, d) => angleTable(positions(seqLen), frequencies(d, 10000)).map((row) => [...row.map(Math.sin), ...row.map(Math.cos)]),
    },
    {
      id: 'positions-from-one',
      title: { en: 'positions counted from 1', 'zh-CN': '位置从 1 开始计数' },
      message: {
        en: 'Your first row is the encoding of position 1. Positions start at 0, so row 0 is sin(0) = 0 and cos(0) = 1 in every pair: [0, 1, 0, 1, …].',
        'zh-CN': '你的第一行是位置 1 的编码。位置从 0 开始，所以第 0 行在每一对中都是 sin(0) = 0 和 cos(0) = 1：[0, 1, 0, 1, …]。',
      },
      hint: { en: 'What is the first row of your output? Position 0 gives sin(0) and cos(0).', 'zh-CN': '你的输出的第一行是什么？位置 0 给出 sin(0) 和 cos(0)。' },
      wrong: (_ctx, seqLen, d) => interleave(angleTable(positions(seqLen, 1), frequencies(d, 10000))),
    },
  ],
  hints: [
    {
      en: 'Row p is position p (from 0); columns come in pairs (2i, 2i+1) that share one angle, p / 10000^(2i/d).',
      'zh-CN': '第 p 行是位置 p（从 0 开始）；列成对出现 (2i, 2i+1)，每对共用一个角度 p / 10000^(2i/d)。',
    },
    {
      en: 'PE[p][2i] = sin(p / 10000^(2i/d)) and PE[p][2i+1] = cos(p / 10000^(2i/d)), for i = 0 … d/2 − 1.',
      'zh-CN': 'PE[p][2i] = sin(p / 10000^(2i/d))，PE[p][2i+1] = cos(p / 10000^(2i/d))，其中 i = 0 … d/2 − 1。',
    },
    {
      en: 'Loop p over 0 … seqLen − 1 and i over 0 … d/2 − 1; compute the angle once and write both columns. Row 0 must come out [0, 1, 0, 1, …].',
      'zh-CN': '让 p 遍历 0 … seqLen − 1，i 遍历 0 … d/2 − 1；每个角度只算一次，然后写入两列。第 0 行必须是 [0, 1, 0, 1, …]。',
    },
  ],
});
