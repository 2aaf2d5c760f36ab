import { anyOf, defineExercise, randomVector, tidy, type Rng } from 'llm-tutor/pack';
import { isVector, show, showList, wrongKind } from '../../properties.js';
import { blocksOf, maxAbs, NF4_LEVELS, NF4_MIDPOINTS, NF4_ZERO_CODE, nearestNf4, quantizeNf4Blocks } from '../lora-math.js';

type Args = [w: number[], blockSize: number];
interface Quantized {
  codes: number[];
  absmax: number[];
}

/** Round half to even, as torch.round and tf.round do. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Blockwise quantisation with a learner's own `code(x, absmax)` and `scale(block)`;
 * an all-zero block (or whatever `scale` returns 0 for) takes `zeroCode`.
 */
function quantizeWith(w: number[], blockSize: number, code: (x: number, absmax: number) => number, zeroCode: number, scale: (block: number[]) => number = maxAbs): Quantized {
  const codes: number[] = [];
  const absmax: number[] = [];
  for (const block of blocksOf(w, blockSize)) {
    const m = scale(block);
    absmax.push(m);
    for (const x of block) codes.push(m === 0 ? zeroCode : code(x, m));
  }
  return { codes, absmax };
}

/** Values exactly halfway between two neighbouring levels, times `scale` (a power of two, so x / absmax is the midpoint again). */
const midpointsTimes = (indices: number[], scale: number) => indices.map((k) => NF4_MIDPOINTS[k] * scale);

const isQuantized = (x: unknown): x is Quantized =>
  typeof x === 'object' && x !== null && isVector((x as Quantized).codes) && isVector((x as Quantized).absmax);

/**
 * A property's `holds` over one call: the learner's output is `{ codes, absmax }`
 * with one absmax per block, and `check` sees the input cut into blocks.
 */
function perBlock(check: (q: Quantized, blocks: number[][], blockSize: number) => string | undefined) {
  return (outputs: unknown[], calls: Args[]) => {
    const odd = wrongKind('quantizeNf4', 'an object { codes, absmax } of number lists', outputs, isQuantized);
    if (odd) return odd;
    const [w, blockSize] = calls[0];
    const blocks = blocksOf(w, blockSize);
    const q = outputs[0] as Quantized;
    if (q.absmax.length !== blocks.length) return `Your absmax has ${q.absmax.length} entries for ${w.length} values in blocks of ${blockSize}: there are ${blocks.length} blocks, Math.ceil(${w.length} / ${blockSize}), each with its own absmax.`;
    return check(q, blocks, blockSize);
  };
}

/** Random weights cut into blocks: one case of a property. */
function randomBlocks(rng: Rng, n: number, blockSize: number, std: number) {
  return { name: `${n} random values (std ${std}), blocks of ${blockSize}`, calls: [[randomVector(rng, n, std), blockSize]] as Args[] };
}

/** The index in its block of the value of largest magnitude (the first, on a tie). */
const largestAt = (block: number[]) => block.findIndex((x) => Math.abs(x) === maxAbs(block));

