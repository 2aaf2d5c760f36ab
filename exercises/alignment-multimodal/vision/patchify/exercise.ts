import { defineExercise } from 'llm-tutor/pack';
import { isMatrix, show, wrongKind } from '../../../transformer-core/properties.js';
import { imageShape, labelledImage, patchesInOrder, patchesTf, randomImage } from '../vision-math.js';

type Args = [image: number[][][], patch: number];

/** The lesson's image: 2 channels of 4×4, pixel (c, r, w) = 100·c + 10·r + w, cut into 2×2 patches. */
export const lessonImage = labelledImage(2, 4, 4);

/** The image of `a`'s rows followed by `b`'s, channel by channel (b below a). */
const stackRows = (a: number[][][], b: number[][][]) => a.map((channel, c) => [...channel, ...b[c]]);

export default defineExercise<Args, number[][]>({
  entry: 'patchify',
  signature: 'patchify(image: number[][][], patch: number): Matrix',
  inputsReadOnly: true,
  cases: (rng) => [
    // PyTorch 1.13, float64: F.unfold(image[None], 2, stride=2)[0].T
    {
      name: 'the lesson example: 2 channels of 4×4, pixel 100·c + 10·r + w, patch 2',
      args: [lessonImage, 2],
      expected: [
        [0, 1, 10, 11, 100, 101, 110, 111],
        [2, 3, 12, 13, 102, 103, 112, 113],
        [20, 21, 30, 31, 120, 121, 130, 131],
        [22, 23, 32, 33, 122, 123, 132, 133],
      ],
    },
    // PyTorch 1.13, float64: F.unfold(image[None], 2, stride=2)[0].T
    {
      name: 'labelled, not square: 2 channels of 4×6 (a grid of 2 × 3 patches), patch 2',
      args: [labelledImage(2, 4, 6), 2],
      expected: [
        [0, 1, 10, 11, 100, 101, 110, 111],
        [2, 3, 12, 13, 102, 103, 112, 113],
        [4, 5, 14, 15, 104, 105, 114, 115],
        [20, 21, 30, 31, 120, 121, 130, 131],
        [22, 23, 32, 33, 122, 123, 132, 133],
        [24, 25, 34, 35, 124, 125, 134, 135],
      ],
    },
    { name: 'random RGB: 3 channels of 4×6, patch 2', args: [randomImage(rng, 3, 4, 6), 2] },
    { name: 'random: 2 channels of 9×6 (a grid of 3 × 2), patch 3', args: [randomImage(rng, 2, 9, 6), 3] },
    { name: 'random: 3 channels of 6×3, patch 3: one column of patches', args: [randomImage(rng, 3, 6, 3), 3] },
    { name: "the lesson's picture: 1 channel of 8×8, pixel 0…63 row by row, patch 4", args: [[Array.from({ length: 8 }, (_, r) => Array.from({ length: 8 }, (_, w) => 8 * r + w))], 4] },
    { name: 'the patch is the whole image: 2 channels of 3×3, patch 3, one row', args: [randomImage(rng, 2, 3, 3), 3] },
    { name: 'patch 1: every pixel is a patch, its row the pixel\'s 3 channels', args: [randomImage(rng, 3, 2, 3), 1] },
  ],
  reference: ({ tf }, image, patch) => patchesTf(tf, image, patch),
  trace: ({ tf }, image, patch) => {
    const [c, h, w] = imageShape(image);
    const first = image.map((channel) => channel.slice(0, patch).map((row) => row.slice(0, patch)));
    return { 'grid (rows × columns of patches)': [h / patch, w / patch], 'patch 0 as [C][p][p]': first, 'values per patch, C·p·p': c * patch * patch, patches: patchesTf(tf, image, patch) };
  },
  properties: [
    {
      name: 'the patches of two images stacked vertically are the first image\'s patches, then the second\'s',
      cases: (rng) => [
        { name: '2 channels of 2×6 above 2 channels of 4×6, patch 2', calls: (() => {
          const top = randomImage(rng, 2, 2, 6);
          const bottom = randomImage(rng, 2, 4, 6);
          return [[top, 2], [bottom, 2], [stackRows(top, bottom), 2]] as Args[];
        })() },
      ],
      holds: (outputs) => {
        const odd = wrongKind('patchify', 'a matrix', outputs, isMatrix);
        if (odd) return odd;
        const [top, bottom, both] = outputs;
        const want = [...top, ...bottom];
        if (both.length !== want.length) return `The stacked image has ${want.length} patches (${top.length} + ${bottom.length}); your function returned ${both.length} rows.`;
        const i = want.findIndex((row, n) => row.length !== both[n].length || row.some((x, k) => x !== both[n][k]));
        if (i < 0) return undefined;
        return `Row ${i} of the stacked image's patches starts ${show(both[i][0])}, but patch ${i} in row-major order is ${i < top.length ? `the top image's patch ${i}` : `the bottom image's patch ${i - top.length}`}, which starts ${show(want[i][0])}. Number the patches row by row: all of the grid's first row left to right, then the next row.`;
      },
    },
    {
      name: 'patchify only moves pixels: every pixel appears once in the output',
      cases: (rng) => [{ name: '3 channels of 4×6, patch 2', calls: [[randomImage(rng, 3, 4, 6), 2]] as Args[] }],
      holds: ([out], [[image]]) => {
        const odd = wrongKind('patchify', 'a matrix', [out], isMatrix);
        if (odd) return odd;
        const got = out.flat().sort((a, b) => a - b);
        const want = image.flat(2).sort((a, b) => a - b);
        if (got.length !== want.length) return `The image has ${want.length} pixels; your patches hold ${got.length} values. Every pixel belongs to exactly one patch: N·C·p·p = C·H·W.`;
        const k = want.findIndex((x, n) => x !== got[n]);
        return k < 0 ? undefined : `Your patches hold ${show(got[k])} where the image's pixels, sorted, have ${show(want[k])}: some pixel is taken twice and another never. Patch (gy, gx) starts at row gy·p and column gx·p of the image.`;
      },
    },
  ],
  misconceptions: [
    {
      id: 'channel-last',
      title: { en: 'each patch flattened (row, col, channel) instead of (channel, row, col)', 'zh-CN': '每个图像块按 (行, 列, 通道) 而不是 (通道, 行, 列) 展平' },
      message: {
        en:
          'Your patch 0 of the lesson is [0, 100, 1, 101, 10, 110, 11, 111]: each pixel\'s channels next to each other, as a channels-last (HWC) image flattens. The Conv2d weight [D, C, p, p] that multiplies this row is channel-first, so the row must be too: [0, 1, 10, 11, 100, 101, 110, 111], all of channel 0, then all of channel 1.',
        'zh-CN':
          '你在课程例子中的图像块 0 是 [0, 100, 1, 101, 10, 110, 11, 111]：每个像素的各通道挨在一起，就像通道在后（HWC）的图像展平的结果。乘以这一行的 Conv2d 权重 [D, C, p, p] 是通道在前的，所以这一行也必须如此：[0, 1, 10, 11, 100, 101, 110, 111]，先是通道 0 的全部，再是通道 1 的全部。',
      },
      hint: {
        en: 'In the lesson\'s image the hundreds digit is the channel. Read your patch 0: does the hundreds digit change once, or at every other value?',
        'zh-CN': '在课程的图像里，百位数字是通道。读一读你的图像块 0：百位是只变一次，还是每隔一个值就变？',
      },
      wrong: (_ctx, image, patch) => patchesInOrder(image, patch, { grid: 'rows', within: 'hwc' }),
    },
    {
      id: 'grid-by-columns',
      title: { en: 'patches numbered column by column over the grid', 'zh-CN': '沿网格逐列给图像块编号' },
      message: {
        en:
          'Your row 1 of the lesson is [20, 21, 30, 31, …], the patch below patch 0: you walk the grid down each column. Patches are numbered row by row, like reading text: row 1 is the patch to the right of patch 0, [2, 3, 12, 13, 102, 103, 112, 113], and the position embeddings of a trained ViT expect that order.',
        'zh-CN':
          '你在课程例子中的第 1 行是 [20, 21, 30, 31, …]，即图像块 0 下方的那一块：你是沿每一列往下遍历网格的。图像块应该像读文字那样逐行编号：第 1 行是图像块 0 右边的那一块 [2, 3, 12, 13, 102, 103, 112, 113]，训练好的 ViT 的位置嵌入期望的正是这种顺序。',
      },
      hint: {
        en: 'In the lesson\'s image the tens digit is the image row. Which patch should come second: the one whose first pixel is 2 or 20?',
        'zh-CN': '在课程的图像里，十位数字是图像的行。第二个图像块应该是第一个像素为 2 的那块，还是为 20 的那块？',
      },
      wrong: (_ctx, image, patch) => patchesInOrder(image, patch, { grid: 'columns', within: 'chw' }),
    },
    {
      id: 'patch-transposed',
      title: { en: 'each patch\'s rows and columns swapped: (channel, col, row)', 'zh-CN': '每个图像块的行和列互换了：(通道, 列, 行)' },
      message: {
        en: 'Your patch 0 of the lesson is [0, 10, 1, 11, 100, 110, 101, 111]: inside each channel you go down a column first. Within a channel, go along a row first, as the image is stored: [0, 1, 10, 11, 100, 101, 110, 111].',
        'zh-CN': '你在课程例子中的图像块 0 是 [0, 10, 1, 11, 100, 110, 101, 111]：在每个通道内你先沿列往下走。在一个通道内应该像图像的存储方式那样先沿行走：[0, 1, 10, 11, 100, 101, 110, 111]。',
      },
      hint: {
        en: 'Inside one channel of a patch, which index should move fastest: the column (the ones digit in the lesson) or the row (the tens)?',
        'zh-CN': '在图像块的一个通道内，哪个下标应该变化最快：列（课程例子中的个位）还是行（十位）？',
      },
      wrong: (_ctx, image, patch) => patchesInOrder(image, patch, { grid: 'rows', within: 'cwh' }),
    },
  ],
  hints: [
    {
      en: 'The output has (H/p)·(W/p) rows of C·p·p values. Work out patch 0 of the lesson by hand first: channel 0\'s 2×2 block, then channel 1\'s.',
      'zh-CN': '输出有 (H/p)·(W/p) 行，每行 C·p·p 个值。先手算课程例子的图像块 0：先是通道 0 的 2×2 块，然后是通道 1 的。',
    },
    {
      en: 'Loop over the grid row by row (gy, then gx); for each patch loop channel, then row r, then column q, and read image[c][gy·p + r][gx·p + q].',
      'zh-CN': '按行遍历网格（先 gy，再 gx）；对每个图像块依次循环通道、行 r、列 q，读取 image[c][gy·p + r][gx·p + q]。',
    },
    {
      en: 'The key idea: a row is exactly what a Conv2d of kernel p and stride p multiplies by its weight [D, C, p, p], flattened in that weight\'s order: channel, then row, then column.',
      'zh-CN': '关键：每一行正是核大小为 p、步长为 p 的 Conv2d 要乘以其权重 [D, C, p, p] 的那块数据，按该权重的顺序展平：先通道，再行，最后列。',
    },
  ],
});
