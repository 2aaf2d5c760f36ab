import { anyOf, defineExercise, plural, randomMatrix, type ReferenceContext, type Rng, type Tf } from 'llm-tutor/pack';
import { matricesAgree } from '../../../transformer-core/properties.js';
import { block64, linearTf, lnEps, mlpSteps, randomBlock, type BlockOrder, type BlockParams } from '../block-math.js';

type Args = [x: number[][], p: BlockParams, numHeads: number];
type Tensor2D = ReturnType<Tf['tensor2d']>;

const identity = (n: number) => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
const scaled = (m: number[][], s: number) => m.map((row) => row.map((v) => s * v));

/**
 * The lesson example: T = 3, C = 4, 2 heads of width 2. ln_1 and ln_2 are
 * plain (γ = 1, β = 0); wq = wk = wv = wo = I with bq = 0, bk = 1 (which
 * changes nothing) and bv = [0.5, 0, 0, −0.5]; the MLP's w1 = [I, −I, I/2, −I/2]
 * and w2 = [I; I; I; I]/2, b2 = [0, 0, 0, 0.1].
 */
export const lessonBlock: Args = [
  [
    [1, -1, 1, -1],
    [2, 2, 0, 0],
    [0, 2, 2, 0],
  ],
  {
    ln_1: { gamma: [1, 1, 1, 1], beta: [0, 0, 0, 0] },
    attn: { wq: identity(4), bq: [0, 0, 0, 0], wk: identity(4), bk: [1, 1, 1, 1], wv: identity(4), bv: [0.5, 0, 0, -0.5], wo: identity(4), bo: [0, 0, 0, 0] },
    ln_2: { gamma: [1, 1, 1, 1], beta: [0, 0, 0, 0] },
    mlp: {
      w1: identity(4).map((row) => [1, -1, 0.5, -0.5].flatMap((s) => row.map((v) => s * v))),
      b1: new Array<number>(16).fill(0),
      w2: scaled([...identity(4), ...identity(4), ...identity(4), ...identity(4)], 0.5),
      b2: [0, 0, 0, 0.1],
    },
  },
  2,
];

/** LayerNorm of each row in tfjs: biased variance, ε = 1e-5. */
function layerNormTf(tf: Tf, x: Tensor2D, p: { gamma: number[]; beta: number[] }): Tensor2D {
  const { mean, variance } = tf.moments(x, 1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, lnEps))), tf.tensor1d(p.gamma)), tf.tensor1d(p.beta));
}

/**
 * One GPT-2 block in tfjs, step by step (the steps a trace shows): ln_1(x),
 * each head's causal attention weights [H, T, T], attn (after c_proj and its
 * bias), a = x + attn, ln_2(a), mlp(ln_2(a)), and the output a + mlp.
 */
function blockSteps(tf: Tf, x: number[][], p: BlockParams, numHeads: number) {
  const [T, C] = [x.length, x[0].length];
  const D = C / numHeads;
  const X = tf.tensor2d(x);
  const h1 = layerNormTf(tf, X, p.ln_1);
  // Contiguous heads, as GPT-2's split_heads: view [T, H, D], then [H, T, D].
  const heads = (w: number[][], b: number[]) => tf.transpose(tf.reshape(linearTf(tf, h1, w, b), [T, numHeads, D]), [1, 0, 2]);
  const [q, k, v] = [heads(p.attn.wq, p.attn.bq), heads(p.attn.wk, p.attn.bk), heads(p.attn.wv, p.attn.bv)];
  const scores = tf.div(tf.matMul(q, k, false, true), Math.sqrt(D));
  const visible = tf.cast(tf.linalg.bandPart(tf.ones([numHeads, T, T]), -1, 0), 'bool');
  const weights = tf.softmax(tf.where(visible, scores, tf.fill([numHeads, T, T], -Infinity)));
  const merged = tf.reshape(tf.transpose(tf.matMul(weights, v), [1, 0, 2]), [T, C]) as Tensor2D;
  const attn = linearTf(tf, merged, p.attn.wo, p.attn.bo);
  const a = tf.add(X, attn) as Tensor2D;
  const h2 = layerNormTf(tf, a, p.ln_2);
  const mlp = mlpSteps(tf, h2, p.mlp).output;
  return { steps: { ln_1: h1, weights, attn, a, ln_2: h2, mlp }, output: tf.add(a, mlp) };
}

/** Random x [T, C] with unit entries and random block parameters. */
const randomInput = (rng: Rng, T: number, C: number, numHeads: number, std = 1): Args => [randomMatrix(rng, T, C, std), randomBlock(rng, C), numHeads];

/** A case's shape: `T = 4, C = 8, 2 heads of 4`. */
const shape = (T: number, C: number, H: number) => `T = ${T}, C = ${C}, ${plural(H, 'head')} of ${C / H}`;