export default defineExercise<Args, Quantized>({
  entry: 'quantizeNf4',
  signature: 'quantizeNf4(w: Vector, blockSize: number): { codes: number[]; absmax: number[] }',
  cases: (rng) => {
    const scaled = [...randomVector(rng, 16, 0.05), ...randomVector(rng, 16, 1), ...randomVector(rng, 16, 8)];
    const n = rng.int(70, 120);
    return [
      { name: 'the lesson example: 7 values, blocks of 4', args: [[0.5, -1.2, 0.3, 0, 2, -0.1, 0.9], 4] },
      { name: 'random: 64 values, one block of 64 (bitsandbytes\' default block size)', args: [randomVector(rng, 64), 64] },
      { name: 'random: 150 values, blocks of 64 (the last block has 22)', args: [randomVector(rng, 150, 0.5), 64] },
      { name: `random: ${n} values, blocks of 16`, args: [randomVector(rng, n, 0.2), 16] },
      { name: 'three blocks of 16 at very different scales (std 0.05, 1 and 8)', args: [scaled, 16] },
      {
        name: 'values exactly halfway between two levels (each goes to the lower index)',
        args: [[1, ...midpointsTimes([0, 3, 6, 7, 10, 14], 1), -0.5, -2, ...midpointsTimes([1, 2, 4, 5, 8, 9, 11], 2), 4, ...midpointsTimes([12, 13, 7, 6], 4)], 8],
      },
      { name: 'an all-zero block (absmax 0, codes 7)', args: [[0, 0, 0, 0, 0.3, -0.6, 0, 1.5, 0, 0, 0, 0], 4] },
      { name: 'blocks whose largest magnitude is negative (one is all negative)', args: [[-3, 0.5, 1, -0.2, -0.4, -0.1, -0.8, -0.25], 4] },
      { name: 'block size 1: every value is its own block', args: [[0.7, -0.2, 0, 3, -1e-3], 1] },
      { name: 'the 16 levels times 3, in one block (codes 0 to 15)', args: [NF4_LEVELS.map((l) => l * 3), 16] },
      { name: 'fewer values than one block: 10 values, block size 64', args: [randomVector(rng, 10, 2), 64] },
      { name: 'a last block of a single value: 9 values, blocks of 4', args: [[...randomVector(rng, 8, 1), tidy(rng.normal(0, 1)) || -0.7], 4] },
    ];
  },
  reference: (_ctx, w, blockSize) => quantizeNf4Blocks(w, blockSize),
  compare: 'exact',
  properties: [
    {
      name: 'every code is a whole number from 0 to 15, one per value',
      cases: (rng) => [randomBlocks(rng, 40, 16, 1), randomBlocks(rng, 100, 64, 0.02)],
      holds: perBlock(({ codes }, blocks) => {
        const n = blocks.flat().length;
        if (codes.length !== n) return `You return ${codes.length} codes for ${n} values. Each value is stored as one 4-bit code, so there are as many codes as values.`;
        const bad = codes.findIndex((c) => !(Number.isInteger(c) && c >= 0 && c <= 15));
        if (bad < 0) return undefined;
        return `Your code ${bad} is ${show(codes[bad])}. A code is what is stored in 4 bits: the index of a level in the table of 16, a whole number from 0 (the level −1.0) to 15 (the level 1.0).`;
      }),
    },
    {
      name: "each block's absmax is the largest |w| in it",
      cases: (rng) => [randomBlocks(rng, 40, 16, 1), randomBlocks(rng, 100, 64, 0.02)],
      holds: perBlock(({ absmax }, blocks) => {
        const b = blocks.findIndex((block, i) => absmax[i] !== maxAbs(block));
        if (b < 0) return undefined;
        return (
          `Your absmax for block ${b} is ${show(absmax[b])}, but the largest |w| in that block is ${show(maxAbs(blocks[b]))}. ` +
          'Dividing by exactly that magnitude puts every value of the block in [−1, 1] and its largest one on ±1: in the lesson example the blocks store 1.2 and 2.'
        );
      }),
    },
    {
      name: "the largest |w| of each block gets code 0 or 15",
      cases: (rng) => [randomBlocks(rng, 40, 16, 1), randomBlocks(rng, 100, 64, 0.02)],
      holds: perBlock(({ codes }, blocks, blockSize) => {
        const b = blocks.findIndex((block, i) => codes[i * blockSize + largestAt(block)] !== (block[largestAt(block)] < 0 ? 0 : 15));
        if (b < 0) return undefined;
        const i = b * blockSize + largestAt(blocks[b]);
        return (
          `w[${i}] = ${show(blocks[b][largestAt(blocks[b])])} has the largest magnitude of block ${b}, and your code for it is ${show(codes[i])}. ` +
          `Divided by its block's absmax it is exactly ${blocks[b][largestAt(blocks[b])] < 0 ? '−1, the level of code 0' : '1, the level of code 15'}: ` +
          `in the lesson example −1.2 gets code 0 and 2 gets code 15 (${showList([12, 0, 10, 7, 15, 6, 12])}).`
        );
      }),
    },
  ],
  misconceptions: [
    {
      id: 'tensor-absmax',
      title: { en: 'one absmax for the whole tensor instead of one per block', 'zh-CN': '整个张量只用一个 absmax，而不是每块一个' },
      message: {
        en:
          'You divide every value by the largest |x| of the whole input. NF4 is blockwise: each block of blockSize values gets its own absmax, ' +
          'so one outlier only coarsens its own block, and a block of small weights still uses all 16 levels. Return one absmax per block (Math.ceil(w.length / blockSize) of them).',
        'zh-CN':
          '你把每个值都除以了整个输入中最大的 |x|。NF4 是分块的：每块 blockSize 个值都有自己的 absmax，' +
          '这样一个离群值只会让它自己所在的块变粗糙，而一块较小的权重仍能用上全部 16 个量化级。每块返回一个 absmax（共 Math.ceil(w.length / blockSize) 个）。',
      },
      hint: {
        en: 'How many absmax values do you return? Each block gets its own scale.',
        'zh-CN': '你返回了几个 absmax？每块都有自己的缩放因子。',
      },
      wrong: (_ctx, w, blockSize) => {
        const m = maxAbs(w);
        const codes = w.map((x) => (m === 0 ? NF4_ZERO_CODE : nearestNf4(x / m)));
        const blocks = Math.ceil(w.length / blockSize);
        return anyOf({ codes, absmax: [m] }, { codes, absmax: new Array<number>(blocks).fill(m) });
      },
    },
    {
      id: 'uniform-grid',
      title: { en: 'a uniform 4-bit grid instead of the NF4 levels', 'zh-CN': '用了均匀的 4 位网格，而不是 NF4 量化级' },
      message: {
        en:
          'round((x/absmax + 1)·7.5) spreads 16 levels evenly over [−1, 1]. NF4\'s levels are not even: they are quantiles of a normal distribution, ' +
          'dense near 0 where most weights are and sparse near ±1, with 0 exactly representable (code 7). Pick the index of the nearest of the 16 NF4 levels.',
        'zh-CN':
          'round((x/absmax + 1)·7.5) 把 16 个量化级均匀地铺在 [−1, 1] 上。NF4 的量化级不是等间距的：它们是正态分布的分位数，' +
          '在大多数权重所在的 0 附近密集，在 ±1 附近稀疏，并且 0 能被精确表示（码 7）。应当取 16 个 NF4 量化级中最近的那个的下标。',
      },
      hint: {
        en: 'Which value does code 7 stand for? The NF4 levels are listed in the lesson and are not evenly spaced.',
        'zh-CN': '码 7 代表哪个值？NF4 的量化级在课程中列出来了，它们不是等间距的。',
      },
      wrong: (_ctx, w, blockSize) => {
        const grid = (round: (x: number) => number) => (x: number, m: number) => round((x / m + 1) * 7.5);
        const outputs: Quantized[] = [];
        for (const round of [Math.round, roundHalfEven]) {
          // An all-zero block: the convention's code 7, x/absmax taken as 0 (code 8), or 0/0 left as NaN.
          for (const zeroCode of [NF4_ZERO_CODE, 8, NaN]) outputs.push(quantizeWith(w, blockSize, grid(round), zeroCode));
        }
        return anyOf(...outputs);
      },
    },
    {
      id: 'tie-to-upper',
      title: { en: 'an exact midpoint goes to the upper index', 'zh-CN': '恰好位于中点的值被分到了较大的下标' },
      message: {
        en:
          'A value exactly halfway between two levels goes to the lower index (bitsandbytes uses torch.bucketize with the midpoints, which puts a value equal to a boundary below it). ' +
          'Your comparison sends it up: use x/absmax > midpoint (not >=), or when comparing distances keep the first level unless a later one is strictly closer.',
        'zh-CN':
          '恰好位于两个量化级正中间的值应取较小的下标（bitsandbytes 对中点使用 torch.bucketize，它把等于边界的值放在边界下方）。' +
          '你的比较把它送到了上面：使用 x/absmax > midpoint（而不是 >=），或者在比较距离时保留先出现的量化级，除非后面的量化级严格更近。',
      },
      hint: {
        en: 'Take a value exactly halfway between two levels: it should go to the lower index. Check whether your comparison is strict.',
        'zh-CN': '取一个恰好位于两个量化级正中间的值：它应该取较小的下标。检查你的比较是不是严格的。',
      },
      wrong: (_ctx, w, blockSize) => quantizeNf4Blocks(w, blockSize, 'upper'),
    },
    {
      id: 'zero-block-not-handled',
      title: { en: 'an all-zero block divides 0 by 0', 'zh-CN': '全零块做了 0 除以 0' },
      message: {
        en:
          'When every value of a block is 0 its absmax is 0, and x/absmax = 0/0 = NaN. Every comparison with NaN is false, so your search keeps its starting index (0, the level −1.0). ' +
          'By the convention an all-zero block has absmax 0 and every code 7, the level 0.0: test for absmax === 0 before dividing.',
        'zh-CN':
          '当一块中的每个值都是 0 时，它的 absmax 为 0，而 x/absmax = 0/0 = NaN。与 NaN 的任何比较都是 false，所以你的搜索停在起始下标（0，即量化级 −1.0）。' +
          '按约定，全零块的 absmax 为 0，每个码都是 7，即量化级 0.0：在做除法之前先检查 absmax === 0。',
      },
      hint: {
        en: 'Quantise a block of zeros by hand: what is 0 / 0? Decide what such a block stores before dividing.',
        'zh-CN': '手工量化一块全零的值：0 / 0 等于多少？在做除法之前先决定这样的块存什么。',
      },
      wrong: (_ctx, w, blockSize) => quantizeWith(w, blockSize, (x, m) => nearestNf4(x / m), 0),
    },
    {
      id: 'absmax-without-abs',
      title: { en: 'absmax taken as the largest value, not the largest |value|', 'zh-CN': 'absmax 取的是最大值，而不是最大的 |值|' },
      message: {
        en:
          'Math.max(...block) is the largest value, which misses a large negative one (and is negative for an all-negative block). absmax is the largest magnitude, ' +
          'max |x| over the block, so that x/absmax always lies in [−1, 1] and −1.0 (code 0) is used as well as 1.0.',
        'zh-CN':
          'Math.max(...block) 是最大值，它会漏掉绝对值很大的负数（对全为负数的块，它本身就是负的）。absmax 是最大绝对值，' +
          '即块内的 max |x|，这样 x/absmax 总在 [−1, 1] 内，−1.0（码 0）和 1.0 都能用上。',
      },
      hint: {
        en: 'Try a block whose largest magnitude is a negative value: is it your absmax?',
        'zh-CN': '试一块绝对值最大的元素是负数的值：它是你的 absmax 吗？',
      },
      wrong: (_ctx, w, blockSize) => quantizeWith(w, blockSize, (x, m) => nearestNf4(x / m), NF4_ZERO_CODE, (block) => Math.max(...block)),
    },
    {
      id: 'not-normalised',
      title: { en: 'x itself matched to the levels, not x/absmax', 'zh-CN': '直接用 x 本身去匹配量化级，而不是 x/absmax' },
      message: {
        en: 'The NF4 levels live in [−1, 1]: each value must be divided by its block\'s absmax before looking for the nearest level. Matching x itself works only for a block whose absmax is 1.',
        'zh-CN': 'NF4 量化级位于 [−1, 1] 内：在寻找最近的量化级之前，每个值都必须先除以它所在块的 absmax。直接用 x 本身去匹配，只对 absmax 为 1 的块有效。',
      },
      hint: {
        en: 'The NF4 levels lie in [−1, 1]. What must each value be divided by before you look for the nearest level?',
        'zh-CN': 'NF4 量化级位于 [−1, 1] 内。在寻找最近的量化级之前，每个值必须先除以什么？',
      },
      wrong: (_ctx, w, blockSize) => quantizeWith(w, blockSize, (x) => nearestNf4(x), NF4_ZERO_CODE),
    },
    {
      id: 'last-block-dropped',
      title: { en: 'the last, partial block is dropped', 'zh-CN': '丢掉了最后一个不完整的块' },
      message: {
        en:
          'When the length is not a multiple of blockSize, the last block is shorter, but it still needs its own absmax and its codes. ' +
          'Loop over Math.ceil(w.length / blockSize) blocks (or step start by blockSize while start < w.length), not Math.floor(...).',
        'zh-CN':
          '当长度不是 blockSize 的倍数时，最后一块较短，但它仍需要自己的 absmax 和码。' +
          '遍历 Math.ceil(w.length / blockSize) 个块（或者在 start < w.length 时让 start 每次增加 blockSize），而不是 Math.floor(...)。',
      },
      hint: {
        en: 'Take 10 values and blockSize 4: how many blocks should there be? Check how you count them.',
        'zh-CN': '取 10 个值、blockSize 为 4：应该有几块？检查你是怎么数块的。',
      },
      wrong: (_ctx, w, blockSize) => quantizeNf4Blocks(w.slice(0, Math.floor(w.length / blockSize) * blockSize), blockSize),
    },
    {
      id: 'levels-not-codes',
      title: { en: 'the level values returned instead of their indices', 'zh-CN': '返回了量化级的值，而不是它们的下标' },
      message: {
        en:
          'codes holds the index (0–15) of each value\'s nearest level: that index is the 4-bit number that gets stored. You return the level itself (a float such as 0.4407); ' +
          'return its position in the table instead.',
        'zh-CN':
          'codes 保存的是每个值最近的量化级的下标（0–15）：这个下标就是要存储的 4 位数。你返回的是量化级本身（比如 0.4407 这样的浮点数）；' +
          '应当返回它在表中的位置。',
      },
      hint: {
        en: 'Are your codes whole numbers from 0 to 15? A code is where the level sits in the table.',
        'zh-CN': '你的码是 0 到 15 之间的整数吗？码就是量化级在表中所处的位置。',
      },
      wrong: (_ctx, w, blockSize) => {
        const { codes, absmax } = quantizeNf4Blocks(w, blockSize);
        return { codes: codes.map((c) => NF4_LEVELS[c]), absmax };
      },
    },
  ],
  hints: [
    {
      en: 'Work block by block: the values w[start], …, w[start + blockSize − 1] (fewer in the last block). What single number does each block store besides its codes?',
      'zh-CN': '逐块处理：值 w[start], …, w[start + blockSize − 1]（最后一块可能更少）。除了码之外，每块还要存哪一个数？',
    },
    {
      en: 'Divide each value by its block\'s absmax = max |x| so it lies in [−1, 1], then find the nearest of the 16 NF4 levels. An all-zero block cannot be divided: it gets absmax 0 and codes 7.',
      'zh-CN': '把每个值除以它所在块的 absmax = max |x|，使它落在 [−1, 1] 内，再找出 16 个 NF4 量化级中最近的那个。全零块没法做除法：它的 absmax 为 0，码都是 7。',
    },
    {
      en: 'The nearest level is the number of midpoints (L[k] + L[k+1]) / 2 that are strictly below x/absmax: a value exactly on a midpoint stays at the lower index.',
      'zh-CN': '最近的量化级下标，就是严格小于 x/absmax 的中点 (L[k] + L[k+1]) / 2 的个数：恰好落在中点上的值留在较小的下标。',
    },
  ],
});
