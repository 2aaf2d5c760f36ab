import { anyOf, defineExercise, randomMatrix, tidy, type Rng } from 'llm-tutor/pack';
import { close, show } from '../../../transformer-core/properties.js';
import { clipSteps, diagonalCrossEntropy, lessonImage, lessonLogitScale, lessonText, normaliseRows, rowDots, transposed } from '../clip-math.js';
import { mean } from '../../stable-math.js';

type Args = [image: number[][], text: number[][], logitScale: number];

/** The loss as clipSteps computes it, from logits_per_image already made. */
const symmetric = (logits: number[][]) => (mean(diagonalCrossEntropy(logits)) + mean(diagonalCrossEntropy(transposed(logits)))) / 2;

/** Cross-entropy of each row written as −log(exp(z_i) / Σ exp(z)), and as log Σ exp(z) − z_i, neither with the maximum subtracted. */
function naiveCrossEntropies(logits: number[][]): [ratio: number[], logSum: number[]] {
  const sums = logits.map((row) => row.reduce((acc, z) => acc + Math.exp(z), 0));
  return [logits.map((row, i) => -Math.log(Math.exp(row[i]) / sums[i])), logits.map((row, i) => Math.log(sums[i]) - row[i])];
}

/** The large-scale case's 4 pairs of 3-dimensional embeddings (fixed, so PyTorch's value can be pinned). */
const largeImage = [
  [0.6, -0.2, 0.5],
  [0.1, 0.9, -0.4],
  [-0.7, 0.3, 0.2],
  [0.2, 0.2, 0.9],
];
const largeText = [
  [0.5, 0.1, 0.6],
  [-0.3, 0.8, 0.1],
  [-0.6, -0.1, 0.4],
  [0.4, -0.5, 0.7],
];

const random = (rng: Rng, n: number, d: number) => randomMatrix(rng, n, d).map((row) => row.map((x) => tidy(x, 3)));

function cases(rng: Rng): { name: string; args: Args; expected?: number }[] {
  return [
    // PyTorch 1.13, float64: I = F.normalize(image, dim=-1); T = F.normalize(text, dim=-1);
    // L = exp(logit_scale) * I @ T.T; labels = arange(N);
    // (F.cross_entropy(L, labels) + F.cross_entropy(L.T, labels)) / 2.
    { name: 'the lesson example: 3 pairs in 2 dimensions, logitScale = ln 2 (scale 2)', args: [lessonImage, lessonText, lessonLogitScale], expected: 0.49195448569356914 },
    { name: 'random: 4 pairs of 8 dimensions, logitScale = ln(1/0.07) (CLIP\'s initial scale, 14.29)', args: [random(rng, 4, 8), random(rng, 4, 8), Math.log(1 / 0.07)] },
    { name: 'random: 6 pairs of 5 dimensions, logitScale = 1', args: [random(rng, 6, 5), random(rng, 6, 5), 1] },
    { name: 'random: 3 pairs of 16 dimensions, logitScale = 0 (scale 1: the logits are the cosines)', args: [random(rng, 3, 16), random(rng, 3, 16), 0] },
    // The same PyTorch code.
    { name: 'a large scale: logitScale = 10, exp = 22026.47 (a softmax without the maximum subtracted overflows)', args: [largeImage, largeText, 10], expected: 1176.9720009438192 },
    { name: 'a batch of 1: the only text is the right one, loss 0', args: [[[0.3, -1.2, 0.5]], [[2, 0.1, -0.7]], Math.log(1 / 0.07)], expected: 0 },
    {
      name: 'a zero image row: normalised to zeros by the 1e-12 floor, its cosines 0',
      args: [
        [
          [1, 2],
          [0, 0],
          [-1, 1],
        ],
        [
          [2, 1],
          [1, -1],
          [0, 3],
        ],
        Math.log(1 / 0.07),
      ],
      expected: 0.905290649476758,
    },
  ];
}

