import { defineExercise, randomMatrix, randomVector, type Rng, type Tf } from 'llm-tutor/pack';
import { close, isMatrix, show, showList, wrongKind } from '../../../transformer-core/properties.js';
import { patchesInOrder, patchesTf, randomImage, rightOrder } from '../vision-math.js';

type Params = { patch: number; w: number[][]; b: number[]; cls: number[]; pos: number[][] };
type Args = [image: number[][][], p: Params];

/** The lesson's example: one channel of 4×4, patch 2, D = 2. */
export const lessonImage = [
  [
    [1, 0, 2, 1],
    [0, 1, 0, 0],
    [1, 1, 0, 2],
    [0, 2, 1, 0],
  ],
];
export const lessonParams: Params = {
  patch: 2,
  w: [
    [1, 0],
    [0, 1],
    [0.5, 0.5],
    [-1, 1],
  ],
  b: [1, -1],
  cls: [0.5, 0.5],
  pos: [
    [1, 1],
    [0, 1],
    [1, 0],
    [0, -1],
    [-1, 0],
  ],
};

/** Parameters for the lesson's image where w is square (C·p·p = D = 4), so that w and wᵀ both fit. */
export const squareParams: Params = {
  patch: 2,
  w: [
    [1, 0, 0, 0],
    [1, 1, 0, 0],
    [0, 0, 1, 0],
    [0, 0, 1, 1],
  ],
  b: [0, 0, 0, 1],
  cls: [1, 1, 1, 1],
  pos: Array.from({ length: 5 }, () => [0, 0, 0, 0]),
};

/** ViT's embedding in tfjs, step by step: the patches, their projection patches·w + b, the CLS row put first, then the positions added. */
function embedSteps(tf: Tf, image: number[][][], p: Params) {
  const patches = patchesTf(tf, image, p.patch);
  const projected = tf.add(tf.matMul(patches, tf.tensor2d(p.w)), tf.tensor1d(p.b));
  const withCls = tf.concat([tf.tensor2d([p.cls]), projected], 0);
  return { steps: { patches, 'patches·w + b': projected, 'CLS first': withCls }, output: tf.add(withCls, tf.tensor2d(p.pos)) };
}

/** patches·w + b, in float64, with the bias optional (the misconceptions' arithmetic); `transposed` reads w[d][k] for w[k][d]. */
function project(image: number[][][], p: Params, bias = true, transposed = false): number[][] {
  const weight = (k: number, d: number) => (transposed ? p.w[d][k] : p.w[k][d]);
  return patchesInOrder(image, p.patch, rightOrder).map((x) => p.b.map((_, d) => x.reduce((acc, v, k) => acc + v * weight(k, d), bias ? p.b[d] : 0)));
}

const plus = (a: number[][], b: number[][]) => a.map((row, i) => row.map((x, d) => x + b[i][d]));

/** Random parameters for an image of C channels cut into N patches of p×p, embedded in D dimensions. */
function randomParams(rng: Rng, c: number, n: number, patch: number, d: number): Params {
  return { patch, w: randomMatrix(rng, c * patch * patch, d, 0.5), b: randomVector(rng, d, 0.5), cls: randomVector(rng, d), pos: randomMatrix(rng, n + 1, d, 0.5) };
}

/** A random case: C channels of H×W, patch p, D dimensions. */
function randomCase(rng: Rng, c: number, h: number, w: number, patch: number, d: number): Args {
  return [randomImage(rng, c, h, w), randomParams(rng, c, (h / patch) * (w / patch), patch, d)];
}