/** The params with some attention biases set to zero. */
function withoutBiases(p: BlockParams, names: ('bq' | 'bk' | 'bv' | 'bo')[]): BlockParams {
  const zero = Object.fromEntries(names.map((n) => [n, p.attn[n].map(() => 0)]));
  return { ...p, attn: { ...p.attn, ...zero } };
}

/** The wrong block of a misconception: the same parameters in another order. */
const inOrder = (order: BlockOrder) => (_ctx: ReferenceContext, x: number[][], p: BlockParams, H: number) => block64(x, p, H, order);

/** The calls of the residual property: x with the two output projections and their biases zeroed. */
function silencedCalls(rng: Rng, T: number, C: number, H: number): { name: string; calls: Args[] } {
  const [x, p] = randomInput(rng, T, C, H);
  const zeros = (m: number[][]) => m.map((row) => row.map(() => 0));
  const silent: BlockParams = { ...p, attn: { ...p.attn, wo: zeros(p.attn.wo), bo: p.attn.bo.map(() => 0) }, mlp: { ...p.mlp, w2: zeros(p.mlp.w2), b2: p.mlp.b2.map(() => 0) } };
  return { name: shape(T, C, H), calls: [[x, silent, H]] };
}

/** The calls of the causality property: x, then x with its last token replaced. */
function lastTokenChanged(rng: Rng, T: number, C: number, H: number): { name: string; calls: Args[] } {
  const [x, p] = randomInput(rng, T, C, H);
  return { name: shape(T, C, H), calls: [[x, p, H], [[...x.slice(0, -1), randomMatrix(rng, 1, C)[0]], p, H]] };
}

