import { anyOf, defineExercise, randomMatrix, randomVector, type ReferenceContext, type Rng } from 'llm-tutor/pack';
import { addAll, addRow, columnBlocks, concatColumns, isMatrix, matrixDifference, mm, rowBlocks } from '../sharding-math.js';

type Args = [xShards: number[][][], w: number[][], b: number[]];
export interface RowParallel {
  partials: number[][][];
  out: number[][];
}

/** The lesson's x [2, 4] and w [4, 4] (those of the column-parallel lesson) and a bias. */
export const lessonX = [
  [1, 2, 0, -1],
  [0, 1, 3, 1],
];
export const lessonW = [
  [1, 0, 2, -1],
  [0, 1, 1, 0],
  [-1, 2, 0, 1],
  [1, 1, -2, 0],
];
export const lessonB = [1, 0, -1, 0.5];
/** The lesson example: x cut into 2 column shards of width 2. */
export const lessonRow: Args = [columnBlocks(lessonX, [2, 2]), lessonW, lessonB];

/** Each rank's rows of w, its partial sum, the all-reduce and the bias: the steps and the output. */
function rowSteps(tf: ReferenceContext['tf'], xShards: number[][][], w: number[][], b: number[]) {
  const widths = xShards.map((x) => x[0].length);
  const blocks = tf.split(tf.tensor2d(w), widths, 0);
  const partials = xShards.map((x, r) => tf.matMul(tf.tensor2d(x), blocks[r]));
  const reduced = tf.addN(partials);
  let at = 0;
  const rowsOfRank = widths.map((width) => (width === 1 ? `${at++}` : `${at}–${(at += width) - 1}`));
  return { steps: { rowsOfRank, 'W_r': blocks, partials, 'Σ partials': reduced }, output: { partials, out: tf.add(reduced, tf.tensor1d(b)) } };
}

/** The partials x_r·W_r in float64. */
const partialsOf = (xShards: number[][][], w: number[][]) => {
  const blocks = rowBlocks(w, xShards.map((x) => x[0].length));
  return xShards.map((x, r) => mm(x, blocks[r]));
};

/** Random x [T, in] cut into shards of the given widths, w [in, out] and b [out]. */
function layer(rng: Rng, tokens: number, widths: number[], outWidth: number): Args {
  const inWidth = widths.reduce((s, k) => s + k, 0);
  return [columnBlocks(randomMatrix(rng, tokens, inWidth), widths), randomMatrix(rng, inWidth, outWidth, 0.5), randomVector(rng, outWidth)];
}

function cases(rng: Rng): { name: string; args: Args }[] {
  return [
    { name: 'the lesson example: x [2, 4] in 2 shards of width 2, w [4, 4]', args: lessonRow },
    { name: "the lesson's x in unequal shards: widths 1 and 3", args: [columnBlocks(lessonX, [1, 3]), lessonW, lessonB] },
    { name: 'one shard: the whole layer', args: layer(rng, 2, [3], 2) },
    { name: 'random: 3 tokens, 3 shards of width 2, w [6, 4]', args: layer(rng, 3, [2, 2, 2], 4) },
    { name: 'random: unequal shards of widths 3, 1 and 2, w [6, 5]', args: layer(rng, 2, [3, 1, 2], 5) },
    { name: "an MLP's second layer in miniature: 4C = 16 to C = 4 on 4 ranks", args: layer(rng, 2, [4, 4, 4, 4], 4) },
  ];
}

const isResult = (o: unknown): o is RowParallel => {
  const r = o as RowParallel;
  return typeof o === 'object' && o !== null && Array.isArray(r.partials) && r.partials.every(isMatrix) && isMatrix(r.out);
};
const wrongKind = (out: unknown) => (isResult(out) ? undefined : `rowParallelLinear must return { partials, out }, a list of matrices and a matrix; it returned ${JSON.stringify(out)?.slice(0, 80)}.`);

