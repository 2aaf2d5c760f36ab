import { anyOf, defineExercise, randomMatrix, randomVector, type ReferenceContext, type Rng, type Tf } from 'llm-tutor/pack';
import { close, dot, isNumber, logSigmoid, logSumExp, show, sum, wrongKind } from '../objectives-math.js';

type Args = [center: number[], context: number[], negatives: number[][]];

/** The skip-gram loss in tfjs, step by step: the scores u_o·v_c and u_k·v_c, the two terms, and the loss. */
function skipGramSteps(tf: Tf, center: number[], context: number[], negatives: number[][]) {
  const v = tf.tensor1d(center);
  const positiveScore = tf.sum(tf.mul(tf.tensor1d(context), v));
  const negativeScores = negatives.length ? tf.squeeze(tf.matMul(tf.tensor2d(negatives), tf.reshape(v, [center.length, 1])), [1]) : tf.tensor1d([]);
  const positiveTerm = tf.neg(tf.logSigmoid(positiveScore));
  const negativeTerms = tf.neg(tf.logSigmoid(tf.neg(negativeScores)));
  return { steps: { positiveScore, negativeScores, positiveTerm, negativeTerms }, loss: tf.add(positiveTerm, tf.sum(negativeTerms)) };
}

/** A random word pair with K negatives, every vector of `d` entries. */
function randomPair(rng: Rng, d: number, k: number, std: number): Args {
  return [randomVector(rng, d, std), randomVector(rng, d, std), randomMatrix(rng, k, d, std)];
}

/** The lesson's example: d = 2, K = 2; scores 1.4 for the context word, −0.3 and 0.5 for the negatives. */
const lessonExample: Args = [
  [1, 0.5],
  [0.8, 1.2],
  [
    [-0.5, 0.4],
    [1, -1],
  ],
];

/** −log σ(x), naively: 1/(1 + e^−x) underflows to 0 for x below about −745, and its log is −Infinity. */
const naiveNegLogSigmoid = (x: number) => -Math.log(1 / (1 + Math.exp(-x)));

/** A wrong variant written on the scores: u_o·v_c (`positive`) and each u_k·v_c (`negative`). */
const fromScores =
  (loss: (positive: number, negative: number[]) => number | ReturnType<typeof anyOf>) =>
  (_ctx: unknown, center: number[], context: number[], negatives: number[][]) =>
    loss(dot(context, center), negatives.map((u) => dot(u, center)));

