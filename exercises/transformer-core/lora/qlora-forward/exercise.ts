import { anyOf, defineExercise, matmul, randomMatrix, type ReferenceContext, type Rng, type Tf } from 'llm-tutor/pack';
import { matricesAgree } from '../../properties.js';
import { addScaled, dequantizeMatrix, lessonExample, loraForwardSteps, loraForwardTf, NF4_LEVELS, quantizeMatrix, rankOf, type Nf4Matrix } from '../lora-math.js';

type Args = [x: number[][], base: Nf4Matrix, a: number[][], b: number[][], alpha: number];

/** Builds W0 from the codes with a learner's own rule for the weight at row r, column c. */
function dequantizeWith(base: Nf4Matrix, weight: (r: number, c: number) => number): number[][] {
  return Array.from({ length: base.rows }, (_, r) => Array.from({ length: base.cols }, (_, c) => weight(r, c)));
}

/** x·W0 + scale·(x·A)·B in float64 with a given W0. */
function forward(x: number[][], w0: number[][], a: number[][], b: number[][], scale: number): number[][] {
  return addScaled(matmul(x, w0), matmul(matmul(x, a), b), scale);
}

/** A random case: n tokens, a [din, dout] layer quantised in blocks of blockSize, an adapter of rank r. */
function randomCase(rng: Rng, n: number, din: number, dout: number, blockSize: number, r: number, alpha: number): Args {
  return [
    randomMatrix(rng, n, din),
    quantizeMatrix(randomMatrix(rng, din, dout, 0.5), blockSize),
    randomMatrix(rng, din, r, 0.5),
    randomMatrix(rng, r, dout, 0.5),
    alpha,
  ];
}

/** The lesson's quantised W0: [3, 2], blocks of 4, so the second block holds the last row only. */
const lessonBase: Nf4Matrix = { codes: [15, 7, 0, 11, 8, 13], absmax: [2, 0.5], blockSize: 4, rows: 3, cols: 2 };

/** W0 [rows, cols] from its NF4 codes in tfjs: the level of each code times its block's absmax. */
function dequantizeTf(tf: Tf, base: Nf4Matrix) {
  const blockIndex = base.codes.map((_, i) => Math.floor(i / base.blockSize));
  const levels = tf.gather(tf.tensor1d([...NF4_LEVELS], 'float32'), tf.tensor1d(base.codes, 'int32'));
  const scales = tf.gather(tf.tensor1d(base.absmax, 'float32'), tf.tensor1d(blockIndex, 'int32'));
  return tf.reshape(tf.mul(levels, scales), [base.rows, base.cols]);
}

/** The same arguments with B replaced by zeros, as LoRA initialises it. */
function withZeroB([x, base, a, b, alpha]: Args): Args {
  return [x, base, a, b.map((row) => row.map(() => 0)), alpha];
}

