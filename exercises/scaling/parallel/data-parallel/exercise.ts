import { anyOf, defineExercise, randomVector, type ReferenceContext, type Rng } from 'llm-tutor/pack';
import { close, isVector, showList } from '../sharding-math.js';

type Args = [shardGrads: number[][], shardSizes: number[]];

/**
 * The lesson's model: linear regression ŷ = w·x + b on one feature, loss the
 * mean over a shard of ½(ŷ − y)², at w = 1, b = 0. The 5 examples go 3 to
 * rank 0 and 2 to rank 1; each rank's gradient [∂w, ∂b] is of its own mean.
 */
export const lessonData = { x: [1, 2, 3, 4, 5], y: [2, 3, 4, 7, 5], w: 1, b: 0, sizes: [3, 2] };
export const lessonShards: Args = [
  [
    [-2, -1],
    [-6, -1.5],
  ],
  [3, 2],
];

/** A shard's examples for linear regression with several features: rows of x, and targets y. */
export interface Regression {
  x: number[][];
  y: number[];
  theta: number[];
}

/** The gradient of the mean of ½(x·w + b − y)² over the rows `from`..`to` − 1, as [∂w_1 … ∂w_d, ∂b] (zeros for no rows). */
export function shardGradient({ x, y, theta }: Regression, from: number, to: number): number[] {
  const d = theta.length - 1;
  const grad = new Array<number>(d + 1).fill(0);
  for (let i = from; i < to; i++) {
    const e = x[i].reduce((s, v, j) => s + v * theta[j], theta[d]) - y[i];
    for (let j = 0; j < d; j++) grad[j] += e * x[i][j];
    grad[d] += e;
  }
  const n = to - from;
  return n === 0 ? grad : grad.map((g) => g / n);
}

/** A random regression problem of `n` examples and `d` features. */
function randomRegression(rng: Rng, n: number, d: number): Regression {
  return {
    x: Array.from({ length: n }, () => randomVector(rng, d)),
    y: randomVector(rng, n, 2),
    theta: randomVector(rng, d + 1, 0.5),
  };
}

/** The shard gradients of `data` cut into consecutive shards of `sizes`. */
export function splitBatch(data: Regression, sizes: number[]): Args {
  let at = 0;
  return [sizes.map((n) => shardGradient(data, at, (at += n))), [...sizes]];
}

/** Random shard gradients of `dim` entries for the given shard sizes (a size-0 shard's gradient is zeros). */
const randomShards = (rng: Rng, sizes: number[], dim: number): Args => [sizes.map((n) => (n === 0 ? new Array<number>(dim).fill(0) : randomVector(rng, dim, 1 / Math.sqrt(n)))), sizes];

/** The weights n_i/N, the weighted terms and the result (what a trace shows). */
function allReduceSteps(tf: ReferenceContext['tf'], shardGrads: number[][], shardSizes: number[]) {
  const total = shardSizes.reduce((s, n) => s + n, 0);
  const weights = shardSizes.map((n) => n / total);
  // A shard of size 0 is left out, so whatever its gradient holds contributes nothing.
  const terms = shardGrads.map((g, i) => (shardSizes[i] === 0 ? tf.zerosLike(tf.tensor1d(g)) : tf.mul(tf.tensor1d(g), shardSizes[i])));
  const sum = tf.addN(terms);
  return { steps: { totalSize: total, weights, 'n_i·g_i': terms, 'Σ n_i·g_i': sum }, output: tf.div(sum, total) };
}

const mean = (vs: number[][]) => vs[0].map((_, j) => vs.reduce((s, v) => s + v[j], 0) / vs.length);
const sumOf = (vs: number[][]) => vs[0].map((_, j) => vs.reduce((s, v) => s + v[j], 0));

function cases(rng: Rng): { name: string; args: Args }[] {
  const real = randomRegression(rng, 13, 3);
  return [
    { name: 'the lesson example: 5 examples split 3 and 2', args: lessonShards },
    { name: 'equal shards (4 ranks × 8 examples): the plain average is right too', args: randomShards(rng, [8, 8, 8, 8], 5) },
    { name: 'uneven shards: 10 examples over 4 ranks, sizes 3, 3, 3 and 1', args: randomShards(rng, [3, 3, 3, 1], 4) },
    { name: 'a rank with no examples (size 0, its gradient zeros) contributes nothing', args: randomShards(rng, [4, 0, 2], 3) },
    { name: 'one rank: its own gradient is the whole batch\'s', args: randomShards(rng, [7], 4) },
    { name: 'random: 5 ranks of 1 to 16 examples', args: randomShards(rng, Array.from({ length: 5 }, () => rng.int(1, 16)), 6) },
    { name: 'a real regression: 13 examples, 3 features, split 6, 4 and 3', args: splitBatch(real, [6, 4, 3]) },
  ];
}

const wrongKind = (out: unknown) => (isVector(out) ? undefined : `dataParallelGrad must return a list of numbers; it returned ${JSON.stringify(out)?.slice(0, 80)}.`);

/** The calls of the property: one batch as one shard, then split several ways. */
function splits(rng: Rng, n: number, ways: number[][]): { name: string; calls: Args[] } {
  const data = randomRegression(rng, n, 2);
  return { name: `${n} examples as one shard, then split ${ways.map((w) => w.join('/')).join(', ')}`, calls: [splitBatch(data, [n]), ...ways.map((w) => splitBatch(data, w))] };
}

