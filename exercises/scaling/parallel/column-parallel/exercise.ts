import { anyOf, defineExercise, randomMatrix, type ReferenceContext, type Rng } from 'llm-tutor/pack';
import { addAll, columnBlocks, concatColumns, equalWidths, isMatrix, matrixDifference, mm, rowBlocks } from '../sharding-math.js';

type Args = [x: number[][], w: number[][], ranks: number];
export interface ColumnParallel {
  shards: number[][][];
  outputs: number[][][];
  gathered: number[][];
}

/** The lesson example: 2 tokens of width 4, w [4, 4], on 2 ranks. */
export const lessonColumn: Args = [
  [
    [1, 2, 0, -1],
    [0, 1, 3, 1],
  ],
  [
    [1, 0, 2, -1],
    [0, 1, 1, 0],
    [-1, 2, 0, 1],
    [1, 1, -2, 0],
  ],
  2,
];

/** Each rank's columns, its shard, its output and the all-gather: the steps and the output. */
function columnSteps(tf: ReferenceContext['tf'], x: number[][], w: number[][], ranks: number) {
  const out = w[0].length;
  const widths = equalWidths(out, ranks);
  const shards = tf.split(tf.tensor2d(w), widths, 1);
  const xt = tf.tensor2d(x);
  const outputs = shards.map((shard) => tf.matMul(xt, shard));
  const gathered = tf.concat(outputs, 1);
  const columnsOfRank = widths.map((width, r) => (width === 1 ? `${r}` : `${r * width}–${(r + 1) * width - 1}`));
  return { steps: { columnsOfRank, shards, outputs }, output: { shards, outputs, gathered } };
}

/** The right answer by the wrong split: w cut into row blocks and x into the matching column blocks, the partial sums added. */
function rowsSplit(x: number[][], w: number[][], ranks: number) {
  const heights = equalWidths(w.length, ranks);
  const shards = rowBlocks(w, heights);
  const outputs = columnBlocks(x, heights).map((xr, r) => mm(xr, shards[r]));
  return anyOf<ColumnParallel>({ shards, outputs, gathered: addAll(outputs) }, { shards, outputs, gathered: concatColumns(outputs) });
}

/** Columns dealt out in turn: rank r gets columns r, r + N, r + 2N… */
function interleaved(x: number[][], w: number[][], ranks: number) {
  const out = w[0].length;
  equalWidths(out, ranks);
  const owned = Array.from({ length: ranks }, (_, r) => Array.from({ length: out / ranks }, (_, k) => r + k * ranks));
  const shards = owned.map((cols) => w.map((row) => cols.map((c) => row[c])));
  const outputs = shards.map((shard) => mm(x, shard));
  return anyOf<ColumnParallel>({ shards, outputs, gathered: concatColumns(outputs) }, { shards, outputs, gathered: mm(x, w) });
}

const layer = (rng: Rng, tokens: number, inWidth: number, outWidth: number, ranks: number): Args => [randomMatrix(rng, tokens, inWidth), randomMatrix(rng, inWidth, outWidth, 0.5), ranks];

function cases(rng: Rng): { name: string; args: Args }[] {
  return [
    { name: 'the lesson example: x [2, 4], w [4, 4] on 2 ranks', args: lessonColumn },
    { name: 'the lesson example on 4 ranks: one column each', args: [lessonColumn[0], lessonColumn[1], 4] },
    { name: 'one rank: the whole layer', args: layer(rng, 2, 3, 4, 1) },
    { name: 'random: 3 tokens, w [6, 6] on 3 ranks', args: layer(rng, 3, 6, 6, 3) },
    { name: 'random: 4 tokens, w [4, 8] on 2 ranks', args: layer(rng, 4, 4, 8, 2) },
    { name: "an MLP's first layer in miniature: C = 4 to 4C = 16 on 4 ranks", args: layer(rng, 2, 4, 16, 4) },
  ];
}

const isResult = (o: unknown): o is ColumnParallel => {
  const r = o as ColumnParallel;
  return typeof o === 'object' && o !== null && Array.isArray(r.shards) && r.shards.every(isMatrix) && Array.isArray(r.outputs) && r.outputs.every(isMatrix) && isMatrix(r.gathered);
};
const wrongKind = (out: unknown) => (isResult(out) ? undefined : `columnParallelLinear must return { shards, outputs, gathered }, lists of matrices and a matrix; it returned ${JSON.stringify(out)?.slice(0, 80)}.`);

