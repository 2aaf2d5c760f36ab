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
      title: 'computing −log(softmax(z)[y]): the probability underflows to 0',
      message:
        'When the target\'s probability is tinier than the smallest float (about e^−745 in float64, e^−103 in float32) softmax returns exactly 0 and −Math.log(0) is Infinity, ' +
        'although the true loss is finite (1000 for logits [0, 1000], target 0). Never form the probability: loss = logsumexp(z) − z[y], with logsumexp computed as m + log Σ exp(z − m).',
      hint: 'For logits [0, 1000] and target 0 the probability is about e^−1000, which no float can hold. Rewrite −log of the softmax entry with the log of a quotient so that no probability is ever formed.',
      wrong: (_ctx, logits, targets) =>
        anyOf(
          mean(logits.map((z, i) => -Math.log(stableSoftmax(z)[targets[i]]))),
          mean(logits.map((z, i) => -Math.log(naiveSoftmax(z)[targets[i]]))),
        ),
    },
    {
      id: 'lse-without-max',
      title: 'log Σ exp(z) computed without subtracting the max',
      message:
        'Math.exp(1000) is Infinity, so log Σ exp(z) is Infinity for large logits; for logits near −1000 every exp is 0 and the log is −Infinity. ' +
        'Subtract the row max m first and add it back: logsumexp(z) = m + log Σ_j exp(z_j − m).',
      hint: 'Try log Σ exp(z) on z = [1000, 1001] in Node: the exponentials overflow before the log can bring them back. Shift by the row max inside the sum, then undo the shift outside the log.',
      wrong: (_ctx, logits, targets) => mean(logits.map((z, i) => Math.log(sum(z.map((v) => Math.exp(v)))) - z[targets[i]])),
    },
    {
      id: 'max-not-added-back',
      title: 'the max is subtracted inside log-sum-exp but not added back',
      message:
        'log Σ exp(z − m) equals logsumexp(z) − m, not logsumexp(z). After shifting by the row max m, add m back: logsumexp(z) = m + log Σ_j exp(z_j − m).',
      hint: 'Check your log-sum-exp on z = [5]: it should give 5. What did the shift by the max take away that has to be put back?',
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
      title: 'summing the row losses instead of averaging them',
      message:
        'The loss of a batch is the mean over its rows (PyTorch\'s default reduction=\'mean\'), so it does not grow with the batch size. Divide the sum of the row losses by the number of rows.',
      hint: 'Duplicate every row of a batch: the loss should stay the same, not double. Divide by something.',
      wrong: (_ctx, logits, targets) => sum(rowLosses(logits, targets)),
    },
    {
      id: 'sign-flipped',
      title: 'the sign is flipped (returning the mean log-probability)',
      message:
        'log softmax(z)_y is at most 0, so a loss built from it must be negated: loss = −log softmax(z)_y = logsumexp(z) − z[y], which is never negative.',
      hint: 'Your loss comes out negative, but a log-probability is never above 0, so −log of it is never below 0. Check the sign of your final expression.',
      wrong: (_ctx, logits, targets) => -mean(rowLosses(logits, targets)),
    },
    {
      id: 'one-hot-times-log-probs',
      title: 'multiplying a one-hot vector by the log-probabilities (0 · −Infinity is NaN)',
      message:
        'A banned class has logit −Infinity, so its log-probability is −Infinity, and the one-hot weight 0 times −Infinity is NaN, which poisons the whole sum. ' +
        'Pick the target\'s entry by index instead: loss_i = logsumexp(z) − z[targets[i]].',
      hint: 'In Node, 0 * -Infinity is NaN. Instead of weighting every class by a one-hot vector, read the single entry the target names.',
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
      title: 'log base 2 (bits) instead of the natural log (nats)',
      message:
        'Your loss is in bits: Math.log2 gives −log₂ p, which is −ln p / ln 2, 1.442695 times the loss in nats (2.929236 instead of 2.030392 on the lesson example). ' +
        'Training losses, PyTorch\'s cross_entropy and perplexity = exp(loss) all use the natural log: loss = logsumexp(z) − z[y] with Math.log and Math.exp.',
      hint: 'Which logarithm undoes Math.exp? For equal logits over 4 classes the loss should be ln 4 = 1.386294, not 2.',
      // Bits throughout, or log₂ only for the log of the sum (with exp still base e).
      wrong: (_ctx, logits, targets) =>
        anyOf(
          mean(rowLosses(logits, targets)) / Math.LN2,
          mean(logits.map((z, i) => logSumExpWithLog2(z) - z[targets[i]])),
        ),
    },
  ],
  hints: [
    'Work on one row at a time. Write −log softmax(z)_y with softmax spelt out, and simplify the log of a quotient.',
    '−log softmax(z)_y = log Σ_j exp(z_j) − z_y, and log Σ exp must be computed with the max shifted out: try z = [0, 1000], y = 0 both ways in Node.',
    'For each row z with target y: m = Math.max(...z); lse = m + Math.log(Σ_j Math.exp(z_j − m)); the row loss is lse − z[y]. Return the sum of the row losses divided by the number of rows.',
  ],
});