export default defineExercise<Args, number[]>({
  entry: 'dataParallelGrad',
  signature: 'dataParallelGrad(shardGrads: Vector[], shardSizes: number[]): Vector',
  inputsReadOnly: true,
  cases,
  reference: ({ tf }, shardGrads, shardSizes) => allReduceSteps(tf, shardGrads, shardSizes).output,
  trace: ({ tf }, shardGrads, shardSizes) => allReduceSteps(tf, shardGrads, shardSizes).steps,
  properties: [
    {
      name: 'however the batch is split, the gradient is the whole batch\'s',
      cases: (rng) => [splits(rng, 12, [[6, 6], [9, 3], [2, 5, 5], [7, 0, 5]]), splits(rng, 10, [[3, 3, 3, 1], [1, 9]])],
      holds: (outputs, calls) => {
        const odd = outputs.map(wrongKind).find(Boolean);
        if (odd) return odd;
        const whole = outputs[0];
        for (let k = 1; k < outputs.length; k++) {
          const j = whole.findIndex((v, i) => !close(v, outputs[k][i]));
          if (j >= 0 || outputs[k].length !== whole.length) {
            return (
              `For the whole batch as one shard your function returns ${showList(whole)}; for the same examples split into shards of ${calls[k][1].join(', ')} it returns ${showList(outputs[k])}. ` +
              'Both are the gradient of the same mean loss, so they must be equal: weight each shard\'s gradient by its number of examples.'
            );
          }
        }
        return undefined;
      },
    },
  ],
  misconceptions: [
    {
      id: 'plain-average',
      title: { en: 'a plain average of shards of unequal sizes', 'zh-CN': '对大小不等的分片做简单平均' },
      message: {
        en:
          'You average the shards\' gradients with equal weights, as if every shard had as many examples. Each g_i is the mean over its own n_i examples, so the batch\'s gradient is Σ n_i·g_i / Σ n_i: ' +
          'in the lesson (3·[−2, −1] + 2·[−6, −1.5]) / 5 = [−3.6, −1.2], where the plain average gives [−4, −1.25]. With equal shards the two agree, which is why DDP can divide by the number of ranks.',
        'zh-CN':
          '你以相同的权重平均各分片的梯度，仿佛每个分片的样本数都一样。每个 g_i 是它自己 n_i 个样本上的平均，所以整个批次的梯度是 Σ n_i·g_i / Σ n_i：' +
          '在课程示例中 (3·[−2, −1] + 2·[−6, −1.5]) / 5 = [−3.6, −1.2]，而简单平均给出 [−4, −1.25]。' +
          '分片大小相等时两者一致，这就是 DDP 可以除以 rank 数的原因。',
      },
      hint: {
        en:
          'In the lesson, rank 0 saw 3 examples and rank 1 only 2. Should their gradients count the same? Check against the gradient of all 5 examples at once.',
        'zh-CN':
          '在课程示例中，rank 0 看了 3 个样本，rank 1 只看了 2 个。它们的梯度应该同等对待吗？和一次性用全部 5 个样本算出的梯度对照一下。',
      },
      wrong: (_ctx, shardGrads, shardSizes) => {
        const kept = shardGrads.filter((_, i) => shardSizes[i] > 0);
        return anyOf(mean(shardGrads), mean(kept));
      },
    },
    {
      id: 'summed',
      title: { en: 'the gradients added up, not averaged', 'zh-CN': '把梯度加起来，而不是求平均' },
      message: {
        en:
          'You return a sum: the all-reduce adds the ranks\' gradients, but the loss is a mean over the whole batch, so the sum must be divided again. ' +
          'In the lesson Σ g_i = [−8, −2.5] and Σ n_i·g_i = [−18, −6]; divided by the 5 examples, the weighted sum is the answer [−3.6, −1.2].',
        'zh-CN':
          '你返回的是一个和：全归约把各 rank 的梯度相加，但损失是整个批次上的平均，所以这个和还要再做除法。在课程示例中 Σ g_i = [−8, −2.5]，' +
          'Σ n_i·g_i = [−18, −6]；加权和除以 5 个样本，就得到答案 [−3.6, −1.2]。',
      },
      hint: {
        en:
          'Your result should not grow when you add ranks. What is the gradient of the lesson\'s 5 examples taken together, and by what do you divide?',
        'zh-CN':
          '增加 rank 时，你的结果不应该变大。课程示例中 5 个样本合在一起的梯度是多少？你要除以什么？',
      },
      wrong: (_ctx, shardGrads, shardSizes) => anyOf(sumOf(shardGrads), sumOf(shardGrads.map((g, i) => g.map((v) => v * shardSizes[i])))),
    },
  ],
  hints: [
    {
      en:
        'Each g_i is the mean over n_i examples, so n_i·g_i is the SUM of those examples\' gradients. Add those sums up over the ranks.',
      'zh-CN':
        '每个 g_i 是 n_i 个样本上的平均，所以 n_i·g_i 是这些样本梯度之「和」。把各 rank 的这些和加起来。',
    },
    {
      en:
        'The whole batch has Σ n_i examples: divide the summed gradient by that. A shard with n_i = 0 adds nothing.',
      'zh-CN':
        '整个批次共有 Σ n_i 个样本：把梯度之和除以它。n_i = 0 的分片没有贡献。',
    },
    { text: {
        en:
          'A plain average of the g_i is right only when every n_i is the same; in the lesson the answer is (3·g_0 + 2·g_1)/5.',
        'zh-CN':
          '只有每个 n_i 都相同时，对 g_i 做简单平均才正确；在课程示例中答案是 (3·g_0 + 2·g_1)/5。',
      }, misconception: 'plain-average' },
  ],
});
