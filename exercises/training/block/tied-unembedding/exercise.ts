import { anyOf, defineExercise, matmul, randomMatrix, transpose, type ReferenceContext, type Rng } from 'llm-tutor/pack';
import { matricesAgree } from '../../../transformer-core/properties.js';

type Args = [h: number[][], wte: number[][]];

/** The lesson example: T = 2 hidden states of width C = 2, a vocabulary of V = 3. */
export const lessonUnembedding: Args = [
  [
    [2, 1],
    [0, -1],
  ],
  [
    [1, 0],
    [0, 1],
    [1, 1],
  ],
];

/** Softmax of each row (stable). */
const softmaxRows = (m: number[][]) =>
  m.map((row) => {
    const exps = row.map((v) => Math.exp(v - Math.max(...row)));
    const sum = exps.reduce((a, b) => a + b, 0);
    return exps.map((e) => e / sum);
  });

/** h·wteᵀ in float64: logits[t][v] = h[t]·wte[v]. */
const logits64 = (h: number[][], wte: number[][]) => matmul(h, transpose(wte));

/** Random hidden states [T, C] (after the final LayerNorm: entries near unit size) and wte [V, C]. */
function randomHeads(rng: Rng, T: number, C: number, V: number): Args {
  return [randomMatrix(rng, T, C), randomMatrix(rng, V, C, 0.5)];
}

/** The calls of the linearity property: h, then 2·h, with one wte. */
function doubledCalls(rng: Rng, T: number, C: number, V: number): { name: string; calls: Args[] } {
  const [h, wte] = randomHeads(rng, T, C, V);
  return { name: `T = ${T}, C = ${C}, V = ${V}`, calls: [[h, wte], [h.map((row) => row.map((v) => 2 * v)), wte]] };
}

