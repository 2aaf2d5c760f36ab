import { defineExercise, randomInts, randomMatrix, type Rng, type Tensor, type Tf } from 'llm-tutor/pack';
import { close, isMatrix, show, softmaxRow, sum, wrongKind } from '../backprop-math.js';

type Args = [logits: number[][], targets: number[]];

/** A [rows, cols] matrix of random logits with one random target per row. */
function randomBatch(rng: Rng, rows: number, cols: number, std: number): Args {
  return [randomMatrix(rng, rows, cols, std), randomInts(rng, rows, 0, cols - 1)];
}

/** The one-hot rows of the targets, as a tensor `[N, V]` (tf.oneHot refuses V = 1). */
function oneHot(tf: Tf, targets: number[], classes: number): Tensor {
  return tf.tensor2d(targets.map((t) => Array.from({ length: classes }, (_, j) => (j === t ? 1 : 0))));
}

/** The forward pass autodiff differentiates: mean over rows of logsumexp(z) − z_y (the target's logit picked by a one-hot product). */
function meanCrossEntropy(tf: Tf, z: Tensor, targets: number[]): Tensor {
  const picked = tf.sum(tf.mul(z, oneHot(tf, targets, z.shape[1]!)), 1);
  return tf.mean(tf.sub(tf.logSumExp(z, 1), picked));
}

/** softmax(z) − onehot(y) per row, times `scale` (a negative scale flips the sign). */
function softmaxMinusOneHot(logits: number[][], targets: number[], scale: number, softmax = softmaxRow): number[][] {
  return logits.map((z, i) => softmax(z).map((p, j) => (p - (j === targets[i] ? 1 : 0)) * scale));
}

/** softmax without the max subtracted: exp(1000) is Infinity and Infinity/Infinity is NaN. */
function naiveSoftmax(z: readonly number[]): number[] {
  const e = z.map((v) => Math.exp(v));
  const s = sum(e);
  return e.map((x) => x / s);
}

/** Row sums of the learner's gradient, which must all be 0. */
function rowSumsZero(outputs: number[][][]): string | undefined {
  const odd = wrongKind('crossEntropyGrad', 'a matrix', outputs, isMatrix);
  if (odd) return odd;
  for (const [i, row] of outputs[0].entries()) {
    const s = sum(row);
    if (!close(0, s, { atol: 1e-6, rtol: 0 })) {
      return (
        `Row ${i} of your gradient adds up to ${show(s)}, not 0. Each row is (softmax − onehot)/N: the probabilities add up to 1 and the one-hot row to 1, ` +
        'so the row adds up to 0. Raising the logits of a row all by one amount changes no probability, so it cannot change the loss.'
      );
    }
  }
  return undefined;
}

/** The gradient of a batch repeated twice must be half the gradient of the batch, row by row. */
function halvedWhenRepeated(outputs: number[][][]): string | undefined {
  const odd = wrongKind('crossEntropyGrad', 'a matrix', outputs, isMatrix);
  if (odd) return odd;
  const [once, twice] = outputs;
  for (const [i, row] of once.entries()) {
    for (const [j, g] of row.entries()) {
      const got = twice[i]?.[j];
      if (typeof got !== 'number' || !close(g / 2, got)) {
        return (
          `Entry [${i}][${j}] of your gradient is ${show(g)} for the batch and ${show(got)} for the batch repeated twice, not half of it (${show(g / 2)}). ` +
          'The loss is a mean over the rows: repeating the batch leaves the loss unchanged, and each row then carries 1/(2N) of it, so its gradient halves.'
        );
      }
    }
  }
  return undefined;
}

/** A batch and the same batch repeated twice. */
function repeatedBatch(rng: Rng, rows: number, cols: number): { name: string; calls: Args[] } {
  const [logits, targets] = randomBatch(rng, rows, cols, 1.5);
  return { name: `random logits [${rows}, ${cols}], then the batch twice [${2 * rows}, ${cols}]`, calls: [[logits, targets], [[...logits, ...logits], [...targets, ...targets]]] };
}