export default defineExercise<Args, number[][]>({
  entry: 'vitEmbed',
  signature: 'vitEmbed(image: number[][][], p: { patch: number; w: Matrix; b: Vector; cls: Vector; pos: Matrix }): Matrix',
  inputsReadOnly: true,
  cases: (rng) => [
    // PyTorch 1.13, float64: conv = nn.Conv2d(1, 2, 2, stride=2), weight w.T.reshape(2, 1, 2, 2), bias b;
    // torch.cat([cls[None], conv(image[None]).flatten(2).transpose(1, 2)[0]]) + pos
    {
      name: 'the lesson example: 1 channel of 4×4, patch 2, D = 2',
      args: [lessonImage, lessonParams],
      expected: [
        [1.5, 1.5],
        [1, 1],
        [4, 0],
        [0, 1],
        [0.5, 1.5],
      ],
    },
    // PyTorch 1.13, float64, as above with nn.Conv2d(2, 3, 2, stride=2) and w[k][d] = ((3k + d) mod 7 − 3)/4.
    {
      name: 'fixed: 2 channels of 2×4, patch 2, D = 3',
      args: [
        [
          [
            [0.5, -1, 2, 0],
            [1, 0.25, -0.5, 1.5],
          ],
          [
            [-1, 0, 0.75, 2],
            [0.5, -2, 1, -0.25],
          ],
        ],
        {
          patch: 2,
          w: Array.from({ length: 8 }, (_, k) => Array.from({ length: 3 }, (_, d) => (((3 * k + d) % 7) - 3) / 4)),
          b: [0.1, -0.2, 0.3],
          cls: [0.5, -0.5, 0.25],
          pos: [
            [0.1, 0.2, 0.3],
            [-0.1, 0, 0.1],
            [0.2, -0.2, 0],
          ],
        },
      ],
      expected: [
        [0.6, -0.3, 0.55],
        [1.4375, -0.95, 0.9625],
        [-2.1375, -0.3375, 0.675],
      ],
    },
    // PyTorch 1.13, float64, as above with nn.Conv2d(1, 4, 2, stride=2).
    {
      name: "the lesson's image with D = 4 = C·p·p: a square w, pos all 0",
      args: [lessonImage, squareParams],
      expected: [
        [1, 1, 1, 1],
        [1, 0, 1, 2],
        [3, 1, 0, 1],
        [2, 1, 2, 3],
        [2, 2, 1, 1],
      ],
    },
    { name: 'random RGB: 3 channels of 4×6, patch 2, D = 4', args: randomCase(rng, 3, 4, 6, 2, 4) },
    { name: 'random: 2 channels of 6×3, patch 3, D = 5 (one column of patches)', args: randomCase(rng, 2, 6, 3, 3, 5) },
    { name: 'random: 1 channel of 4×8, patch 2, D = 6', args: randomCase(rng, 1, 4, 8, 2, 6) },
    { name: 'one patch, the whole image: 2 channels of 2×2, D = 3, two rows out', args: randomCase(rng, 2, 2, 2, 2, 3) },
  ],
  reference: ({ tf }, image, p) => embedSteps(tf, image, p).output,
  trace: ({ tf }, image, p) => embedSteps(tf, image, p).steps,
  properties: [
    {
      name: 'row 0 is cls + pos[0], whatever the image',
      cases: (rng) => {
        const [image, p] = randomCase(rng, 2, 4, 6, 2, 3);
        return [{ name: '2 channels of 4×6, patch 2, D = 3, and the same image negated', calls: [[image, p], [image.map((ch) => ch.map((row) => row.map((x) => -x))), p]] as Args[] }];
      },
      holds: (outputs, [[, p]]) => {
        const odd = wrongKind('vitEmbed', 'a matrix', outputs, isMatrix);
        if (odd) return odd;
        const want = p.cls.map((x, d) => x + p.pos[0][d]);
        for (const out of outputs) {
          if (out[0].length !== want.length || out[0].some((x, d) => !close(want[d], x))) {
            return `Your row 0 is ${showList(out[0])}; the CLS row is cls + pos[0] = ${showList(want)}, the same for every image. Put the CLS token first, then add the position table to every row, CLS included.`;
          }
        }
        return undefined;
      },
    },
  ],
  misconceptions: [
    {
      id: 'cls-last',
      title: { en: 'the CLS token appended after the patches', 'zh-CN': 'CLS token 被追加在图像块之后' },
      message: {
        en:
          'Your CLS token is the last row: the lesson gives [2, 1] in row 0 (patch 0 + pos[0]) instead of [1.5, 1.5] (cls + pos[0]). ViT and timm put CLS first, torch.cat([cls, x]); its output at row 0 is what the classifier head reads, and pos[0] is the CLS token\'s position.',
        'zh-CN':
          '你的 CLS token 在最后一行：课程例子的第 0 行得到 [2, 1]（图像块 0 + pos[0]），而不是 [1.5, 1.5]（cls + pos[0]）。ViT 和 timm 都把 CLS 放在最前面，即 torch.cat([cls, x])；分类头读取的是它在第 0 行的输出，pos[0] 是 CLS token 的位置。',
      },
      hint: {
        en: 'How many rows come out, and which of them does not depend on the image? That row goes first.',
        'zh-CN': '输出有多少行？其中哪一行与图像无关？那一行应该放在最前面。',
      },
      wrong: (_ctx, image, p) => plus([...project(image, p), p.cls], p.pos),
    },
    {
      id: 'pos-before-cls',
      title: { en: 'positions added to the patches before CLS is put in front, CLS without one', 'zh-CN': '先给图像块加上位置再把 CLS 放到前面，CLS 没有位置' },
      message: {
        en:
          'You add pos[0…N−1] to the patches, then put CLS in front without a position: the lesson\'s row 0 is cls = [0.5, 0.5] instead of cls + pos[0] = [1.5, 1.5], and patch 0 gets pos[0] instead of pos[1], [2, 1] instead of [1, 1]. pos has N + 1 rows: concatenate first, then add pos to every row.',
        'zh-CN':
          '你先给图像块加上 pos[0…N−1]，再把不带位置的 CLS 放到前面：课程例子的第 0 行是 cls = [0.5, 0.5]，而不是 cls + pos[0] = [1.5, 1.5]；图像块 0 拿到的是 pos[0] 而不是 pos[1]，得到 [2, 1] 而不是 [1, 1]。pos 有 N + 1 行：先拼接，再给每一行加上 pos。',
      },
      hint: { en: 'pos has one row more than there are patches. Which row does that extra one belong to?', 'zh-CN': 'pos 的行数比图像块多一行。多出来的那一行属于谁？' },
      wrong: (_ctx, image, p) => [p.cls, ...plus(project(image, p), p.pos)],
    },
    {
      id: 'bias-forgotten',
      title: { en: 'the projection\'s bias b left out', 'zh-CN': '漏掉了投影的偏置 b' },
      message: {
        en: 'Your patch rows lack b: row 1 of the lesson is [0, 2] instead of [1, 1] (patch 0·w = [0, 1], + b = [1, −1], + pos[1] = [0, 1]). The patch embedding is a Conv2d, which has a bias: patch·w + b.',
        'zh-CN': '你的图像块行没有加 b：课程例子的第 1 行是 [0, 2] 而不是 [1, 1]（图像块 0·w = [0, 1]，+ b = [1, −1]，+ pos[1] = [0, 1]）。图像块嵌入是一个 Conv2d，它带有偏置：patch·w + b。',
      },
      hint: {
        en: 'Compute patch 0 of the lesson by hand: patch·w, then what is added before the position?',
        'zh-CN': '手算课程例子的图像块 0：先算 patch·w，在加位置之前还要加上什么？',
      },
      wrong: (_ctx, image, p) => [p.cls.map((x, d) => x + p.pos[0][d]), ...plus(project(image, p, false), p.pos.slice(1))],
    },
    {
      id: 'w-transposed',
      title: { en: 'w used as its transpose, [D, C·p·p] as a Conv2d stores it', 'zh-CN': '把 w 当成它的转置来用，即 Conv2d 存储的 [D, C·p·p]' },
      message: {
        en:
          'You multiply by wᵀ, reading w[d][k] where the exercise stores w[k][d] ([C·p·p, D], input first, like every weight of the pack). The shapes fit only when C·p·p = D: on the lesson\'s image with a square w, row 1 is [1, 1, 0, 2] instead of [1, 0, 1, 2]. PyTorch\'s Conv2d stores [D, C, p, p]; here it has been reshaped and transposed for you.',
        'zh-CN':
          '你乘的是 wᵀ，读取的是 w[d][k]，而本练习存储的是 w[k][d]（[C·p·p, D]，输入维度在前，和本练习包的所有权重一样）。只有当 C·p·p = D 时形状才对得上：在课程的图像上用一个方阵 w，第 1 行得到 [1, 1, 0, 2] 而不是 [1, 0, 1, 2]。PyTorch 的 Conv2d 存储的是 [D, C, p, p]；这里已经替你 reshape 并转置好了。',
      },
      hint: {
        en: 'In the lesson w has 4 rows and 2 columns: which of the two matches the 4 values of a patch?',
        'zh-CN': '课程例子里 w 有 4 行 2 列：哪一个与图像块的 4 个值对应？',
      },
      wrong: (_ctx, image, p) => {
        if (p.w.length !== p.w[0].length) throw new Error('not applicable: w is not square, so its transpose does not fit');
        return plus([p.cls, ...project(image, p, true, true)], p.pos);
      },
    },
  ],
  hints: [
    {
      en: 'Cut the image into patches first (the patchify exercise); in the lesson there are 4 patches of 4 values, so the output has 5 rows.',
      'zh-CN': '先把图像切成图像块（patchify 练习）；课程例子里有 4 个图像块，每块 4 个值，所以输出有 5 行。',
    },
    {
      en: 'Each patch row times w (shape [C·p·p, D]) plus b gives its embedding; stack [cls, embedding 0, …, embedding N−1] and add pos row by row.',
      'zh-CN': '每个图像块行乘以 w（形状 [C·p·p, D]）再加上 b，得到它的嵌入；把 [cls, 嵌入 0, …, 嵌入 N−1] 堆起来，再逐行加上 pos。',
    },
    {
      en: 'The key idea: CLS goes first and is a token like the others, so it gets a position too: out[0] = cls + pos[0], out[i] = patch_{i−1}·w + b + pos[i].',
      'zh-CN': '关键：CLS 放在最前面，而且和其他 token 一样是一个 token，所以它也有位置：out[0] = cls + pos[0]，out[i] = patch_{i−1}·w + b + pos[i]。',
    },
  ],
});
