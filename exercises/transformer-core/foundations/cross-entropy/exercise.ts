import { anyOf, defineExercise, randomInts, randomMatrix, tidy, type ReferenceContext, type Rng, type Tf } from 'llm-tutor/pack';
import { close, show, wrongKind } from '../../properties.js';

type Args = [logits: number[][], targets: number[]];

const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
const mean = (xs: number[]) => sum(xs) / xs.length;

/** Stable log-sum-exp of one row. */
function logSumExp(z: number[]): number {
  const m = Math.max(...z);
  return m + Math.log(sum(z.map((v) => Math.exp(v - m))));
}

/** log-sum-exp with log₂ in place of ln, exp still base e: m + log₂ Σ exp(z − m), neither bits nor nats. */
function logSumExpWithLog2(z: number[]): number {
  const m = Math.max(...z);
  return m + Math.log2(sum(z.map((v) => Math.exp(v - m))));
}

/** Per-row losses computed correctly, for variants that only get the reduction or the sign wrong. */
function rowLosses(logits: number[][], targets: number[]): number[] {
  return logits.map((z, i) => logSumExp(z) - z[targets[i]]);
}

function stableSoftmax(z: number[]): number[] {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = sum(e);
  return e.map((x) => x / s);
}

function naiveSoftmax(z: number[]): number[] {
  const e = z.map((v) => Math.exp(v));
  const s = sum(e);
  return e.map((x) => x / s);
}

/** A [rows, cols] matrix of random logits with one random target per row. */
function randomBatch(rng: Rng, rows: number, cols: number, std: number): Args {
  return [randomMatrix(rng, rows, cols, std), randomInts(rng, rows, 0, cols - 1)];
}

/** Cross-entropy in tfjs, step by step: each row's target logit, log-sum-exp and loss (the steps a trace shows), and their mean. */
function crossEntropySteps(tf: Tf, logits: number[][], targets: number[]) {
  const z = tf.tensor2d(logits, undefined, 'float32');
  const indices = tf.tensor2d(targets.map((t, i) => [i, t]), undefined, 'int32');
  const picked = tf.gatherND(z, indices);
  // logsumexp(z) − z_y = logsumexp(z − z_y): shifting first keeps float32 accurate when logits are near ±1000.
  const losses = tf.logSumExp(tf.sub(z, tf.expandDims(picked, 1)), 1);
  return { steps: { targetLogits: picked, logSumExp: tf.logSumExp(z, 1), losses }, output: tf.mean(losses) };
}

/** A batch whose target logit is `margin` above the row's largest other logit: a confident, correct model. */
function confidentBatch(rng: Rng, rows: number, cols: number, margin: number): Args {
  const [logits, targets] = randomBatch(rng, rows, cols, 1);
  return [logits.map((z, i) => z.map((v, j) => (j === targets[i] ? Math.max(...z.filter((_, k) => k !== j)) + margin : v))), targets];
}

/** Every row of `rows` × `cols` equal to its own constant (as at initialisation, when the model knows nothing). */
function uniformBatch(rng: Rng, rows: number, cols: number): Args {
  return [Array.from({ length: rows }, () => new Array<number>(cols).fill(tidy(rng.normal(0, 3)))), randomInts(rng, rows, 0, cols - 1)];
}

const isNumber = (o: unknown): o is number => typeof o === 'number';

