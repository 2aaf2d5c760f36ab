import { anyOf, defineExercise, randomMatrix, type Rng } from 'llm-tutor/pack';
import { close, isMatrix, isVector, showList } from '../../../transformer-core/properties.js';
import { absmaxSteps, columns, maxAbs, nearHalf, perChannelInput, perChannelSteps, roundHalfUp, type PerChannel } from '../quant-math.js';

type Args = [w: number[][]];

/** The lesson's weight [in 4, out 3]: column 1 is about ten times larger than the others. */
export const lessonW = [
  [0.12, -0.8, 0.05],
  [-0.34, 2.9, -0.07],
  [0.25, -1.6, 0.11],
  [-0.05, 0.4, -0.09],
];

/** Columns of largest magnitude 127, 63.5 and 127, so 127·w/max is w, 2w and w: exact halves in every column. */
export const halvesW = [
  [127, 2.5, 0.5],
  [2.5, 63.5, -1.5],
  [-3.5, -0.75, 127],
];

/** Column 1 is all zeros. */
export const zeroColumnW = [
  [0.5, 0, -1.2],
  [-0.3, 0, 2],
];

/** Every row of w quantised by its own absmax: scales per input channel. */
function perRow(w: number[][]): PerChannel {
  const rows = w.map((row) => absmaxSteps(row).output);
  return { q: rows.map((r) => r.q), scales: rows.map((r) => r.scale) };
}

/** One absmax for the whole tensor, its scale returned once per column or once in all. */
function perTensor(w: number[][]) {
  const m = maxAbs(w.flat());
  const q = w.map((row) => absmaxSteps(row, { max: () => m }).output.q);
  return anyOf({ q, scales: w[0].map(() => m / 127) }, { q, scales: [m / 127] });
}

/** A random weight whose column `big` is 20 times larger than the rest. */
function outlierColumn(rng: Rng, rows: number, cols: number): number[][] {
  const big = rng.int(0, cols - 1);
  for (;;) {
    const w = randomMatrix(rng, rows, cols, 0.1).map((row) => row.map((v, j) => (j === big ? v * 20 : v)));
    if (columns(w).every((col) => !absmaxSteps(col).steps['127·x/m'].some(nearHalf))) return w;
  }
}

const isPerChannel = (x: unknown): x is PerChannel => typeof x === 'object' && x !== null && isMatrix((x as PerChannel).q) && isVector((x as PerChannel).scales);
const wrongKind = (out: unknown) => (isPerChannel(out) ? undefined : `quantizePerChannel must return { q, scales }, q a matrix and scales a list of numbers; it returned ${JSON.stringify(out)?.slice(0, 80)}.`);