/** x, w and b with x cut several ways: the calls of the split-independence property. */
function splits(rng: Rng, tokens: number, ways: number[][], outWidth: number): { name: string; calls: Args[] } {
  const inWidth = ways[0].reduce((s, k) => s + k, 0);
  const x = randomMatrix(rng, tokens, inWidth);
  const w = randomMatrix(rng, inWidth, outWidth, 0.5);
  const b = randomVector(rng, outWidth);
  return { name: `x [${tokens}, ${inWidth}] cut into widths ${ways.map((widths) => widths.join('+')).join(', ')}`, calls: ways.map((widths): Args => [columnBlocks(x, widths), w, b]) };
}

export default defineExercise<Args, RowParallel>({
  entry: 'rowParallelLinear',
  signature: 'rowParallelLinear(xShards: Matrix[], w: Matrix, b: Vector): { partials: Matrix[]; out: Matrix }',
  inputsReadOnly: true,
  cases,
  reference: ({ tf }, xShards, w, b) => rowSteps(tf, xShards, w, b).output,
  trace: ({ tf }, xShards, w, b) => rowSteps(tf, xShards, w, b).steps,
  properties: [
    {
      name: "out does not depend on how x's columns are split across ranks",
      cases: (rng) => [
        splits(rng, 2, [[4], [2, 2], [1, 3], [3, 1], [1, 1, 1, 1]], 3),
        splits(rng, 3, [[6], [2, 2, 2], [5, 1]], 2),
      ],
      holds: (outputs, calls) => {
        for (let k = 0; k < outputs.length; k++) {
          const odd = wrongKind(outputs[k]);
          if (odd) return odd;
        }
        for (let k = 1; k < outputs.length; k++) {
          const difference = matrixDifference(outputs[k].out, outputs[0].out);
          if (difference) {
            const widths = (c: Args) => c[0].map((x) => x[0].length).join(' + ');
            return (
              `x cut into widths ${widths(calls[k])} gives a different out from x in one piece (${widths(calls[0])}): ${difference}. ` +
              'Every split computes the same x·w + b: the partials add up to x·w however the columns are shared out, and the bias is added once.'
            );
          }
        }
        return undefined;
      },
    },
    {
      name: 'the bias is added once, after the all-reduce: out = Σ partials + b',
      cases: (rng) => [
        { name: '2 shards of width 2, w [4, 3]', calls: [layer(rng, 2, [2, 2], 3)] },
        { name: '3 shards of widths 1, 2 and 3, w [6, 2]', calls: [layer(rng, 3, [1, 2, 3], 2)] },
      ],
      holds: ([out], [[xShards, , b]]) => {
        const odd = wrongKind(out);
        if (odd) return odd;
        if (out.partials.length !== xShards.length) return `With ${xShards.length} shards of x you return ${out.partials.length} partials: one per rank.`;
        const shape = matrixDifference(out.partials[0], out.out);
        if (shape?.startsWith('the shapes differ')) return `Each partial must have the shape of out, [T, out]: ${shape}. The ranks' partials are added up, not laid side by side.`;
        const difference = matrixDifference(addRow(addAll(out.partials), b), out.out);
        if (difference) return `Your partials added up, plus b, are not your out: ${difference}. The all-reduce sums the partials x_r·W_r (no bias in them), and b is added once to that sum.`;
        return undefined;
      },
    },
  ],
  misconceptions: [
    {
      id: 'bias-on-every-rank',
      title: { en: 'the bias added on every rank', 'zh-CN': '每个 rank 上都加了偏置' },
      message: {
        en:
          'You add b on each rank, before the all-reduce, so the sum carries it N times: out = x·w + N·b. The partials are x_r·W_r alone, and b is added once, to their sum. ' +
          'In the lesson (2 ranks, b = [1, 0, −1, 0.5]) out[0] should be [1, 1, 5, −0.5], and b twice gives [2, 1, 4, 0]; rank 0\'s partial should be [[1, 2, 4, −1], [0, 1, 1, 0]], without b.',
        'zh-CN':
          '你在全归约之前在每个 rank 上都加了 b，于是和里含有 N 个 b：out = x·w + N·b。部分和只是 x_r·W_r，b 应在它们的和上只加一次。' +
          '在课程示例中（2 个 rank，b = [1, 0, −1, 0.5]），out[0] 应为 [1, 1, 5, −0.5]，加两次 b 会得到 [2, 1, 4, 0]；' +
          'rank 0 的部分和应为 [[1, 2, 4, −1], [0, 1, 1, 0]]，不含 b。',
      },
      hint: {
        en:
          'How many times does b appear in x·w + b? Count how many times it ends up in your out after the partials of 2 ranks are added.',
        'zh-CN':
          'x·w + b 中 b 出现几次？数一数把 2 个 rank 的部分和加起来之后，你的 out 里有几个 b。',
      },
      wrong: (_ctx, xShards, w, b) => {
        const partials = partialsOf(xShards, w);
        const withBias = partials.map((p) => addRow(p, b));
        return anyOf<RowParallel>({ partials: withBias, out: addAll(withBias) }, { partials, out: addAll(withBias) });
      },
    },
    {
      id: 'gathered-not-reduced',
      title: { en: 'the partials laid side by side (an all-gather) instead of added', 'zh-CN': '把部分和并排拼接（全收集），而不是相加' },
      message: {
        en:
          'Your out puts the ranks\' partials side by side, [T, N·out]. Each partial x_r·W_r is already full width: it is rank r\'s share of every output, summed over its own inputs only, so the partials are added (an all-reduce). ' +
          'In the lesson [[1, 2, 4, −1], [0, 1, 1, 0]] + [[−1, −1, 2, 0], [−2, 7, −2, 3]] = [[0, 1, 6, −1], [−2, 8, −1, 3]], then + b.',
        'zh-CN':
          '你的 out 把各 rank 的部分和并排放在一起，形状为 [T, N·out]。每个部分和 x_r·W_r 已经是全宽度的：它是 rank r 对每个输出的贡献，' +
          '只对它自己的输入求和，所以各部分和应该相加（全归约）。在课程示例中 [[1, 2, 4, −1], [0, 1, 1, 0]] + [[−1, −1, 2, 0], [−2, 7, −2, 3]] = [[0, 1, 6, −1], [−2, 8, −1, 3]]，' +
          '然后再加 b。',
      },
      hint: {
        en:
          'How wide is out for the lesson\'s w [4, 4]? Each rank\'s partial is already [2, 4]: what must happen to two of them?',
        'zh-CN':
          '对课程示例中的 w [4, 4]，out 应该有多宽？每个 rank 的部分和已经是 [2, 4]：两个这样的矩阵应该怎么处理？',
      },
      wrong: (_ctx, xShards, w) => {
        const partials = partialsOf(xShards, w);
        return { partials, out: concatColumns(partials) };
      },
    },
  ],
  hints: [
    {
      en:
        'Rank r holds the rows of w that meet its columns of x: as many rows as x_r is wide, starting after the rows of the ranks before it.',
      'zh-CN':
        'rank r 持有 w 中与它那部分 x 的列相对应的行：行数等于 x_r 的宽度，从它前面各 rank 的行之后开始。',
    },
    {
      en:
        'Each rank computes x_r·W_r, a full-width [T, out] matrix of partial sums. The all-reduce adds them: that sum is x·w.',
      'zh-CN':
        '每个 rank 计算 x_r·W_r，这是一个全宽度的 [T, out] 部分和矩阵。全归约把它们加起来：这个和就是 x·w。',
    },
    { text: { en: 'Add b once, to the sum. Added on every rank, it would be in out N times.', 'zh-CN': 'b 只在求和之后加一次。如果在每个 rank 上都加，out 里就会有 N 个 b。' }, misconception: 'bias-on-every-rank' },
  ],
});