export default defineExercise<Args, number[][]>({
  entry: 'crossEntropyGrad',
  signature: 'crossEntropyGrad(logits: Matrix, targets: number[]): Matrix',
  cases: (rng) => {
    const [n, v] = [rng.int(5, 9), rng.int(6, 12)];
    return [
      { name: 'the lesson example (2 rows, 3 classes)', args: [[[2, 1, 0], [0.5, 2.5, -1]], [0, 2]] },
      { name: 'random logits [4, 5]', args: randomBatch(rng, 4, 5, 2) },
      { name: `random logits [${n}, ${v}], wide spread`, args: randomBatch(rng, n, v, 3) },
      { name: 'one row [1, 6] (N = 1: no division shows)', args: randomBatch(rng, 1, 6, 1) },
      { name: 'equal logits in every row (softmax is uniform: 1/4 − onehot, over N = 2)', args: [[[0, 0, 0, 0], [3, 3, 3, 3]], [1, 3]] },
      { name: 'large logits [1000, 999, 998] and [−1000, −998, −999] (exp overflows or underflows without subtracting the max)', args: [[[1000, 999, 998], [-1000, -998, -999]], [1, 0]] },
      { name: 'a confident, correct row (target logit 30 above the rest: its gradient is almost 0)', args: [[[30, 0, 0], [1, 2, 0.5]], [0, 2]] },
      { name: 'a single class, V = 1 (the loss is always 0, so is its gradient)', args: [[[1.5], [-2]], [0, 0]] },
    ];
  },
  // The loss is the mean cross-entropy of the logits; its gradient with respect to them is the answer.
  gradient: {
    wrt: (logits) => ({ dlogits: logits }),
    loss: ({ tf }, vars, _logits, targets) => meanCrossEntropy(tf, vars.dlogits, targets),
    single: true,
  },
  trace: ({ tf }, logits, targets) => {
    const probabilities = tf.softmax(tf.tensor2d(logits));
    return { probabilities, 'probabilities − onehot': tf.sub(probabilities, oneHot(tf, targets, logits[0].length)) };
  },
  properties: [
    {
      name: 'each row of the gradient adds up to 0',
      cases: (rng) => [
        { name: 'random logits [3, 5]', calls: [randomBatch(rng, 3, 5, 2)] },
        { name: 'random logits [2, 8]', calls: [randomBatch(rng, 2, 8, 1)] },
      ],
      holds: rowSumsZero,
    },
    {
      name: 'repeating the batch halves the gradient',
      cases: (rng) => [repeatedBatch(rng, 2, 4), repeatedBatch(rng, 3, 6)],
      holds: halvedWhenRepeated,
    },
  ],
  misconceptions: [
    {
      id: 'no-division-by-n',
      title: { en: 'the gradient of the summed loss: /N missing', 'zh-CN': '求和损失的梯度：漏了 /N' },
      message: {
        en:
          'Your gradient is N times too large: it is softmax − onehot, the gradient of the sum of the row losses. The loss is their mean, so every entry is divided by N, ' +
          'the number of rows: on the lesson example ∂loss/∂z[0][0] is (0.665241 − 1)/2 = −0.167380, not −0.334759.',
        'zh-CN':
          '你的梯度大了 N 倍：它是 softmax − onehot，即各行损失之和的梯度。损失是各行损失的平均，所以每个元素都要除以行数 N：' +
          '在课程的例子中，∂loss/∂z[0][0] 应为 (0.665241 − 1)/2 = −0.167380，而不是 −0.334759。',
      },
      hint: {
        en: 'Repeat the rows of a batch twice: the mean loss does not change. What must happen to each row’s share of the gradient?',
        'zh-CN': '把一个批次的行重复两遍：平均损失不会变。那么每一行在梯度中所占的份额应该怎么变？',
      },
      wrong: (_ctx, logits, targets) => softmaxMinusOneHot(logits, targets, 1),
    },
    {
      id: 'sign-flipped',
      title: { en: 'the sign is flipped: (onehot − softmax)/N', 'zh-CN': '符号反了：(onehot − softmax)/N' },
      message: {
        en:
          'Your gradient points the wrong way. Raising the target’s logit lowers the loss, so ∂loss/∂z_y is negative: (p_y − 1)/N. ' +
          'The gradient is (softmax − onehot)/N: on the lesson example −0.167380 at row 0’s target, not +0.167380.',
        'zh-CN':
          '你的梯度方向反了。提高目标的 logit 会降低损失，所以 ∂loss/∂z_y 为负：(p_y − 1)/N。梯度是 (softmax − onehot)/N：' +
          '在课程的例子中，第 0 行目标处应为 −0.167380，而不是 +0.167380。',
      },
      hint: {
        en: 'If the target’s logit goes up a little, does the loss go up or down? Check the sign of your entry at the target.',
        'zh-CN': '如果目标的 logit 稍稍增大，损失是上升还是下降？检查你在目标处那个元素的符号。',
      },
      wrong: (_ctx, logits, targets) => softmaxMinusOneHot(logits, targets, -1 / logits.length),
    },
    {
      id: 'onehot-missing',
      title: { en: 'the one-hot term left out: softmax/N', 'zh-CN': '漏了 one-hot 项：只有 softmax/N' },
      message: {
        en:
          'Your gradient is the softmax divided by N, without the −1 at the target: every row then adds up to 1/N instead of 0. ' +
          'The loss has two terms, logsumexp(z), whose derivative is softmax(z), and −z_y, whose derivative is −1 at the target: on the lesson example (0.665241 − 1)/2 = −0.167380 at row 0’s target.',
        'zh-CN':
          '你的梯度是 softmax 除以 N，目标处没有减 1：这样每行之和是 1/N 而不是 0。损失有两项：logsumexp(z)，其导数是 softmax(z)；以及 −z_y，其导数在目标处为 −1。' +
          '在课程的例子中，第 0 行目标处应为 (0.665241 − 1)/2 = −0.167380。',
      },
      hint: {
        en: 'The loss of a row is logsumexp(z) − z_y. You differentiated the first term: what does the second give, and at which entry?',
        'zh-CN': '一行的损失是 logsumexp(z) − z_y。你已经对第一项求了导：第二项的导数是什么，落在哪个元素上？',
      },
      wrong: (_ctx, logits) => logits.map((z) => softmaxRow(z).map((p) => p / logits.length)),
    },
    {
      id: 'mean-over-every-entry',
      title: { en: 'divided by N·V, the number of entries, instead of N', 'zh-CN': '除以元素个数 N·V，而不是 N' },
      message: {
        en:
          'Your gradient is divided by N·V, as if the loss were a mean over every logit. It is a mean over the N rows only (one loss per example): ' +
          'divide softmax − onehot by N. On the lesson example −0.167380 at row 0’s target, not −0.055793.',
        'zh-CN':
          '你的梯度除以了 N·V，好像损失是对所有 logits 取平均似的。实际上它只对 N 行取平均（每个样本一个损失）：应把 softmax − onehot 除以 N。' +
          '在课程的例子中，第 0 行目标处应为 −0.167380，而不是 −0.055793。',
      },
      hint: {
        en: 'How many row losses does the mean average? Count them on the lesson example, and compare with what you divide by.',
        'zh-CN': '这个平均是对多少个行损失取的？在课程的例子中数一数，再和你除以的数比较。',
      },
      wrong: (_ctx, logits, targets) => softmaxMinusOneHot(logits, targets, 1 / (logits.length * logits[0].length)),
    },
    {
      id: 'softmax-without-max',
      title: { en: 'softmax computed without subtracting the max (NaN for large logits)', 'zh-CN': '计算 softmax 时没有减去最大值（logits 很大时出现 NaN）' },
      message: {
        en:
          'exp(1000) is Infinity, and Infinity/Infinity is NaN, so rows with large logits come out NaN; with logits near −1000 every exp is 0 and 0/0 is NaN too. ' +
          'Subtract the row max before exponentiating: softmax is unchanged by the shift.',
        'zh-CN':
          'exp(1000) 是 Infinity，而 Infinity/Infinity 是 NaN，所以 logits 很大的行会算出 NaN；logits 接近 −1000 时每个 exp 都是 0，0/0 同样是 NaN。' +
          '取指数之前先减去该行的最大值：这样平移不会改变 softmax。',
      },
      hint: {
        en: 'Try Math.exp(1000) in Node. Which constant can you subtract from a row of logits without changing its softmax?',
        'zh-CN': '在 Node 里试试 Math.exp(1000)。从一行 logits 中减去哪个常数不会改变它的 softmax？',
      },
      wrong: (_ctx, logits, targets) => softmaxMinusOneHot(logits, targets, 1 / logits.length, naiveSoftmax),
    },
  ],
  hints: [
    {
      en: 'Differentiate one row’s loss, logsumexp(z) − z_y, with respect to one logit z_j: two terms, one from each part.',
      'zh-CN': '对一行的损失 logsumexp(z) − z_y 关于某个 logit z_j 求导：两项，各来自一部分。',
    },
    {
      en: 'The derivative of logsumexp(z) with respect to z_j is softmax(z)_j; the derivative of −z_y is −1 when j = y and 0 otherwise.',
      'zh-CN': 'logsumexp(z) 对 z_j 的导数是 softmax(z)_j；−z_y 的导数在 j = y 时为 −1，否则为 0。',
    },
    {
      en: 'The batch loss is the mean of N row losses, so each row’s gradient is divided by N. Compute softmax stably, with the row max subtracted.',
      'zh-CN': '批次损失是 N 个行损失的平均，所以每一行的梯度要除以 N。softmax 要以数值稳定的方式计算，先减去该行的最大值。',
    },
  ],
});