export default defineExercise<Args, number[][]>({
  entry: 'unembed',
  signature: 'unembed(h: Matrix, wte: Matrix): Matrix',
  cases: (rng) => [
    { name: 'the lesson example (T = 2, C = 2, V = 3)', args: lessonUnembedding },
    { name: 'random, T = 4, C = 4, V = 10', args: randomHeads(rng, 4, 4, 10) },
    { name: 'random, T = 6, C = 8, V = 16', args: randomHeads(rng, 6, 8, 16) },
    { name: 'one position (T = 1, C = 3, V = 7)', args: randomHeads(rng, 1, 3, 7) },
    { name: 'V = C = 4 (a square wte: h·wte fits too, without its transpose)', args: randomHeads(rng, 3, 4, 4) },
  ],
  reference: ({ tf }: ReferenceContext, h, wte) => tf.matMul(tf.tensor2d(h), tf.tensor2d(wte), false, true),
  properties: [
    {
      name: 'the logits are linear in h: doubling h doubles them',
      cases: (rng) => [doubledCalls(rng, 2, 3, 5), doubledCalls(rng, 3, 4, 6)],
      holds: matricesAgree<Args>(
        'unembed',
        ([once, twice]) => [once.map((row) => row.map((v) => 2 * v)), twice],
        (difference) =>
          `2·unembed(h, wte) and unembed(2·h, wte) differ (the first, then the second): ${difference}. ` +
          'Logits are dot products h[t]·wte[v], linear in h; a softmax or any other function on top breaks it.',
      ),
    },
  ],
  misconceptions: [
    {
      id: 'softmax-applied',
      title: { en: 'a softmax applied (probabilities, not logits)', 'zh-CN': '多做了 softmax（得到的是概率，不是 logits）' },
      message: {
        en:
          'Your rows add up to 1: you returned probabilities. The output layer returns logits, h·wteᵀ, unnormalised scores of any sign; the loss (or sampling) applies the softmax itself, in log-sum-exp form. ' +
          'In the lesson example row 0 should be [2, 1, 3] and yours is [0.245, 0.090, 0.665].',
        'zh-CN':
          '你的每一行之和都是 1：你返回的是概率。输出层返回的是 logits，即 h·wteᵀ，是可正可负、未归一化的分数；softmax 由损失函数（或采样）自己以 log-sum-exp 的形式来做。' +
          '在课程的例子中，第 0 行应为 [2, 1, 3]，而你的是 [0.245, 0.090, 0.665]。',
      },
      hint: {
        en: 'Do the lesson\'s logits [2, 1, 3] add up to 1? What does cross-entropy do with its input first?',
        'zh-CN': '课程中的 logits [2, 1, 3] 之和是 1 吗？交叉熵拿到输入后首先做什么？',
      },
      wrong: (_ctx, h, wte) => {
        const probs = softmaxRows(logits64(h, wte));
        return anyOf(probs, probs.map((row) => row.map(Math.log)));
      },
    },
    {
      id: 'not-transposed',
      title: { en: 'h·wte instead of h·wteᵀ', 'zh-CN': '算成了 h·wte，而不是 h·wteᵀ' },
      message: {
        en: 'Your logits are h·wte, which only fits when V = C (a square wte) and then gives wrong numbers. wte is [V, C]: logit v is the dot product of h[t] with ROW v of wte, so logits = h·wteᵀ, [T, V].',
        'zh-CN': '你的 logits 是 h·wte，它只在 V = C（wte 为方阵）时形状才对得上，而即便如此，算出的数也是错的。wte 是 [V, C]：logit v 是 h[t] 与 wte 的第 v 行的点积，所以 logits = h·wteᵀ，形状为 [T, V]。',
      },
      hint: {
        en: 'wte is [V, C] and h is [T, C]. Which product of the two has shape [T, V], and which of wte\'s indices runs over the features?',
        'zh-CN': 'wte 是 [V, C]，h 是 [T, C]。两者的哪种乘积形状为 [T, V]？wte 的哪个下标遍历的是特征？',
      },
      wrong: (_ctx, h, wte) => {
        if (wte.length !== h[0].length) throw new Error('not applicable: h·wte does not fit unless V = C');
        return matmul(h, wte);
      },
    },
    {
      id: 'scaled-by-sqrt-c',
      title: { en: 'the logits scaled by 1/√C (T5\'s tied head)', 'zh-CN': 'logits 乘了 1/√C（T5 的共享权重输出头）' },
      message: {
        en:
          'Your logits are h·wteᵀ divided by √C. T5 rescales its tied output by d_model^−0.5, but GPT-2 does not: its lm_head is h·wteᵀ as it is. ' +
          'In the lesson example (C = 2) row 0 should be [2, 1, 3] and yours is [1.414, 0.707, 2.121].',
        'zh-CN':
          '你的 logits 是 h·wteᵀ 除以 √C。T5 会把共享权重的输出乘以 d_model^−0.5，但 GPT-2 不会：它的 lm_head 就是原样的 h·wteᵀ。' +
          '在课程的例子中（C = 2），第 0 行应为 [2, 1, 3]，而你的是 [1.414, 0.707, 2.121]。',
      },
      hint: {
        en: 'The lesson\'s row 0 is [2, 1, 3]: is there any factor in front of h·wteᵀ in GPT-2\'s lm_head?',
        'zh-CN': '课程中的第 0 行是 [2, 1, 3]：GPT-2 的 lm_head 中，h·wteᵀ 前面有任何系数吗？',
      },
      wrong: (_ctx, h, wte) => logits64(h, wte).map((row) => row.map((v) => v / Math.sqrt(h[0].length))),
    },
  ],
  hints: [
    {
      en: 'Each logit is a score of one token of the vocabulary for one position: a dot product of two vectors of width C.',
      'zh-CN': '每个 logit 是某个位置上词表中某一个 token 的分数：即两个宽度为 C 的向量的点积。',
    },
    {
      en: 'logits[t][v] = h[t] · wte[v]: row t of h with ROW v of wte (the same row the token\'s embedding came from).',
      'zh-CN': 'logits[t][v] = h[t] · wte[v]：h 的第 t 行与 wte 的第 v 行（正是该 token 嵌入所取的那一行）。',
    },
    {
      en: 'The output is [T, V]: one row per position, one column per token of the vocabulary, returned as raw scores.',
      'zh-CN': '输出是 [T, V]：每个位置一行，词表中每个 token 一列，以原始分数返回。',
    },
  ],
});
