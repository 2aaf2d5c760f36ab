import { defineExercise, randomMatrix, type ReferenceContext, type Rng, type Tf } from 'llm-tutor/pack';
import { largeScoreQ, largeScoreV, lessonExample, mix, randomQKV, scores, shapeLabel, softmaxRow } from '../attention-math.js';
import { matricesAgree, shuffled } from '../../properties.js';

type Args = [q: number[][], k: number[][], v: number[][]];

function attentionWithScale(q: number[][], k: number[][], v: number[][], scale: number): number[][] {
  return mix(scores(q, k, scale).map((row) => softmaxRow(row)), v);
}

/** The 1/√d moved after the softmax: softmax(q·kᵀ)·v / √d (scaling the weights or the output gives the same numbers). */
function scaledAfterSoftmax(q: number[][], k: number[][], v: number[][]): number[][] {
  const scale = 1 / Math.sqrt(q[0].length);
  return attentionWithScale(q, k, v, 1).map((row) => row.map((x) => x * scale));
}

/** One softmax over all n·m scores at once, so the weights of the whole matrix add up to 1 instead of each row. */
function softmaxOverWholeMatrix(q: number[][], k: number[][], v: number[][]): number[][] {
  const s = scores(q, k, 1 / Math.sqrt(q[0].length));
  const m = k.length;
  const flat = softmaxRow(s.flat());
  return mix(
    q.map((_, i) => flat.slice(i * m, (i + 1) * m)),
    v,
  );
}

/**
 * Scores near ±1000 after scaling (d = 4, so √d = 2). Every number is exact in
 * float32, so the reference is exact too: row 0 scores [1000, 1001, 999],
 * row 1 scores [−1000, −1001, −999]. exp(1000) is Infinity and exp(−1000) is 0.
 */
const largeK = [
  [15.625, 15.625, 15.625, 15.625],
  [15.625, 15.625, 15.625, 15.6875],
  [15.5625, 15.625, 15.625, 15.625],
];

/** Attention in tfjs, step by step: the scores q·kᵀ/√d and their softmax along each row (the steps a trace shows), and the output. */
function attentionSteps(tf: Tf, q: number[][], k: number[][], v: number[][]) {
  const scores = tf.div(tf.matMul(tf.tensor2d(q), tf.tensor2d(k), false, true), Math.sqrt(q[0].length));
  // tf.softmax works along the last axis: over the keys, for each query.
  const weights = tf.softmax(scores);
  return { steps: { scores, weights }, output: tf.matMul(weights, tf.tensor2d(v)) };
}

/** Attention on q, k, v and on the same pairs (k_j, v_j) listed in a shuffled order. */
function permutedKeys(rng: Rng, n: number, m: number, d: number, dv: number) {
  const [q, k, v] = randomQKV(rng, n, m, d, dv);
  const order = shuffled(rng, m);
  return { name: `${shapeLabel(n, m, d, dv)}, keys in the order [${order.join(', ')}]`, calls: [[q, k, v], [q, order.map((j) => k[j]), order.map((j) => v[j])]] as Args[] };
}