export default defineExercise<Args, number>({
  entry: 'skipGramLoss',
  signature: 'skipGramLoss(center: Vector, context: Vector, negatives: Matrix): number',
  cases: (rng) => {
    const d = rng.int(3, 8);
    return [
      // −(F.logsigmoid(context @ center) + F.logsigmoid(-(negatives @ center)).sum()) in float64
      { name: 'the lesson example (d = 2, K = 2)', args: lessonExample, expected: 1.7488496385670849 },
      { name: `random, d = ${d}, K = 3`, args: randomPair(rng, d, 3, 1) },
      { name: "random, d = 10, K = 5 (word2vec's default number of negatives)", args: randomPair(rng, 10, 5, 0.7) },
      { name: 'random, d = 16, K = 15', args: randomPair(rng, 16, 15, 0.5) },
      { name: 'a zero center vector: every σ is 1/2, loss (K + 1)·ln 2 = 4·ln 2 = 2.772589', args: [[0, 0, 0], randomVector(rng, 3, 1), randomMatrix(rng, 3, 3, 1)] },
      { name: 'no negatives (K = 0): only −log σ(u_o·v_c)', args: [randomVector(rng, 4, 1), randomVector(rng, 4, 1), []] },
      { name: 'one negative, the same vector as the context: −log σ(s) − log σ(−s) = s + 2·log(1 + e^−s)', args: [[0.5, -1, 2], [1, 0.5, 0.25], [[1, 0.5, 0.25]]] },
      {
        name: 'very wrong scores (u_o·v_c = −1000, u_k·v_c = 800): 1/(1 + e^1000) underflows to 0',
        args: [
          [10, 10],
          [-50, -50],
          [
            [40, 40],
            [-3, 1],
          ],
        ],
      },
    ];
  },
  reference: ({ tf }: ReferenceContext, center, context, negatives) => skipGramSteps(tf, center, context, negatives).loss,
  trace: ({ tf }: ReferenceContext, center, context, negatives) => skipGramSteps(tf, center, context, negatives).steps,
  properties: [
    {
      name: 'a zero center vector gives (K + 1)·ln 2',
      cases: (rng) => [2, 6].map((k) => ({ name: `d = 4, K = ${k}: (K + 1)·ln 2 = ${show((k + 1) * Math.LN2)}`, calls: [[[0, 0, 0, 0], randomVector(rng, 4, 1), randomMatrix(rng, k, 4, 1)]] as Args[] })),
      holds: (outputs, calls) => {
        const odd = wrongKind('skipGramLoss', 'a number', outputs, isNumber);
        if (odd) return odd;
        const k = calls[0][2].length;
        if (close(outputs[0], (k + 1) * Math.LN2)) return undefined;
        return (
          `With a zero center vector and ${k} negatives your loss is ${show(outputs[0])}, not ${k + 1}·ln 2 = ${show((k + 1) * Math.LN2)}. ` +
          'Every score is 0, so each of the K + 1 terms is −log σ(0) = ln 2: one for the context word and one for each negative, all added.'
        );
      },
    },
    {
      name: 'adding a negative never lowers the loss',
      cases: (rng) => [3, 5].map((d) => {
        const [center, context, negatives] = randomPair(rng, d, 3, 1);
        return { name: `d = ${d}, K = 3, then a 4th negative`, calls: [[center, context, negatives], [center, context, [...negatives, randomVector(rng, d, 1)]]] as Args[] };
      }),
      holds: (outputs) => {
        const odd = wrongKind('skipGramLoss', 'a number', outputs, isNumber);
        if (odd) return odd;
        if (outputs[1] >= outputs[0] - 1e-9) return undefined;
        return (
          `Adding a fourth negative lowered your loss from ${show(outputs[0])} to ${show(outputs[1])}. ` +
          'Each negative adds its own term −log σ(−u_k·v_c), and −log of a probability is never negative: the loss can only grow.'
        );
      },
    },
  ],
  misconceptions: [
    {
      id: 'negative-term-sign',
      title: { en: 'the sign of the negative term', 'zh-CN': '负样本项的符号' },
      message: {
        en:
          'A negative sample must be pushed away: its term is −log σ(−u_k·v_c), with the score negated inside the sigmoid. ' +
          'With σ(+u_k·v_c) the lesson example gives 1.548850 instead of 1.748850 (and subtracting the terms instead of adding them gives −1.308015): the model would be rewarded for liking random words.',
        'zh-CN':
          '负样本必须被推开：它的项是 −log σ(−u_k·v_c)，分数在 sigmoid 内部取负。用 σ(+u_k·v_c) 时，课程的例子得到 1.548850，而不是 1.748850（把这些项相减而不是相加，则得到 −1.308015）：' +
          '这等于奖励模型去喜欢随机词。',
      },
      hint: {
        en: 'A negative word should get a low score. Is your term for it small when u_k·v_c is very negative? Check the sign inside the sigmoid.',
        'zh-CN': '负样本词应该得到低分。当 u_k·v_c 非常负时，你为它算的那一项小吗？检查 sigmoid 内部的符号。',
      },
      // σ(+u_k·v_c) inside the log, or the right terms subtracted instead of added.
      wrong: fromScores((positive, negative) => anyOf(-logSigmoid(positive) - sum(negative.map(logSigmoid)), -logSigmoid(positive) + sum(negative.map((x) => logSigmoid(-x))))),
    },
    {
      id: 'softmax-over-words',
      title: { en: 'a softmax over the context word and the negatives', 'zh-CN': '对上下文词和负样本做了 softmax' },
      message: {
        en:
          'Negative sampling is K + 1 independent binary questions, each a sigmoid: "is this the real context word?". A softmax over the context and the negatives ' +
          '(0.463264 on the lesson example, instead of 1.748850) makes them compete, which is the full skip-gram objective the sampling replaces.',
        'zh-CN': '负采样是 K + 1 个相互独立的二元问题，每个都是一个 sigmoid：「这是真正的上下文词吗？」。对上下文词和负样本做 softmax（在课程的例子中得到 0.463264，而不是 1.748850）会让它们相互竞争，那就成了负采样要取代的完整 skip-gram 目标。',
      },
      hint: {
        en: 'Each word, the context one and each negative, gets its own yes/no probability. Which function turns one score into one such probability?',
        'zh-CN': '每个词，无论是上下文词还是每个负样本，都各自得到一个「是 / 否」的概率。哪个函数能把一个分数变成这样一个概率？',
      },
      wrong: fromScores((positive, negative) => logSumExp([positive, ...negative]) - positive),
    },
    {
      id: 'mean-over-negatives',
      title: { en: 'the negative terms averaged instead of summed', 'zh-CN': '对负样本项求了平均，而不是求和' },
      message: {
        en:
          'Each negative adds its own term: the loss is −log σ(u_o·v_c) − Σ_k log σ(−u_k·v_c), a sum over the K negatives. ' +
          'Averaging gives 0.984634 on the lesson example instead of 1.748850.',
        'zh-CN': '每个负样本都贡献自己的一项：损失是 −log σ(u_o·v_c) − Σ_k log σ(−u_k·v_c)，是对 K 个负样本求和。求平均会在课程的例子中得到 0.984634，而不是 1.748850。',
      },
      hint: {
        en: 'With a zero center vector every term is ln 2. How many of them does the loss hold with K negatives?',
        'zh-CN': '中心向量为零时，每一项都是 ln 2。有 K 个负样本时，损失中包含多少个这样的项？',
      },
      wrong: fromScores((positive, negative) => -logSigmoid(positive) - sum(negative.map((x) => logSigmoid(-x))) / negative.length),
    },
    {
      id: 'unstable-log-sigmoid',
      title: { en: 'log σ(x) computed as log(1 / (1 + e^−x))', 'zh-CN': '把 log σ(x) 算成了 log(1 / (1 + e^−x))' },
      message: {
        en:
          'For x = −1000, e^1000 is Infinity, σ(x) is 0 and its log is −Infinity, although −log σ(−1000) is just 1000. ' +
          'Use a stable form: log σ(x) = min(x, 0) − log(1 + e^−|x|) (Math.log1p), or −softplus(−x).',
        'zh-CN':
          '当 x = −1000 时，e^1000 是 Infinity，σ(x) 为 0，其对数为 −Infinity，而 −log σ(−1000) 其实只是 1000。' +
          '请使用数值稳定的形式：log σ(x) = min(x, 0) − log(1 + e^−|x|)（用 Math.log1p），或者 −softplus(−x)。',
      },
      hint: {
        en: 'Try the score −1000 in your log-sigmoid in Node. Can you rewrite log σ(x) so that exp only ever sees a number ≤ 0?',
        'zh-CN': '在 Node 里把分数 −1000 代入你的 log-sigmoid 试试。你能把 log σ(x) 改写成让 exp 只看到 ≤ 0 的数吗？',
      },
      wrong: fromScores((positive, negative) => naiveNegLogSigmoid(positive) + sum(negative.map((x) => naiveNegLogSigmoid(-x)))),
    },
  ],
  hints: [
    {
      en: 'Compute the K + 1 scores first: u_o·v_c for the context word and u_k·v_c for each row of negatives.',
      'zh-CN': '先算出 K + 1 个分数：上下文词的 u_o·v_c，以及 negatives 每一行的 u_k·v_c。',
    },
    {
      en: 'The context word should be likely and each negative unlikely: the loss is −log σ(u_o·v_c) plus, for each negative, −log σ(−u_k·v_c).',
      'zh-CN': '上下文词应当可能，每个负样本应当不可能：损失是 −log σ(u_o·v_c)，再加上每个负样本的 −log σ(−u_k·v_c)。',
    },
    {
      en: 'Write log σ(x) stably, as min(x, 0) − log1p(exp(−|x|)): exp then never overflows, and scores of ±1000 are fine.',
      'zh-CN': '以数值稳定的方式写出 log σ(x)，即 min(x, 0) − log1p(exp(−|x|))：这样 exp 永远不会上溢，±1000 的分数也没问题。',
    },
  ],
});