const notNumber = (outputs: unknown[]) => {
  const odd = outputs.find((o) => typeof o !== 'number');
  return odd === undefined ? undefined : `clipLoss must return a number; it returned ${JSON.stringify(odd)?.slice(0, 80)}.`;
};

export default defineExercise<Args, number>({
  entry: 'clipLoss',
  signature: 'clipLoss(image: Matrix, text: Matrix, logitScale: number): number',
  inputsReadOnly: true,
  cases,
  reference: (_ctx, image, text, logitScale) => clipSteps(image, text, logitScale).output,
  trace: (_ctx, image, text, logitScale) => clipSteps(image, text, logitScale).steps,
  properties: [
    {
      name: 'scaling an embedding by a positive number changes nothing',
      cases: (rng) => {
        const [image, text] = [random(rng, 3, 4), random(rng, 3, 4)];
        const scaled = (m: number[][], row: number, by: number) => m.map((r, i) => (i === row ? r.map((x) => x * by) : r));
        return [{ name: '3 pairs of 4 dimensions: image row 0 times 7, text row 2 times 0.2', calls: [[image, text, 1], [scaled(image, 0, 7), scaled(text, 2, 0.2), 1]] as Args[] }];
      },
      holds: (outputs) => {
        const odd = notNumber(outputs);
        if (odd) return odd;
        const [before, after] = outputs as number[];
        if (close(before, after)) return undefined;
        return `Your loss is ${show(before)}, and ${show(after)} once image row 0 is multiplied by 7 and text row 2 by 0.2. CLIP compares directions only: divide every row by its length (max(‖x‖, 1e-12)) before the dot products.`;
      },
    },
    {
      name: 'swapping the images and the texts gives the same loss',
      cases: (rng) => [{ name: '4 pairs of 3 dimensions, logitScale = 1', calls: (([image, text]) => [[image, text, 1], [text, image, 1]] as Args[])([random(rng, 4, 3), random(rng, 4, 3)]) }],
      holds: (outputs) => {
        const odd = notNumber(outputs);
        if (odd) return odd;
        const [before, after] = outputs as number[];
        if (close(before, after)) return undefined;
        return `clipLoss(image, text) is ${show(before)} and clipLoss(text, image) is ${show(after)}. The loss is symmetric: average the cross-entropy over the rows of logits_per_image (each image picks its text) and over its columns (each text picks its image).`;
      },
    },
  ],
  misconceptions: [
    {
      id: 'not-normalised',
      title: { en: 'embeddings not L2-normalised', 'zh-CN': '嵌入没有做 L2 归一化' },
      message: {
        en:
          'Your logits are exp(logitScale)·image·textᵀ on the raw embeddings: 1.339439 in the lesson instead of 0.491954. CLIP divides every row by its length first, so that I·Tᵀ holds cosines in [−1, 1] and only exp(logitScale) sets how sharp the softmax is.',
        'zh-CN':
          '你的 logits 是在原始嵌入上算的 exp(logitScale)·image·textᵀ：课程例子里得到 1.339439 而不是 0.491954。CLIP 先把每一行除以它的长度，这样 I·Tᵀ 中是 [−1, 1] 内的余弦值，softmax 的尖锐程度只由 exp(logitScale) 决定。',
      },
      hint: {
        en: 'In the lesson, image row 0 is [3, 4]. What is it after normalising, and what is its dot product with text row 0, [0, 2], then?',
        'zh-CN': '课程例子里图像第 0 行是 [3, 4]。归一化后它是什么？它与文本第 0 行 [0, 2] 的点积又是多少？',
      },
      wrong: (_ctx, image, text, logitScale) => symmetric(rowDots(image, text).map((row) => row.map((d) => Math.exp(logitScale) * d))),
    },
    {
      id: 'one-direction',
      title: { en: 'the cross-entropy in one direction only', 'zh-CN': '只算了一个方向的交叉熵' },
      message: {
        en:
          'Your loss is the cross-entropy over the rows of logits_per_image only (0.476884 in the lesson) or over its columns only (0.507025); CLIP\'s loss is their average, 0.491954: each image must pick its text among the texts, and each text its image among the images.',
        'zh-CN':
          '你的损失只是 logits_per_image 各行上的交叉熵（课程例子里为 0.476884），或只是各列上的（0.507025）；CLIP 的损失是两者的平均 0.491954：每张图像要在所有文本中挑出自己的文本，每个文本也要在所有图像中挑出自己的图像。',
      },
      hint: {
        en: 'Swap image and text in the lesson example: should the loss change? Which cross-entropy did you leave out?',
        'zh-CN': '把课程例子里的 image 和 text 交换：损失应该变吗？你漏掉了哪一个交叉熵？',
      },
      wrong: (_ctx, image, text, logitScale) => {
        const { imageLosses, textLosses } = clipSteps(image, text, logitScale).steps;
        return anyOf(mean(imageLosses), mean(textLosses));
      },
    },
    {
      id: 'exp-forgotten',
      title: { en: 'logitScale used as the multiplier, without exp', 'zh-CN': '把 logitScale 直接当作乘数，没有取 exp' },
      message: {
        en:
          'You multiply the cosines by logitScale itself (0.693147 in the lesson, which gives 0.778116) instead of exp(logitScale) = 2 (which gives 0.491954). CLIP learns the logarithm of the temperature\'s inverse, so that the scale stays positive: the multiplier is exp(logitScale), 14.29 at its initial value ln(1/0.07).',
        'zh-CN':
          '你把余弦值乘以 logitScale 本身（课程例子里是 0.693147，得到 0.778116），而不是 exp(logitScale) = 2（得到 0.491954）。CLIP 学的是温度倒数的对数，这样缩放系数始终为正：乘数是 exp(logitScale)，在初始值 ln(1/0.07) 处为 14.29。',
      },
      hint: {
        en: 'CLIP initialises logitScale to ln(1/0.07) = 2.659. By how much should the cosines then be multiplied?',
        'zh-CN': 'CLIP 把 logitScale 初始化为 ln(1/0.07) = 2.659。那么余弦值应该乘以多少？',
      },
      wrong: (_ctx, image, text, logitScale) => symmetric(rowDots(normaliseRows(image), normaliseRows(text)).map((row) => row.map((c) => logitScale * c))),
    },
    {
      id: 'softmax-whole-matrix',
      title: { en: 'one softmax over the whole N×N matrix', 'zh-CN': '在整个 N×N 矩阵上做了一次 softmax' },
      message: {
        en:
          'You take one softmax over all N² logits and average −log p of the diagonal: 1.620484 in the lesson instead of 0.491954. The loss is two cross-entropies: a softmax along each row (image i against every text) and one along each column (text j against every image).',
        'zh-CN':
          '你在全部 N² 个 logits 上做一次 softmax，再对对角线上的 −log p 取平均：课程例子里得到 1.620484 而不是 0.491954。损失是两个交叉熵：沿每一行做 softmax（图像 i 与每个文本比较），沿每一列再做一次（文本 j 与每张图像比较）。',
      },
      hint: { en: 'With 3 pairs, over how many logits does each softmax run: 3 or 9?', 'zh-CN': '有 3 个配对时，每次 softmax 覆盖多少个 logits：3 个还是 9 个？' },
      wrong: (_ctx, image, text, logitScale) => {
        const flat = clipSteps(image, text, logitScale).steps.logitsPerImage.flat();
        const n = image.length;
        const max = Math.max(...flat);
        const logSum = max + Math.log(flat.reduce((acc, z) => acc + Math.exp(z - max), 0));
        return mean(Array.from({ length: n }, (_, i) => logSum - flat[i * n + i]));
      },
    },
    {
      id: 'naive-softmax',
      title: { en: 'cross-entropy without the maximum subtracted (overflows at large scales)', 'zh-CN': '计算交叉熵时没有减去最大值（缩放系数大时上溢）' },
      message: {
        en:
          'Your cross-entropy exponentiates the logits as they are. At logitScale = 10 the logits reach ±22026 and exp(22026) is Infinity, so the loss comes out NaN or Infinity instead of 1176.972. Compute log Σ exp(z) as max + log Σ exp(z − max).',
        'zh-CN':
          '你的交叉熵直接对 logits 取指数。logitScale = 10 时 logits 达到 ±22026，exp(22026) 为 Infinity，所以损失变成 NaN 或 Infinity，而不是 1176.972。把 log Σ exp(z) 按 max + log Σ exp(z − max) 计算。',
      },
      hint: {
        en: 'What is Math.exp(1000) in JavaScript? Subtracting the same number from every logit of a row leaves its softmax unchanged.',
        'zh-CN': '在 JavaScript 里 Math.exp(1000) 是多少？一行中每个 logit 都减去同一个数，它的 softmax 不变。',
      },
      wrong: (_ctx, image, text, logitScale) => {
        const logits = clipSteps(image, text, logitScale).steps.logitsPerImage;
        const [ratioRows, logSumRows] = naiveCrossEntropies(logits);
        const [ratioCols, logSumCols] = naiveCrossEntropies(transposed(logits));
        return anyOf((mean(ratioRows) + mean(ratioCols)) / 2, (mean(logSumRows) + mean(logSumCols)) / 2);
      },
    },
    {
      id: 'zero-norm-nan',
      title: { en: 'x / ‖x‖ without the 1e-12 floor (a zero row becomes NaN)', 'zh-CN': 'x / ‖x‖ 没有 1e-12 的下限（全零行变成 NaN）' },
      message: {
        en:
          'You divide each row by its length as it is, so a zero row gives 0/0 = NaN and the whole loss is NaN (0.905291 on the case with a zero image row). F.normalize divides by max(‖x‖, 1e-12): a zero row stays zero and its cosines are 0.',
        'zh-CN':
          '你把每一行直接除以它的长度，所以全零行给出 0/0 = NaN，整个损失都是 NaN（含一行全零图像的用例应为 0.905291）。F.normalize 除以的是 max(‖x‖, 1e-12)：全零行保持为零，其余弦值为 0。',
      },
      hint: { en: 'What is [0, 0] divided by its length? What does F.normalize do about it?', 'zh-CN': '[0, 0] 除以它的长度得到什么？F.normalize 是怎么处理这种情况的？' },
      wrong: (_ctx, image, text, logitScale) => {
        const unit = (m: number[][]) => m.map((row) => row.map((v) => v / Math.sqrt(row.reduce((acc, x) => acc + x * x, 0))));
        return symmetric(rowDots(unit(image), unit(text)).map((row) => row.map((c) => Math.exp(logitScale) * c)));
      },
    },
  ],
  hints: [
    {
      en: 'Work the lesson example in four steps: normalise every row of image and text, take all the dot products (an N×N matrix of cosines), multiply by exp(logitScale), then the cross-entropies.',
      'zh-CN': '分四步手算课程里的例子：把 image 和 text 的每一行归一化，求出所有点积（一个 N×N 的余弦矩阵），乘以 exp(logitScale)，最后算交叉熵。',
    },
    {
      en: 'Pair i is the right answer for row i and for column i: the label of image i is text i, and of text j is image j. Average each direction\'s cross-entropies over the N pairs, then average the two.',
      'zh-CN': '第 i 对既是第 i 行的正确答案，也是第 i 列的正确答案：图像 i 的标签是文本 i，文本 j 的标签是图像 j。每个方向的交叉熵在 N 个配对上取平均，再对两个方向取平均。',
    },
    {
      en: 'The key idea: loss = (CE over the rows of logits + CE over its columns)/2 with logits = exp(logitScale)·cos; compute each cross-entropy as max + log Σ exp(z − max) − z_i, so that scales of 22026 stay finite.',
      'zh-CN': '关键：loss = (logits 各行上的 CE + 各列上的 CE)/2，其中 logits = exp(logitScale)·cos；每个交叉熵按 max + log Σ exp(z − max) − z_i 计算，这样 22026 这样的缩放系数也保持有限。',
    },
  ],
});