export default defineExercise<Args, number>({
  entry: 'crossEntropy',
  signature: 'crossEntropy(logits: Matrix, targets: number[]): number',
  cases: (rng) => {
    const n = rng.int(6, 12);
    const v = rng.int(8, 32);
    return [
      { name: 'the lesson example (2 rows, 3 classes)', args: [[[2, 1, 0], [0.5, 2.5, -1]], [0, 2]] },
      { name: 'random logits [4, 5]', args: randomBatch(rng, 4, 5, 2) },
      { name: `random logits [${n}, ${v}], wide spread`, args: randomBatch(rng, n, v, 3) },
      { name: 'random logits [16, 50] (16 positions, a 50-token vocabulary)', args: randomBatch(rng, 16, 50, 1) },
      { name: 'one row [1, 10] (sum and mean agree)', args: randomBatch(rng, 1, 10, 2) },
      { name: 'equal logits in every row (loss = log 4 = 1.386294)', args: [[[0, 0, 0, 0], [3, 3, 3, 3]], [1, 3]] },
      { name: 'a single class, V = 1 (probability 1, loss 0)', args: [[[1.5], [-2]], [0, 0]] },
      { name: 'logits [0, 200], target 0 (loss 200; −log(softmax) is already Infinity in float32)', args: [[[0, 200]], [0]] },
      { name: 'logits [0, 1000], target 0 (loss 1000; the probability underflows to 0, so −log(softmax) gives Infinity)', args: [[[0, 1000]], [0]] },
      { name: 'large logits [1000, 999, 998], target 1 (exp(1000) is Infinity without subtracting the max)', args: [[[1000, 999, 998]], [1]] },
      { name: 'very negative logits [−1000, −1001, −1003], target 1 (every exp is 0 without subtracting the max)', args: [[[-1000, -1001, -1003]], [1]] },
      {
        name: 'banned classes (logit −Infinity, never the target): the loss stays finite',
        args: [[[1, -Infinity, 0.5, 2], [0, 1, -Infinity, -Infinity]], [3, 1]],
      },
    ];
  },
  reference: ({ tf }: ReferenceContext, logits, targets) => crossEntropySteps(tf, logits, targets).output,
  trace: ({ tf }: ReferenceContext, logits, targets) => crossEntropySteps(tf, logits, targets).steps,
  properties: [
    {
      name: 'the loss is never negative',
      cases: (rng) => [
        { name: '4 rows of 6 classes, each target logit 2 above the rest', calls: [confidentBatch(rng, 4, 6, 2)] },
        { name: '3 rows of 10 classes, each target logit 30 above the rest (a loss near 0)', calls: [confidentBatch(rng, 3, 10, 30)] },
      ],
      holds: (outputs) => {
        const odd = wrongKind('crossEntropy', 'a number', outputs, isNumber);
        if (odd) return odd;
        if (outputs[0] >= -1e-12) return undefined;
        return (
          `Your loss is ${show(outputs[0])}. Each row's loss is −log p_y, and a probability p_y is at most 1, so the loss is at least 0: ` +
          'logsumexp(z) is at least max_j z_j, which is at least z_y. The sum inside logsumexp runs over every class, the target included.'
        );
      },
    },
    {
      name: 'equal logits give log V',
      cases: (rng) => [
        { name: '3 rows of V = 5 equal logits (log 5 = 1.609438)', calls: [uniformBatch(rng, 3, 5)] },
        { name: '2 rows of V = 50 equal logits (log 50 = 3.912023)', calls: [uniformBatch(rng, 2, 50)] },
      ],
      holds: (outputs, calls) => {
        const odd = wrongKind('crossEntropy', 'a number', outputs, isNumber);
        if (odd) return odd;
        const v = calls[0][0][0].length;
        if (close(Math.log(v), outputs[0])) return undefined;
        return (
          `With ${v} equal logits in every row your loss is ${show(outputs[0])}, not log ${v} = ${show(Math.log(v))}. ` +
          `Equal logits make a uniform distribution, p_y = 1/${v} whatever the target, and −log(1/V) = log V (natural log): the loss of a model that knows nothing.`
        );
      },
    },
  ],
  misconceptions: [
    {
      id: 'log-of-softmax',
      title: { en: 'computing −log(softmax(z)[y]): the probability underflows to 0', 'zh-CN': '计算 −log(softmax(z)[y])：概率下溢为 0' },
      message: {
        en:
          'When the target\'s probability is tinier than the smallest float (about e^−745 in float64, e^−103 in float32) softmax returns exactly 0 and −Math.log(0) is Infinity, ' +
          'although the true loss is finite (1000 for logits [0, 1000], target 0). Never form the probability: loss = logsumexp(z) − z[y], with logsumexp computed as m + log Σ exp(z − m).',
        'zh-CN':
          '当目标的概率小于最小的浮点数（float64 约为 e^−745，float32 为 e^−103）时，softmax 返回精确的 0，而 −Math.log(0) 是 Infinity，' +
          '尽管真实损失是有限的（logits 为 [0, 1000]、目标为 0 时是 1000）。永远不要构造概率：loss = logsumexp(z) − z[y]，其中 logsumexp 按 m + log Σ exp(z − m) 计算。',
      },
      hint: {
        en: 'For logits [0, 1000] and target 0 the probability is about e^−1000, which no float can hold. Rewrite −log of the softmax entry with the log of a quotient so that no probability is ever formed.',
        'zh-CN': '对 logits [0, 1000] 和目标 0，概率约为 e^−1000，没有任何浮点数能存下它。把 softmax 那一项的 −log 改写成商的对数，这样就完全不用构造概率。',
      },
      wrong: (_ctx, logits, targets) =>
        anyOf(
          mean(logits.map((z, i) => -Math.log(stableSoftmax(z)[targets[i]]))),
          mean(logits.map((z, i) => -Math.log(naiveSoftmax(z)[targets[i]]))),
        ),
    },
    {
      id: 'lse-without-max',
      title: { en: 'log Σ exp(z) computed without subtracting the max', 'zh-CN': '计算 log Σ exp(z) 时没有减去最大值' },
      message: {
        en:
          'Math.exp(1000) is Infinity, so log Σ exp(z) is Infinity for large logits; for logits near −1000 every exp is 0 and the log is −Infinity. ' +
          'Subtract the row max m first and add it back: logsumexp(z) = m + log Σ_j exp(z_j − m).',
        'zh-CN':
          'Math.exp(1000) 是 Infinity，所以 logits 很大时 log Σ exp(z) 是 Infinity；logits 接近 −1000 时每个 exp 都是 0，对数是 −Infinity。' +
          '先减去该行的最大值 m，再把它加回来：logsumexp(z) = m + log Σ_j exp(z_j − m)。',
      },
      hint: {
        en: 'Try log Σ exp(z) on z = [1000, 1001] in Node: the exponentials overflow before the log can bring them back. Shift by the row max inside the sum, then undo the shift outside the log.',
        'zh-CN': '在 Node 里对 z = [1000, 1001] 算一下 log Σ exp(z)：指数在对数把它们拉回来之前就上溢了。在求和内部减去该行最大值，再在对数外面抵消这个平移。',
      },
      wrong: (_ctx, logits, targets) => mean(logits.map((z, i) => Math.log(sum(z.map((v) => Math.exp(v)))) - z[targets[i]])),
    },
    {
      id: 'max-not-added-back',
      title: { en: 'the max is subtracted inside log-sum-exp but not added back', 'zh-CN': '在 log-sum-exp 内部减去了最大值，却没有加回来' },
      message: {
        en: 'log Σ exp(z − m) equals logsumexp(z) − m, not logsumexp(z). After shifting by the row max m, add m back: logsumexp(z) = m + log Σ_j exp(z_j − m).',
        'zh-CN': 'log Σ exp(z − m) 等于 logsumexp(z) − m，而不是 logsumexp(z)。减去该行最大值 m 之后，要把 m 加回来：logsumexp(z) = m + log Σ_j exp(z_j − m)。',
      },
      hint: {
        en: 'Check your log-sum-exp on z = [5]: it should give 5. What did the shift by the max take away that has to be put back?',
        'zh-CN': '用 z = [5] 检查你的 log-sum-exp：结果应为 5。减去最大值时拿走了什么，需要放回去？',
      },
      wrong: (_ctx, logits, targets) =>
        mean(
          logits.map((z, i) => {
            const m = Math.max(...z);
            return Math.log(sum(z.map((v) => Math.exp(v - m)))) - z[targets[i]];
          }),
        ),
    },
    {
      id: 'sum-instead-of-mean',
      title: { en: 'summing the row losses instead of averaging them', 'zh-CN': '把各行损失加起来，而不是求平均' },
      message: {
        en: 'The loss of a batch is the mean over its rows (PyTorch\'s default reduction=\'mean\'), so it does not grow with the batch size. Divide the sum of the row losses by the number of rows.',
        'zh-CN': '一个批次的损失是各行的平均值（PyTorch 默认的 reduction=\'mean\'），这样它不会随批次大小增长。把各行损失之和除以行数。',
      },
      hint: {
        en: 'Duplicate every row of a batch: the loss should stay the same, not double. Divide by something.',
        'zh-CN': '把批次中的每一行都复制一份：损失应该保持不变，而不是翻倍。要除以某个数。',
      },
      wrong: (_ctx, logits, targets) => sum(rowLosses(logits, targets)),
    },
    {
      id: 'sign-flipped',
      title: { en: 'the sign is flipped (returning the mean log-probability)', 'zh-CN': '符号反了（返回了平均对数概率）' },
      message: {
        en: 'log softmax(z)_y is at most 0, so a loss built from it must be negated: loss = −log softmax(z)_y = logsumexp(z) − z[y], which is never negative.',
        'zh-CN': 'log softmax(z)_y 至多为 0，所以由它构造的损失必须取负：loss = −log softmax(z)_y = logsumexp(z) − z[y]，它永远不为负。',
      },
      hint: {
        en: 'Your loss comes out negative, but a log-probability is never above 0, so −log of it is never below 0. Check the sign of your final expression.',
        'zh-CN': '你的损失是负数，但对数概率永远不大于 0，所以它的 −log 永远不小于 0。检查你最终表达式的符号。',
      },
      wrong: (_ctx, logits, targets) => -mean(rowLosses(logits, targets)),
    },
    {
      id: 'one-hot-times-log-probs',
      title: { en: 'multiplying a one-hot vector by the log-probabilities (0 · −Infinity is NaN)', 'zh-CN': '用 one-hot 向量去乘对数概率（0 · −Infinity 是 NaN）' },
      message: {
        en:
          'A banned class has logit −Infinity, so its log-probability is −Infinity, and the one-hot weight 0 times −Infinity is NaN, which poisons the whole sum. ' +
          'Pick the target\'s entry by index instead: loss_i = logsumexp(z) − z[targets[i]].',
        'zh-CN':
          '被禁用的类别 logit 为 −Infinity，所以它的对数概率是 −Infinity，而 one-hot 权重 0 乘以 −Infinity 是 NaN，会污染整个求和。' +
          '应当按下标取出目标项：loss_i = logsumexp(z) − z[targets[i]]。',
      },
      hint: {
        en: 'In Node, 0 * -Infinity is NaN. Instead of weighting every class by a one-hot vector, read the single entry the target names.',
        'zh-CN': '在 Node 里，0 * -Infinity 是 NaN。不要用 one-hot 向量给每个类别加权，而是直接读出目标指定的那一项。',
      },
      wrong: (_ctx, logits, targets) =>
        mean(
          logits.map((z, i) => {
            const lse = logSumExp(z);
            return -sum(z.map((v, j) => (j === targets[i] ? 1 : 0) * (v - lse)));
          }),
        ),
    },
    {
      id: 'log-base-2',
      title: { en: 'log base 2 (bits) instead of the natural log (nats)', 'zh-CN': '用了以 2 为底的对数（比特），而不是自然对数（奈特）' },
      message: {
        en:
          'Your loss is in bits: Math.log2 gives −log₂ p, which is −ln p / ln 2, 1.442695 times the loss in nats (2.929236 instead of 2.030392 on the lesson example). ' +
          'Training losses, PyTorch\'s cross_entropy and perplexity = exp(loss) all use the natural log: loss = logsumexp(z) − z[y] with Math.log and Math.exp.',
        'zh-CN':
          '你的损失以比特为单位：Math.log2 给出 −log₂ p，即 −ln p / ln 2，是以奈特为单位的损失的 1.442695 倍（课程示例上得到 2.929236 而不是 2.030392）。' +
          '训练损失、PyTorch 的 cross_entropy 以及困惑度 = exp(loss) 用的都是自然对数：loss = logsumexp(z) − z[y]，配合 Math.log 和 Math.exp。',
      },
      hint: {
        en: 'Which logarithm undoes Math.exp? For equal logits over 4 classes the loss should be ln 4 = 1.386294, not 2.',
        'zh-CN': '哪个对数是 Math.exp 的逆运算？4 个类别的 logits 全部相等时，损失应为 ln 4 = 1.386294，而不是 2。',
      },
      // Bits throughout, or log₂ only for the log of the sum (with exp still base e).
      wrong: (_ctx, logits, targets) =>
        anyOf(
          mean(rowLosses(logits, targets)) / Math.LN2,
          mean(logits.map((z, i) => logSumExpWithLog2(z) - z[targets[i]])),
        ),
    },
  ],
  hints: [
    {
      en: 'Work on one row at a time. Write −log softmax(z)_y with softmax spelt out, and simplify the log of a quotient.',
      'zh-CN': '一次处理一行。把 softmax 展开写出 −log softmax(z)_y，再化简商的对数。',
    },
    {
      en: '−log softmax(z)_y = log Σ_j exp(z_j) − z_y, and log Σ exp must be computed with the max shifted out: try z = [0, 1000], y = 0 both ways in Node.',
      'zh-CN': '−log softmax(z)_y = log Σ_j exp(z_j) − z_y，而 log Σ exp 必须先把最大值移出去再算：在 Node 里对 z = [0, 1000]、y = 0 两种方式都试一试。',
    },
    {
      en: 'For each row z with target y: m = Math.max(...z); lse = m + Math.log(Σ_j Math.exp(z_j − m)); the row loss is lse − z[y]. Return the sum of the row losses divided by the number of rows.',
      'zh-CN': '对每一行 z 及其目标 y：m = Math.max(...z)；lse = m + Math.log(Σ_j Math.exp(z_j − m))；该行损失为 lse − z[y]。返回各行损失之和除以行数。',
    },
  ],
});