export default defineExercise<Args, number[][]>({
  entry: 'qloraForward',
  signature: 'qloraForward(x: Matrix, base: { codes: number[]; absmax: number[]; blockSize: number; rows: number; cols: number }, a: Matrix, b: Matrix, alpha: number): Matrix',
  cases: (rng) => {
    const n = rng.int(2, 4);
    const din = rng.int(6, 10);
    let dout = rng.int(4, 8);
    if (dout === din) dout = din - 1;
    const blockSize = rng.pick([8, 16]);
    const r = rng.int(2, 3);
    const alpha = rng.pick([8, 16, 32]);
    const zeroB = randomCase(rng, 3, 6, 5, 8, 2, 16);
    zeroB[3] = zeroB[3].map((row) => row.map(() => 0));
    // Two rows of zeros (a pruned input unit) make a block of 8 that is all zeros.
    const zeroRows = randomMatrix(rng, 6, 4, 0.5);
    zeroRows[2] = [0, 0, 0, 0];
    zeroRows[3] = [0, 0, 0, 0];
    const zeroBlock: Args = [randomMatrix(rng, 2, 6), quantizeMatrix(zeroRows, 8), randomMatrix(rng, 6, 2, 0.5), randomMatrix(rng, 2, 4, 0.5), 8];
    const { x, a, b, alpha: lessonAlpha } = lessonExample;
    return [
      { name: 'the lesson example: W0 [3, 2] in blocks of 4, r 2, α 4', args: [x, lessonBase, a, b, lessonAlpha] },
      { name: 'random: 3 tokens, W0 [8, 6] in blocks of 16 (blocks cross rows), r 2, α 8', args: randomCase(rng, 3, 8, 6, 16, 2, 8) },
      { name: `random: ${n} tokens, W0 [${din}, ${dout}] in blocks of ${blockSize}, r ${r}, α ${alpha}`, args: randomCase(rng, n, din, dout, blockSize, r, alpha) },
      { name: 'blocks of 64 with a partial last block: W0 [10, 12] (64 + 56 weights), r 4, α 16', args: randomCase(rng, 2, 10, 12, 64, 4, 16) },
      { name: 'a square W0 [8, 8] in blocks of 8 (one block per row), r 2, α 4', args: randomCase(rng, 3, 8, 8, 8, 2, 4) },
      { name: 'blocks of 4 on W0 [5, 6] (a row is one and a half blocks), r 2, α 6', args: randomCase(rng, 2, 5, 6, 4, 2, 6) },
      { name: 'one block for the whole matrix: W0 [4, 5], block size 64, r 3, α 12', args: randomCase(rng, 2, 4, 5, 64, 3, 12) },
      { name: 'B = 0, as LoRA initialises it: the output is x times the dequantised W0', args: zeroB },
      { name: 'an all-zero block (absmax 0, codes 7): W0 [6, 4] with two zero rows, blocks of 8', args: zeroBlock },
    ];
  },
  reference: ({ tf }: ReferenceContext, x, base, a, b, alpha) => loraForwardTf(tf, x, dequantizeTf(tf, base), a, b, alpha / rankOf(a)),
  trace: ({ tf }: ReferenceContext, x, base, a, b, alpha) => {
    const w0 = dequantizeTf(tf, base);
    return { W0: w0, ...loraForwardSteps(tf, x, w0, a, b, alpha / rankOf(a)).steps };
  },
  properties: [
    {
      name: 'with B = 0 the output is x times the dequantised W0',
      cases: (rng) => [
        { name: 'W0 [8, 6] in blocks of 16, r 2, α 8', calls: [withZeroB(randomCase(rng, 3, 8, 6, 16, 2, 8))] },
        { name: 'W0 [5, 6] in blocks of 4, r 3, α 12', calls: [withZeroB(randomCase(rng, 2, 5, 6, 4, 3, 12))] },
      ],
      holds: matricesAgree<Args>(
        'qloraForward',
        ([h], [[x, base]]) => [matmul(x, dequantizeMatrix(base)), h],
        (difference) =>
          `With B = 0 your output is not x·W0 (x·W0 first, yours second: ${difference}), W0[r][c] = NF4[codes[i]]·absmax[⌊i / blockSize⌋] with i = r·cols + c. ` +
          'A zero B makes the adapter add nothing, so what is left is the frozen path alone: the dequantised weight, row by row, each code times its own block\'s absmax.',
      ),
    },
    {
      name: 'the adapter adds (α/r)·(x·A)·B to the frozen output',
      cases: (rng) => {
        const args = randomCase(rng, 3, 6, 5, 8, 2, 16);
        return [{ name: 'W0 [6, 5] in blocks of 8, r 2, α 16: B, then B = 0', calls: [args, withZeroB(args)] }];
      },
      holds: matricesAgree<Args>(
        'qloraForward',
        ([h, frozen], [[x, , a, b, alpha]]) => [matmul(matmul(x, a), b).map((row) => row.map((v) => (alpha / rankOf(a)) * v)), h.map((row, i) => row.map((v, j) => v - (frozen[i]?.[j] ?? NaN)))],
        (difference) =>
          `Your output minus your output with B = 0 is not (α/r)·(x·A)·B (that first, your difference second: ${difference}). ` +
          'Quantising W0 changes nothing about the adapter: it adds (α/r)·(x·A)·B with r = a[0].length, 2·[[1, 0], [−1, −4]] in the lesson example.',
      ),
    },
  ],
  misconceptions: [
    {
      id: 'column-major',
      title: { en: 'W0 rebuilt column by column (column-major) instead of row by row', 'zh-CN': 'W0 按列（列优先）重建，而不是逐行重建' },
      message: {
        en:
          'The codes are W0 flattened row-major: code i is row ⌊i / cols⌋, column i mod cols (W0[r][c] is code r·cols + c). ' +
          'You fill W0 down the columns (W0[r][c] from code c·rows + r, as Fortran and cuBLAS lay matrices out), which scrambles the weights. Read the codes row by row.',
        'zh-CN':
          'codes 是 W0 按行优先展平的结果：码 i 位于第 ⌊i / cols⌋ 行、第 i mod cols 列（W0[r][c] 是码 r·cols + c）。' +
          '你沿列方向填充 W0（W0[r][c] 取码 c·rows + r，即 Fortran 和 cuBLAS 排布矩阵的方式），把权重打乱了。请逐行读取码。',
      },
      hint: { en: 'Which weight does code 1 belong to: W0[0][1] or W0[1][0]? The codes run along the rows.', 'zh-CN': '码 1 属于哪个权重：W0[0][1] 还是 W0[1][0]？码是沿行排列的。' },
      wrong: (_ctx, x, base, a, b, alpha) => {
        const flat = dequantizeMatrix(base).flat();
        return forward(x, dequantizeWith(base, (r, c) => flat[c * base.rows + r]), a, b, alpha / rankOf(a));
      },
    },
    {
      id: 'wrong-block-absmax',
      title: { en: 'each weight scaled by the absmax of the wrong block', 'zh-CN': '每个权重乘的是错误块的 absmax' },
      message: {
        en:
          'Blocks run over the flattened matrix, not over each row: weight i = r·cols + c belongs to block ⌊i / blockSize⌋, and a block can end in the middle of a row. ' +
          'You take the block from the column alone (⌊c / blockSize⌋) or use one absmax per row (absmax[r]). Compute the flat index first, then divide by blockSize.',
        'zh-CN':
          '块是在展平后的矩阵上划分的，而不是按行划分：权重 i = r·cols + c 属于块 ⌊i / blockSize⌋，一个块可以在某一行的中间结束。' +
          '你只按列号取块（⌊c / blockSize⌋），或者每行用一个 absmax（absmax[r]）。先算出扁平下标，再除以 blockSize。',
      },
      hint: {
        en: 'Compute the flat index of W0[r][c] first: a block runs across the flattened matrix, and can end in the middle of a row.',
        'zh-CN': '先算出 W0[r][c] 的扁平下标：块横跨展平后的矩阵划分，可以在某一行的中间结束。',
      },
      wrong: (_ctx, x, base, a, b, alpha) => {
        const level = (r: number, c: number) => NF4_LEVELS[base.codes[r * base.cols + c]];
        const byColumn = dequantizeWith(base, (r, c) => level(r, c) * base.absmax[Math.floor(c / base.blockSize)]);
        const byRow = dequantizeWith(base, (r, c) => level(r, c) * (base.absmax[r] ?? NaN));
        const s = alpha / rankOf(a);
        return anyOf(forward(x, byColumn, a, b, s), forward(x, byRow, a, b, s));
      },
    },
    {
      id: 'scale-alpha',
      title: { en: 'the LoRA update scaled by α instead of α/r', 'zh-CN': 'LoRA 更新量按 α 缩放，而不是 α/r' },
      message: {
        en:
          'Your W0 is right, but the adapter path is multiplied by alpha. As in lora/forward, LoRA scales (x·A)·B by α/r with r = a[0].length; ' +
          'the quantisation of W0 does not change that.',
        'zh-CN':
          '你的 W0 是对的，但适配器路径乘的是 alpha。和 lora/forward 一样，LoRA 把 (x·A)·B 乘以 α/r，其中 r = a[0].length；对 W0 的量化不会改变这一点。',
      },
      hint: { en: 'Your W0 looks right; compare your adapter\'s factor with lora/forward\'s.', 'zh-CN': '你的 W0 看起来是对的；把你的适配器系数和 lora/forward 的比较一下。' },
      wrong: (_ctx, x, base, a, b, alpha) => forward(x, dequantizeMatrix(base), a, b, alpha),
    },
    {
      id: 'absmax-not-applied',
      title: { en: 'the levels used without multiplying by absmax', 'zh-CN': '直接用了量化级，没有乘 absmax' },
      message: {
        en:
          'level[code] is a number in [−1, 1]: the weight was divided by its block\'s absmax before it was quantised, so reading it back needs the multiplication again, ' +
          'w = level[code]·absmax[block]. Without it every weight is too small (or too large) by its block\'s scale.',
        'zh-CN':
          'level[code] 是 [−1, 1] 内的数：权重在量化前除以了所在块的 absmax，所以读回时需要再乘回去，w = level[code]·absmax[block]。' +
          '不乘的话，每个权重都会差一个所在块的缩放因子，偏小（或偏大）。',
      },
      hint: {
        en: 'A code\'s level lies in [−1, 1], but the weights were not. What scale did quantisation divide by?',
        'zh-CN': '码对应的量化级落在 [−1, 1] 内，但原来的权重并不是。量化时除以的是哪个缩放因子？',
      },
      wrong: (_ctx, x, base, a, b, alpha) => forward(x, dequantizeWith(base, (r, c) => NF4_LEVELS[base.codes[r * base.cols + c]]), a, b, alpha / rankOf(a)),
    },
    {
      id: 'uniform-levels',
      title: { en: 'codes read as a uniform grid instead of the NF4 levels', 'zh-CN': '把码当成均匀网格，而不是 NF4 量化级' },
      message: {
        en:
          'You turn code k into −1 + 2k/15, as if the 16 codes were evenly spaced over [−1, 1]. The codes index the NF4 table (code 7 is 0.0, code 8 is 0.0796, …): ' +
          'look each one up in the 16 NF4 levels, then multiply by absmax.',
        'zh-CN':
          '你把码 k 变成了 −1 + 2k/15，好像这 16 个码均匀分布在 [−1, 1] 上。' +
          '码是 NF4 表的下标（码 7 是 0.0，码 8 是 0.0796，…）：在 16 个 NF4 量化级中查出每个码的值，再乘以 absmax。',
      },
      hint: {
        en: 'What weight does code 7 give? Look each code up in the NF4 table of lora/nf4-quantize.',
        'zh-CN': '码 7 对应的权重是多少？在 lora/nf4-quantize 的 NF4 表中查每个码。',
      },
      wrong: (_ctx, x, base, a, b, alpha) => {
        const weight = (r: number, c: number) => {
          const i = r * base.cols + c;
          return (-1 + (2 * base.codes[i]) / 15) * base.absmax[Math.floor(i / base.blockSize)];
        };
        return forward(x, dequantizeWith(base, weight), a, b, alpha / rankOf(a));
      },
    },
  ],
  hints: [
    {
      en: 'Split the work in two: first rebuild W0 as a [rows, cols] matrix of numbers, then run the LoRA forward pass of lora/forward with it.',
      'zh-CN': '把工作分成两步：先把 W0 重建为 [rows, cols] 的数值矩阵，再用它跑 lora/forward 的 LoRA 前向传播。',
    },
    {
      en: 'The codes are W0 flattened row by row: W0[r][c] comes from index i = r·cols + c, and that index belongs to block ⌊i / blockSize⌋ (a block may end mid-row).',
      'zh-CN': 'codes 是 W0 逐行展平的结果：W0[r][c] 来自下标 i = r·cols + c，而这个下标属于块 ⌊i / blockSize⌋（一个块可以在某一行的中间结束）。',
    },
    {
      en: 'W0[r][c] = NF4[codes[i]] · absmax[Math.floor(i / blockSize)] with i = r·cols + c; then h = x·W0 + (alpha / r)·(x·A)·B with r = a[0].length.',
      'zh-CN': 'W0[r][c] = NF4[codes[i]] · absmax[Math.floor(i / blockSize)]，其中 i = r·cols + c；然后 h = x·W0 + (alpha / r)·(x·A)·B，其中 r = a[0].length。',
    },
  ],
});