export default defineExercise<Args, PerChannel>({
  entry: 'quantizePerChannel',
  signature: 'quantizePerChannel(w: Matrix): { q: number[][]; scales: Vector }',
  inputsReadOnly: true,
  cases: (rng) => [
    {
      name: 'the lesson example: a weight [4, 3] with one large column',
      args: [lessonW],
      expected: {
        q: [
          [45, -35, 58],
          [-127, 127, -81],
          [93, -70, 127],
          [-19, 18, -104],
        ],
        scales: [0.34 / 127, 2.9 / 127, 0.11 / 127],
      },
    },
    {
      name: 'exact halves: column maxima 127, 63.5 and 127, so 2.5 → 2, −3.5 → −4, −1.5 → −2',
      args: [halvesW],
      expected: {
        q: [
          [127, 5, 0],
          [2, 127, -2],
          [-4, -2, 127],
        ],
        scales: [1, 0.5, 1],
      },
    },
    { name: 'an all-zero column: its scale is 0 and its q all 0', args: [zeroColumnW], expected: { q: [[127, 0, -76], [-76, 0, 127]], scales: [0.5 / 127, 0, 2 / 127] } },
    { name: 'one input channel: [[1.2, −2, 0.5]], each column its own scale', args: [[[1.2, -2, 0.5]]], expected: { q: [[127, -127, 127]], scales: [1.2 / 127, 2 / 127, 0.5 / 127] } },
    { name: 'random: a weight [4, 3]', args: [perChannelInput(rng, 4, 3, 1)] },
    { name: 'random: a weight [3, 5]', args: [perChannelInput(rng, 3, 5, 0.5)] },
    { name: 'random: a square weight [4, 4]', args: [perChannelInput(rng, 4, 4, 1)] },
    { name: 'random: a weight [6, 3] with one column 20 times larger', args: [outlierColumn(rng, 6, 3)] },
  ],
  reference: (_ctx, w) => perChannelSteps(w).output,
  trace: (_ctx, w) => perChannelSteps(w).steps,
  properties: [
    {
      name: 'multiplying one column of w by 8 multiplies its scale by 8 and changes nothing else',
      cases: (rng) =>
        [
          [4, 3, 0],
          [3, 4, 2],
        ].map(([rows, cols, j]) => {
          const w = perChannelInput(rng, rows, cols, 1);
          return { name: `a weight [${rows}, ${cols}], column ${j} times 8`, calls: [[w], [w.map((row) => row.map((v, k) => (k === j ? 8 * v : v)))]] as Args[] };
        }),
      holds: ([before, after], [[w], [w8]]) => {
        for (const out of [before, after]) {
          const odd = wrongKind(out);
          if (odd) return odd;
        }
        const j = w[0].findIndex((v, k) => v !== w8[0][k]);
        const scales = before.scales.map((s, k) => (k === j ? 8 * s : s));
        const k = scales.findIndex((s, i) => !close(s, after.scales[i]));
        if (k >= 0 || scales.length !== after.scales.length)
          return `After column ${j} was multiplied by 8, your scales went from ${showList(before.scales)} to ${showList(after.scales)}; only scale ${j} should change, 8 times larger. Each column (output channel) has a scale of its own.`;
        const row = before.q.findIndex((r, i) => r.some((v, c) => v !== after.q[i]?.[c]));
        if (row >= 0) return `Row ${row} of q went from ${showList(before.q[row])} to ${showList(after.q[row])}; q should not change, since column ${j} and its own absmax grew together.`;
        return undefined;
      },
    },
  ],
  misconceptions: [
    {
      id: 'per-row',
      title: { en: 'one scale per row (input channel) instead of per column', 'zh-CN': '每行（输入通道）一个缩放因子，而不是每列一个' },
      message: {
        en: 'Your scales follow the rows of w, its input channels. w is stored [in, out], and an output channel is a column: column j makes output j, so it gets scale_j = max|w[:, j]|/127. In the lesson you return 4 scales (one per row); there are 3 columns, and the small columns 0 and 2 lose their precision to the large one.',
        'zh-CN': '你的缩放因子是沿 w 的行，也就是输入通道取的。w 以 [in, out] 存储，输出通道是一列：第 j 列产生输出 j，所以它的缩放因子是 scale_j = max|w[:, j]|/127。课程示例中你返回了 4 个缩放因子（每行一个）；而实际有 3 列，小的第 0 列和第 2 列把精度让给了那个大列。',
      },
      hint: {
        en: 'How many scales does the lesson\'s weight [4, 3] get? Which index runs over output channels: the row or the column?',
        'zh-CN': '课程示例中的权重 [4, 3] 应该有几个缩放因子？哪个下标遍历输出通道：行还是列？',
      },
      wrong: (_ctx, w) => perRow(w),
    },
    {
      id: 'per-tensor',
      title: { en: 'one scale for the whole tensor', 'zh-CN': '整个张量只用一个缩放因子' },
      message: {
        en: 'You use one absmax for the whole weight, 2.9 in the lesson, so columns 0 and 2, whose values stay below 0.34, get only q between −15 and 11: most of their 255 levels go unused. Per-channel quantisation takes each column\'s own absmax: 0.34, 2.9 and 0.11.',
        'zh-CN': '你对整个权重只用了一个 absmax，课程示例中为 2.9，于是值都小于 0.34 的第 0 列和第 2 列只能取到 −15 到 11 之间的 q：它们的 255 个量化级大部分都没用上。逐通道量化取每列自己的 absmax：0.34、2.9 和 0.11。',
      },
      hint: {
        en: 'In the lesson, what is the largest magnitude of column 2? Quantise that column by it and compare with your q.',
        'zh-CN': '课程示例中，第 2 列的最大绝对值是多少？用它来量化这一列，再与你的 q 比较。',
      },
      wrong: (_ctx, w) => perTensor(w),
    },
    {
      id: 'round-half-up',
      title: { en: 'Math.round: an exact .5 rounded up', 'zh-CN': 'Math.round：恰好为 .5 时向上舍入' },
      message: {
        en: 'You round with Math.round, which sends an exact .5 up (2.5 → 3, −3.5 → −3, 0.5 → 1). torch.round rounds half to even: 2.5 → 2, −3.5 → −4, 0.5 → 0.',
        'zh-CN': '你用 Math.round 舍入，它把恰好为 .5 的数向上舍入（2.5 → 3，−3.5 → −3，0.5 → 1）。torch.round 平局取偶：2.5 → 2，−3.5 → −4，0.5 → 0。',
      },
      hint: {
        en: 'In the case with column maxima 127, 63.5 and 127, 127·w/max is w or 2w. What is 2.5 rounded half to even?',
        'zh-CN': '在各列最大绝对值为 127、63.5 和 127 的用例中，127·w/max 就是 w 或 2w。2.5 按平局取偶舍入是多少？',
      },
      wrong: (_ctx, w) => {
        const perColumn = columns(w).map((col) => absmaxSteps(col, { round: roundHalfUp }).output);
        return { q: w.map((row, i) => row.map((_, j) => perColumn[j].q[i])), scales: perColumn.map((c) => c.scale) };
      },
    },
  ],
  hints: [
    {
      en: 'w is [in, out]: an output channel is a column. Take each column w[:, j] on its own.',
      'zh-CN': 'w 为 [in, out]：输出通道是一列。把每一列 w[:, j] 单独拿出来处理。',
    },
    {
      en: 'For column j: m_j = max over i of |w[i][j]|, scales[j] = m_j/127, q[i][j] = round(127·w[i][j]/m_j), half to even; a column of zeros gets scale 0 and q 0.',
      'zh-CN': '对第 j 列：m_j = 对 i 取 |w[i][j]| 的最大值，scales[j] = m_j/127，q[i][j] = round(127·w[i][j]/m_j)，平局取偶；全零的列缩放因子为 0，q 为 0。',
    },
    {
      en: 'The key idea: 127 levels on each side for every column, whatever its size, so a column of small weights is not crushed by a large one.',
      'zh-CN': '关键：无论大小，每一列两侧都各有 127 个量化级，所以由小权重组成的列不会被大列压垮。',
    },
  ],
});