export default defineExercise<Args, number[][]>({
  entry: 'transformerBlock',
  signature: 'transformerBlock(x: Matrix, p: BlockParams, numHeads: number): Matrix',
  cases: (rng) => {
    const cases: { name: string; args: Args }[] = [{ name: `the lesson example (${shape(3, 4, 2)})`, args: lessonBlock }];
    for (const [T, C, H] of [
      [4, 8, 2],
      [5, 6, 3],
      [3, 8, 4],
    ]) {
      cases.push({ name: `random, ${shape(T, C, H)}`, args: randomInput(rng, T, C, H) });
    }
    cases.push({ name: `one token (${shape(1, 4, 2)}: each head sees only itself)`, args: randomInput(rng, 1, 4, 2) });
    cases.push({ name: `one head (${shape(4, 4, 1)})`, args: randomInput(rng, 4, 4, 1) });
    const [x, p] = randomInput(rng, 4, 4, 2);
    cases.push({ name: `bq = 0 (${shape(4, 4, 2)}: bk and bv fold away, so the attention is multi-head attention plus an output bias)`, args: [x, withoutBiases(p, ['bq']), 2] });
    cases.push({ name: `a large residual stream (x × 10, ${shape(3, 4, 2)}: LayerNorm's input is far from unit size)`, args: randomInput(rng, 3, 4, 2, 10) });
    return cases;
  },
  reference: ({ tf }: ReferenceContext, x, p, numHeads) => blockSteps(tf, x, p, numHeads).output,
  trace: ({ tf }: ReferenceContext, x, p, numHeads) => blockSteps(tf, x, p, numHeads).steps,
  properties: [
    {
      name: 'with both output projections zero, the block passes x through unchanged',
      cases: (rng) => [silencedCalls(rng, 3, 4, 2), silencedCalls(rng, 4, 6, 3)],
      holds: matricesAgree<Args>(
        'transformerBlock',
        ([y], [[x]]) => [y, x],
        (difference) =>
          `With wo, bo, w2 and b2 all zero, attn and mlp add nothing, so the output must be x itself; yours and x differ (yours first): ${difference}. ` +
          'Pre-norm keeps the residual stream un-normalised: y = a + mlp(ln_2(a)), a = x + attn(ln_1(x)), and LayerNorm only ever sees the sublayers\' inputs.',
      ),
    },
    {
      name: 'changing the last token leaves the earlier outputs unchanged',
      cases: (rng) => [lastTokenChanged(rng, 3, 4, 2), lastTokenChanged(rng, 4, 6, 3)],
      holds: matricesAgree<Args>(
        'transformerBlock',
        ([before, after]) => [before.slice(0, -1), after.slice(0, -1)],
        (difference) =>
          `Replacing only the last token of x changed the outputs of earlier tokens (before, then after: ${difference}). ` +
          'Only attention mixes tokens, and it is causal: token i sees tokens 0 … i. LayerNorm and the MLP work on each row alone.',
      ),
    },
  ],
  misconceptions: [
    {
      id: 'post-norm',
      title: { en: 'post-norm: LayerNorm after each residual sum (the 2017 paper\'s order)', 'zh-CN': '后置归一化：在每次残差求和之后做 LayerNorm（2017 年论文的顺序）' },
      message: {
        en:
          'Your block computes ln_1(x + attn(x)), then ln_2(a + mlp(a)): the original Transformer\'s post-norm. GPT-2 is pre-norm: each sublayer reads a normalised copy and its output is added to the un-normalised stream, ' +
          'a = x + attn(ln_1(x)), y = a + mlp(ln_2(a)). In the lesson example y[0][0] should be 3.018878.',
        'zh-CN':
          '你的块先算 ln_1(x + attn(x))，再算 ln_2(a + mlp(a))：这是最初 Transformer 的后置归一化。GPT-2 是前置归一化：每个子层读取一份归一化副本，其输出加到未归一化的残差流上，' +
          'a = x + attn(ln_1(x))，y = a + mlp(ln_2(a))。在课程的例子中，y[0][0] 应为 3.018878。',
      },
      hint: {
        en: 'In GPT-2, is the block\'s output normalised? Look at where ln_1 and ln_2 sit in the formula: before or after the sum?',
        'zh-CN': '在 GPT-2 中，块的输出是归一化过的吗？看看 ln_1 和 ln_2 在公式中的位置：在求和之前还是之后？',
      },
      wrong: inOrder('post'),
    },
    {
      id: 'residual-dropped',
      title: { en: 'a residual connection dropped', 'zh-CN': '丢了一个残差连接' },
      message: {
        en:
          'Your block returns a sublayer\'s output without adding its input back: attn(ln_1(x)) in place of x + attn(ln_1(x)), or mlp(ln_2(a)) in place of a + mlp(ln_2(a)). ' +
          'Both sums are the residual stream: each sublayer only adds to it. In the lesson example a[0] should be x[0] + attn[0] = [2.499995, −1.999995, 1.999995, −2.499995].',
        'zh-CN':
          '你的块返回了某个子层的输出，却没有把它的输入加回去：用 attn(ln_1(x)) 代替了 x + attn(ln_1(x))，或者用 mlp(ln_2(a)) 代替了 a + mlp(ln_2(a))。这两个和就是残差流：每个子层都只往里加。' +
          '在课程的例子中，a[0] 应为 x[0] + attn[0] = [2.499995, −1.999995, 1.999995, −2.499995]。',
      },
      hint: {
        en: 'Count the additions in the formula: there are two. With both sublayers\' outputs zero, what should the block return?',
        'zh-CN': '数一数公式中的加法：一共两次。当两个子层的输出都为零时，块应该返回什么？',
      },
      wrong: (_ctx, x, p, H) => anyOf(block64(x, p, H, 'no-attn-residual'), block64(x, p, H, 'no-mlp-residual')),
    },
    {
      id: 'ln-on-residual-stream',
      title: { en: 'LayerNorm applied to the residual stream itself', 'zh-CN': '对残差流本身做了 LayerNorm' },
      message: {
        en:
          'Your block replaces the stream by its normalised copy before adding to it: h = ln_1(x), a = h + attn(h), then g = ln_2(a), y = g + mlp(g). ' +
          'The normalised copy is only the sublayer\'s input; the sum starts from the un-normalised x (and a): a = x + attn(ln_1(x)). In the lesson example a[1] should be x[1] + attn[1] = [3.499995, 2.608852, −0.608852, −1.499995]; started from ln_1(x)[1] it is [2.49999, 1.608847, −1.608847, −2.49999].',
        'zh-CN':
          '你的块在往残差流上加之前，先用它的归一化副本替换了它：h = ln_1(x)，a = h + attn(h)，然后 g = ln_2(a)，y = g + mlp(g)。归一化副本只是子层的输入；求和要从未归一化的 x（以及 a）出发：a = x + attn(ln_1(x))。' +
          '在课程的例子中，a[1] 应为 x[1] + attn[1] = [3.499995, 2.608852, −0.608852, −1.499995]；从 ln_1(x)[1] 出发则是 [2.49999, 1.608847, −1.608847, −2.49999]。',
      },
      hint: {
        en: 'What is added to attn(ln_1(x)): x, or ln_1(x)? Try a large x (× 10): the stream should keep its size.',
        'zh-CN': '加到 attn(ln_1(x)) 上的是 x 还是 ln_1(x)？试一个很大的 x（× 10）：残差流应当保持它的大小。',
      },
      wrong: inOrder('normed-stream'),
    },
    {
      id: 'parallel-residual',
      title: { en: 'the MLP reads ln_2(x), in parallel with attention (GPT-J\'s order)', 'zh-CN': 'MLP 读取 ln_2(x)，与注意力并行（GPT-J 的顺序）' },
      message: {
        en: 'Your block computes x + attn(ln_1(x)) + mlp(ln_2(x)): both sublayers read x, as GPT-J and GPT-NeoX do. GPT-2 runs them one after the other: the MLP reads ln_2(a), with a = x + attn(ln_1(x)) already containing the attention\'s output.',
        'zh-CN': '你的块计算的是 x + attn(ln_1(x)) + mlp(ln_2(x))：两个子层都读取 x，GPT-J 和 GPT-NeoX 就是这样做的。GPT-2 则让它们先后执行：MLP 读取 ln_2(a)，其中 a = x + attn(ln_1(x)) 已经包含了注意力的输出。',
      },
      hint: {
        en: 'Which stream does the MLP\'s LayerNorm read: the block\'s input x, or a, after attention has added to it?',
        'zh-CN': 'MLP 的 LayerNorm 读取的是哪条流：块的输入 x，还是注意力已经加过的 a？',
      },
      wrong: inOrder('parallel'),
    },
    {
      id: 'query-bias-dropped',
      title: { en: 'the query bias bq left out', 'zh-CN': '漏了查询偏置 bq' },
      message: {
        en:
          'Your attention matches GPT-2\'s with bq = 0: the query bias is missing (as when multiHeadAttention, which has no biases, is used for the projections). bk and bv may fold away, but bq does not: (q + bq)·k_j changes with j. ' +
          'Compute q = ln_1(x)·wq + bq yourself and run causal attention per head, as the lesson shows.',
        'zh-CN':
          '你的注意力只在 bq = 0 时与 GPT-2 一致：缺了查询偏置（比如用没有偏置的 multiHeadAttention 来做投影时就会这样）。bk 和 bv 可以消去或并入，但 bq 不行：(q + bq)·k_j 随 j 变化。' +
          '请自己计算 q = ln_1(x)·wq + bq，再逐头运行因果注意力，如课程所示。',
      },
      hint: {
        en: 'The case "bq = 0" passes and the others fail? Which bias is zero there, and what does it do to the scores?',
        'zh-CN': '「bq = 0」那个用例通过了，其他的却没有？那里哪个偏置是零，它对分数有什么影响？',
      },
      wrong: (_ctx, x, p, H) => block64(x, withoutBiases(p, ['bq']), H),
    },
    {
      id: 'attention-biases-dropped',
      title: { en: 'the attention\'s biases left out', 'zh-CN': '漏了注意力的偏置' },
      message: {
        en:
          'Your attention ignores its biases (bq and bv, with bo too or not): GPT-2\'s c_attn and c_proj have biases, q = h·wq + bq, k = h·wk + bk, v = h·wv + bv, out = merged·wo + bo. ' +
          'bk alone may be dropped (it shifts a query\'s scores by one constant), bv folds into the output bias as bv·wo + bo, and bq must be added to q.',
        'zh-CN':
          '你的注意力忽略了它的偏置（bq 和 bv，bo 可能也漏了）：GPT-2 的 c_attn 和 c_proj 都有偏置，q = h·wq + bq，k = h·wk + bk，v = h·wv + bv，out = merged·wo + bo。' +
          '只有 bk 可以丢掉（它只是把一个查询的所有分数平移同一个常数），bv 可以并入输出偏置成为 bv·wo + bo，而 bq 必须加到 q 上。',
      },
      hint: {
        en: 'Count the attention\'s parameters in BlockParams: eight. Which of them does your attention use?',
        'zh-CN': '数一数 BlockParams 中注意力的参数：一共八个。你的注意力用到了其中哪些？',
      },
      wrong: (_ctx, x, p, H) => anyOf(block64(x, withoutBiases(p, ['bq', 'bk', 'bv', 'bo']), H), block64(x, withoutBiases(p, ['bq', 'bk', 'bv']), H)),
    },
  ],
  hints: [
    {
      en: 'Two steps, each a sum: a = x + attn(ln_1(x)), then y = a + mlp(ln_2(a)). Your layerNorm (ε = 1e-5) and mlp do the inner parts.',
      'zh-CN': '两步，每步都是一次求和：a = x + attn(ln_1(x))，然后 y = a + mlp(ln_2(a))。内部的部分由你的 layerNorm（ε = 1e-5）和 mlp 完成。',
    },
    {
      en: 'The attention has biases: q = h·wq + bq (k, v likewise), causal attention per contiguous head of width C / numHeads, merged, ·wo + bo.',
      'zh-CN': '注意力带偏置：q = h·wq + bq（k、v 同理），对每个宽度为 C / numHeads 的连续头做因果注意力，拼接后再 ·wo + bo。',
    },
    {
      en: 'LayerNorm only ever makes a sublayer\'s input: the sums start from x and from a, never from their normalised copies.',
      'zh-CN': 'LayerNorm 只用来生成子层的输入：求和从 x 和 a 出发，绝不从它们的归一化副本出发。',
    },
  ],
});