export default defineExercise<Args, number[][]>({
  entry: 'attention',
  signature: 'attention(q: Matrix, k: Matrix, v: Matrix): Matrix',
  cases: (rng) => {
    const random = (n: number, m: number, d: number, dv: number): Args => randomQKV(rng, n, m, d, dv);
    const shape = shapeLabel;
    const cases: { name: string; args: Args }[] = [{ name: 'the lesson example (n=2, m=3, d=4, dv=2)', args: lessonExample }];

    cases.push({ name: `random, n = m (${shape(4, 4, 8, 8)})`, args: random(4, 4, 8, 8) });
    {
      const [n, m, d] = [rng.int(2, 4), rng.int(5, 9), rng.int(3, 8)];
      const dv = d + rng.int(1, 4);
      cases.push({ name: `random, fewer queries than keys (${shape(n, m, d, dv)})`, args: random(n, m, d, dv) });
    }
    {
      const [n, m, d, dv] = [rng.int(5, 8), rng.int(2, 4), rng.int(2, 5), rng.int(6, 9)];
      cases.push({ name: `random, more queries than keys (${shape(n, m, d, dv)})`, args: random(n, m, d, dv) });
    }
    cases.push({ name: `random, a wide head (${shape(3, 5, 64, 16)})`, args: random(3, 5, 64, 16) });
    cases.push({ name: 'one query, one key (the output is v)', args: random(1, 1, 3, 2) });
    cases.push({ name: `one query, several keys (${shape(1, 6, 8, 3)})`, args: random(1, 6, 8, 3) });
    {
      // Every key is the same vector: every weight is 1/m whatever the scale, so the output is the mean of v.
      const key = randomMatrix(rng, 1, 4)[0];
      const q = randomMatrix(rng, 3, 4);
      const k = Array.from({ length: 5 }, () => [...key]);
      const v = randomMatrix(rng, 5, 2);
      cases.push({ name: 'all keys equal (uniform weights: the mean of v)', args: [q, k, v] });
    }
    cases.push({ name: 'large scores (±1000 after scaling; no overflow allowed)', args: [largeScoreQ, largeK, largeScoreV] });
    return cases;
  },
  reference: ({ tf }: ReferenceContext, q, k, v) => attentionSteps(tf, q, k, v).output,
  trace: ({ tf }: ReferenceContext, q, k, v) => attentionSteps(tf, q, k, v).steps,
  properties: [
    {
      name: 'permuting keys and values together leaves the output unchanged',
      cases: (rng) => [permutedKeys(rng, 2, 4, 3, 2), permutedKeys(rng, 3, 6, 4, 3)],
      holds: matricesAgree<Args>(
        'attention',
        (outputs) => [outputs[0], outputs[1]],
        (difference) =>
          `attention(q, k, v) and attention(q, k′, v′), with k′ and v′ the same rows of k and v in the shuffled order of the case, differ: ${difference}. ` +
          'Each key\'s weight depends only on q·k_j and goes with its own value v_j, so the order in which the key-value pairs are listed must not matter.',
      ),
    },
  ],
  misconceptions: [
    {
      id: 'no-scaling',
      title: { en: 'scores not divided by √d', 'zh-CN': '分数没有除以 √d' },
      message: {
        en:
          'Your output is softmax(q·kᵀ)·v, without the 1/√d. The dot product of two d-dimensional vectors with independent entries of mean 0 and variance 1 has variance d, ' +
          'so unscaled scores grow with the head size and the softmax becomes nearly one-hot. Divide every score by Math.sqrt(d), where d = q[0].length.',
        'zh-CN':
          '你的输出是 softmax(q·kᵀ)·v，没有 1/√d。两个 d 维向量的各元素相互独立、均值为 0、方差为 1 时，它们的点积方差为 d，' +
          '所以不缩放的分数会随头的大小增长，softmax 变得几乎是 one-hot。把每个分数除以 Math.sqrt(d)，其中 d = q[0].length。',
      },
      hint: {
        en: 'Look at the formula in the lesson again: the scores are divided by something before the softmax. Which width does it come from?',
        'zh-CN': '再看一遍课程中的公式：在 softmax 之前，分数要先除以某个量。这个量来自哪个宽度？',
      },
      wrong: (_ctx, q, k, v) => attentionWithScale(q, k, v, 1),
    },
    {
      id: 'scale-by-d',
      title: { en: 'scores divided by d instead of √d', 'zh-CN': '分数除以了 d，而不是 √d' },
      message: {
        en:
          'Your output is softmax(q·kᵀ/d)·v. The scale is 1/√d: it brings the variance of a dot product (which is d) back to 1. ' +
          'Dividing by d shrinks the scores too much and flattens the weights. Use Math.sqrt(d).',
        'zh-CN':
          '你的输出是 softmax(q·kᵀ/d)·v。缩放因子是 1/√d：它把点积的方差（为 d）拉回到 1。' +
          '除以 d 会把分数缩得过小，使权重过于平缓。应当用 Math.sqrt(d)。',
      },
      hint: {
        en: 'The scale undoes the growth of a dot product of d entries, whose spread grows like √d, not like d. Check your divisor.',
        'zh-CN': '缩放是为了抵消 d 个元素的点积的增长，而它的离散程度按 √d 增长，而不是按 d。检查你的除数。',
      },
      wrong: (_ctx, q, k, v) => attentionWithScale(q, k, v, 1 / q[0].length),
    },
    {
      id: 'scale-by-value-width',
      title: { en: 'the scale uses the width of v (dv) instead of d', 'zh-CN': '缩放因子用了 v 的宽度（dv），而不是 d' },
      message: {
        en:
          'Your output is softmax(q·kᵀ/√dv)·v, with dv = v[0].length. The scale belongs to the dot products of queries with keys, ' +
          'so it uses their width d = q[0].length (= k[0].length); v may be wider or narrower.',
        'zh-CN':
          '你的输出是 softmax(q·kᵀ/√dv)·v，其中 dv = v[0].length。缩放因子属于查询与键的点积，' +
          '所以用的是它们的宽度 d = q[0].length（= k[0].length）；v 可以更宽，也可以更窄。',
      },
      hint: {
        en: 'The division belongs to the query-key dot products: which vectors\' width did you read? A case with v wider than q tells them apart.',
        'zh-CN': '这个除法属于查询-键点积：你读的是哪些向量的宽度？v 比 q 宽的用例能把两者区分开。',
      },
      wrong: (_ctx, q, k, v) => attentionWithScale(q, k, v, 1 / Math.sqrt(v[0].length)),
    },
    {
      id: 'softmax-over-queries',
      title: { en: 'softmax over the wrong axis (the queries instead of the keys)', 'zh-CN': 'softmax 的轴错了（在查询上而不是在键上）' },
      message: {
        en:
          'Your weights are normalised down each column of the score matrix (over the queries, for a fixed key). ' +
          'Each query needs its own distribution over the keys: apply the softmax along each row, scores[i][0..m−1], so that row i of the weights adds up to 1.',
        'zh-CN':
          '你的权重是沿分数矩阵的每一列归一化的（对固定的键，在各查询上归一化）。' +
          '每个查询都需要自己在各键上的分布：沿每一行 scores[i][0..m−1] 做 softmax，使权重的第 i 行之和为 1。',
      },
      hint: {
        en: 'Add up the weights of one query over all the keys: each query\'s weights should sum to 1. Check which index your softmax runs over.',
        'zh-CN': '把一个查询在所有键上的权重加起来：每个查询的权重之和应为 1。检查你的 softmax 是在哪个下标上进行的。',
      },
      wrong: (_ctx, q, k, v) => {
        const s = scores(q, k, 1 / Math.sqrt(q[0].length));
        const columns = k.map((_, j) => softmaxRow(s.map((row) => row[j])));
        return mix(
          q.map((_, i) => k.map((_, j) => columns[j][i])),
          v,
        );
      },
    },
    {
      id: 'no-max-subtraction',
      title: { en: 'softmax without subtracting the max', 'zh-CN': 'softmax 没有减去最大值' },
      message: {
        en:
          'With scores near 1000, Math.exp overflows to Infinity (and near −1000 it underflows to 0), so the weights become Infinity/Infinity or 0/0 = NaN. ' +
          'Subtract the largest score of the row before exponentiating: the weights do not change, and the largest exponential is exp(0) = 1.',
        'zh-CN':
          '分数接近 1000 时，Math.exp 上溢为 Infinity（接近 −1000 时下溢为 0），于是权重变成 Infinity/Infinity 或 0/0 = NaN。' +
          '在取指数之前先减去该行的最大分数：权重不变，而最大的指数项是 exp(0) = 1。',
      },
      hint: {
        en: 'Try your softmax on scores around 1000: Math.exp overflows. Shift each row\'s scores by the same constant before exponentiating, as in foundations/softmax.',
        'zh-CN': '用 1000 左右的分数试试你的 softmax：Math.exp 会上溢。在取指数之前，把每一行的分数都减去同一个常数，和 foundations/softmax 中一样。',
      },
      wrong: (_ctx, q, k, v) => mix(scores(q, k, 1 / Math.sqrt(q[0].length)).map((row) => softmaxRow(row, true)), v),
    },
    {
      id: 'scale-after-softmax',
      title: { en: 'the 1/√d applied after the softmax', 'zh-CN': '1/√d 放在了 softmax 之后' },
      message: {
        en:
          'Your output is softmax(q·kᵀ)·v / √d: the scale divides the weights (or the output) instead of the scores. Each query\'s weights then add up to 1/√d (0.5 in the lesson example, ' +
          'whose row 1 comes out [0.492062, 0.441345] instead of [0.909969, 0.755272]), and the softmax still sees the unscaled scores. Divide the scores by √d, then take the softmax.',
        'zh-CN':
          '你的输出是 softmax(q·kᵀ)·v / √d：缩放除的是权重（或输出），而不是分数。于是每个查询的权重之和为 1/√d（在课程示例中为 0.5，' +
          '其第 1 行得到 [0.492062, 0.441345]，而不是 [0.909969, 0.755272]），而且 softmax 看到的仍是未缩放的分数。应当先把分数除以 √d，再做 softmax。',
      },
      hint: {
        en: 'Add up one query\'s weights: they should sum to 1. The scale keeps the scores a sensible size, so it has to act before the softmax turns them into weights.',
        'zh-CN': '把一个查询的权重加起来：和应为 1。缩放是为了让分数保持合理的大小，所以必须在 softmax 把分数变成权重之前起作用。',
      },
      wrong: (_ctx, q, k, v) => scaledAfterSoftmax(q, k, v),
    },
    {
      id: 'softmax-over-whole-matrix',
      title: { en: 'one softmax over the whole score matrix instead of one per query', 'zh-CN': '对整个分数矩阵只做了一次 softmax，而不是每个查询一次' },
      message: {
        en:
          'Your weights are normalised over all n·m scores together, so they add up to 1 over the whole matrix and each query gets only a share (0.389459 and 0.610541 in the lesson example). ' +
          'Every query needs its own distribution over the keys: a softmax of each row scores[i][0..m−1], so that every row of the weights adds up to 1.',
        'zh-CN':
          '你的权重是在全部 n·m 个分数上一起归一化的，所以它们在整个矩阵上的和为 1，每个查询只分到一部分（在课程示例中为 0.389459 和 0.610541）。' +
          '每个查询都需要自己在各键上的分布：对每一行 scores[i][0..m−1] 做 softmax，使权重的每一行之和都为 1。',
      },
      hint: {
        en: 'Add up the weights of query 0 alone: a query\'s weights over the keys should sum to 1. How many softmaxes does a score matrix with n rows need?',
        'zh-CN': '只把查询 0 的权重加起来：一个查询在各键上的权重之和应为 1。一个有 n 行的分数矩阵需要做几次 softmax？',
      },
      wrong: (_ctx, q, k, v) => softmaxOverWholeMatrix(q, k, v),
    },
  ],
  hints: [
    {
      en: 'Work one query at a time: row i of the output only needs q[i], all of k and all of v. What shape does each intermediate have?',
      'zh-CN': '一次处理一个查询：输出的第 i 行只需要 q[i]、整个 k 和整个 v。每个中间结果的形状是什么？',
    },
    {
      en: 'For query i: score each key j with (q[i]·k[j]) / √d, softmax those m scores, then add up the rows of v weighted by the m probabilities.',
      'zh-CN': '对查询 i：用 (q[i]·k[j]) / √d 给每个键 j 打分，对这 m 个分数做 softmax，再用这 m 个概率对 v 的各行加权求和。',
    },
    {
      en: 'd is the width of q and k (q[0].length), not of v. The softmax runs over j (the keys) for a fixed i, and subtracts the row max first: scores near ±1000 are in the cases.',
      'zh-CN': 'd 是 q 和 k 的宽度（q[0].length），不是 v 的。softmax 在固定 i 时沿 j（键）进行，并且先减去该行的最大值：用例中有接近 ±1000 的分数。',
    },
  ],
});