export default defineExercise<Args, ColumnParallel>({
  entry: 'columnParallelLinear',
  signature: 'columnParallelLinear(x: Matrix, w: Matrix, ranks: number): { shards: Matrix[]; outputs: Matrix[]; gathered: Matrix }',
  inputsReadOnly: true,
  cases,
  reference: ({ tf }, x, w, ranks) => columnSteps(tf, x, w, ranks).output,
  trace: ({ tf }, x, w, ranks) => columnSteps(tf, x, w, ranks).steps,
  properties: [
    {
      name: 'the gathered output is x·w whatever the number of ranks',
      cases: (rng) => {
        const [x, w] = layer(rng, 3, 4, 8, 1);
        const [x2, w2] = layer(rng, 2, 5, 6, 1);
        return [
          { name: 'w [4, 8] on 1, 2, 4 and 8 ranks', calls: [1, 2, 4, 8].map((n): Args => [x, w, n]) },
          { name: 'w [5, 6], an input width that does not split, on 2, 3 and 6 ranks', calls: [2, 3, 6].map((n): Args => [x2, w2, n]) },
        ];
      },
      holds: (outputs, calls) => {
        for (let k = 0; k < outputs.length; k++) {
          const odd = wrongKind(outputs[k]);
          if (odd) return odd;
          const [x, w, ranks] = calls[k];
          const difference = matrixDifference(outputs[k].gathered, mm(x, w));
          if (difference) return `On ${ranks} ranks your gathered output and x·w differ: ${difference}. Each rank's output is a block of x·w's columns; the all-gather puts the blocks side by side, in rank order, which is x·w again.`;
        }
        return undefined;
      },
    },
    {
      name: "the shards side by side are w, and each rank's output is x times its shard",
      cases: (rng) => [
        { name: 'w [4, 6] on 2 ranks', calls: [layer(rng, 2, 4, 6, 2)] },
        { name: 'w [6, 9] on 3 ranks', calls: [layer(rng, 3, 6, 9, 3)] },
      ],
      holds: ([out], [[x, w, ranks]]) => {
        const odd = wrongKind(out);
        if (odd) return odd;
        if (out.shards.length !== ranks || out.outputs.length !== ranks) return `On ${ranks} ranks you return ${out.shards.length} shards and ${out.outputs.length} outputs: one of each per rank.`;
        const split = matrixDifference(concatColumns(out.shards), w);
        if (split) return `Your shards put side by side, rank 0 first, are not w: ${split}. Rank r's shard is a contiguous block of w's COLUMNS, all of its ${w.length} rows: w[:, r·out/N … (r+1)·out/N − 1].`;
        for (let r = 0; r < ranks; r++) {
          const own = matrixDifference(out.outputs[r], mm(x, out.shards[r]));
          if (own) return `Rank ${r}'s output is not x times its own shard: ${own}. Each rank multiplies the whole x by the block of w it holds, with nothing from the other ranks.`;
        }
        return undefined;
      },
    },
  ],
  misconceptions: [
    {
      id: 'rows-split',
      title: { en: 'w split by rows: the right answer by the wrong split', 'zh-CN': '按行切分 w：切法错了，答案却对' },
      message: {
        en:
          'Your shards are blocks of w\'s ROWS, with x cut into the matching columns, and the partial products added up: the sum is x·w, but that is a row-parallel layer, which needs an all-reduce of full-width outputs. ' +
          'Column parallelism cuts w\'s COLUMNS: in the lesson rank 0 holds columns 0–1 (w[:, 0:2], shape [4, 2]) and computes x·W_0 = [[0, 1], [−2, 8]] from the whole x; the all-gather puts the blocks side by side.',
        'zh-CN':
          '你的分片是 w 的「行」块，x 也相应地按列切分，再把部分积相加：和确实是 x·w，但这是行并行层，需要对全宽度的输出做全归约。列并行切分的是 w 的「列」：' +
          '在课程示例中 rank 0 持有第 0–1 列（w[:, 0:2]，形状 [4, 2]），并用完整的 x 算出 x·W_0 = [[0, 1], [−2, 8]]；' +
          '全收集再把各块并排放在一起。',
      },
      hint: {
        en:
          'In the lesson, what shape is rank 0\'s shard? A column block of a [4, 4] w on 2 ranks is [4, 2], not [2, 4].',
        'zh-CN':
          '在课程示例中，rank 0 的分片是什么形状？[4, 4] 的 w 在 2 个 rank 上切出的列块是 [4, 2]，不是 [2, 4]。',
      },
      wrong: (_ctx, x, w, ranks) => rowsSplit(x, w, ranks),
    },
    {
      id: 'summed-not-gathered',
      title: { en: 'the outputs added up (an all-reduce) instead of gathered', 'zh-CN': '把输出相加（全归约），而不是收集起来' },
      message: {
        en:
          'Your shards and outputs are right, but you add the ranks\' outputs together. Each output is a different block of x·w\'s columns, so they go side by side (an all-gather): in the lesson [[0, 1], [−2, 8]] and [[6, −1], [−1, 3]] make [[0, 1, 6, −1], [−2, 8, −1, 3]], not their sum [[6, 0], [−3, 11]].',
        'zh-CN':
          '你的分片和输出都对，但你把各个 rank 的输出加在了一起。每个输出是 x·w 中不同的一块列，所以应该并排放置（全收集）：在课程示例中，[[0, 1], [−2, 8]] 和 [[6, −1], [−1, 3]] 拼成 [[0, 1, 6, −1], [−2, 8, −1, 3]]，' +
          '而不是它们的和 [[6, 0], [−3, 11]]。',
      },
      hint: {
        en:
          'How wide should `gathered` be: as wide as one rank\'s output, or as wide as w? Compare your gathered with x·w on the lesson example.',
        'zh-CN':
          '`gathered` 应该有多宽：和一个 rank 的输出一样宽，还是和 w 一样宽？在课程示例上把你的 gathered 和 x·w 比较一下。',
      },
      wrong: (_ctx, x, w, ranks) => {
        const widths = equalWidths(w[0].length, ranks);
        const shards = columnBlocks(w, widths);
        const outputs = shards.map((shard) => mm(x, shard));
        return { shards, outputs, gathered: addAll(outputs) };
      },
    },
    {
      id: 'interleaved-columns',
      title: { en: 'columns dealt out in turn instead of contiguous blocks', 'zh-CN': '把列轮流分配，而不是分成连续的块' },
      message: {
        en:
          'Your rank r holds columns r, r + N, r + 2N… of w. Megatron\'s split is contiguous: rank r holds the r-th block of out/N neighbouring columns, so that the all-gather, which lays the ranks\' outputs side by side, gives x·w in order. ' +
          'In the lesson rank 0 holds columns 0 and 1, not 0 and 2.',
        'zh-CN':
          '你的 rank r 持有 w 的第 r、r + N、r + 2N……列。Megatron 的切分是连续的：rank r 持有第 r 块 out/N 个相邻的列，' +
          '这样把各 rank 输出并排放置的全收集才能按顺序得到 x·w。在课程示例中 rank 0 持有第 0 列和第 1 列，而不是第 0 列和第 2 列。',
      },
      hint: {
        en:
          'Which columns of w does rank 0 hold in the lesson? Lay your shards side by side, rank 0 first: do you get w back?',
        'zh-CN':
          '在课程示例中，rank 0 持有 w 的哪几列？把你的分片从 rank 0 开始并排放好：能得到原来的 w 吗？',
      },
      wrong: (_ctx, x, w, ranks) => interleaved(x, w, ranks),
    },
  ],
  hints: [
    {
      en:
        'Cut w\'s columns into `ranks` blocks of out/ranks neighbouring columns: block r is rank r\'s shard, all of w\'s rows.',
      'zh-CN':
        '把 w 的列切成 `ranks` 块，每块 out/ranks 个相邻的列：第 r 块就是 rank r 的分片，包含 w 的全部行。',
    },
    {
      en:
        'Every rank multiplies the WHOLE x by its own shard; no rank needs another\'s numbers. Each output is a block of columns of x·w.',
      'zh-CN':
        '每个 rank 用「完整」的 x 乘以自己的分片；没有哪个 rank 需要别人的数据。每个输出都是 x·w 的一块列。',
    },
    {
      en:
        'The all-gather lays the outputs side by side, rank 0 first: that is `gathered`, the same as x·w.',
      'zh-CN':
        '全收集把各个输出从 rank 0 开始并排放好：这就是 `gathered`，与 x·w 相同。',
    },
  ],
});
