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
      title: 'post-norm: LayerNorm after each residual sum (the 2017 paper\'s order)',
      message:
        'Your block computes ln_1(x + attn(x)), then ln_2(a + mlp(a)): the original Transformer\'s post-norm. GPT-2 is pre-norm: each sublayer reads a normalised copy and its output is added to the un-normalised stream, ' +
        'a = x + attn(ln_1(x)), y = a + mlp(ln_2(a)). In the lesson example y[0][0] should be 3.018878.',
      hint: 'In GPT-2, is the block\'s output normalised? Look at where ln_1 and ln_2 sit in the formula: before or after the sum?',
      wrong: inOrder('post'),
    },
    {
      id: 'residual-dropped',
      title: 'a residual connection dropped',
      message:
        'Your block returns a sublayer\'s output without adding its input back: attn(ln_1(x)) in place of x + attn(ln_1(x)), or mlp(ln_2(a)) in place of a + mlp(ln_2(a)). ' +
        'Both sums are the residual stream: each sublayer only adds to it. In the lesson example a[0] should be x[0] + attn[0] = [2.499995, −1.999995, 1.999995, −2.499995].',
      hint: 'Count the additions in the formula: there are two. With both sublayers\' outputs zero, what should the block return?',
      wrong: (_ctx, x, p, H) => anyOf(block64(x, p, H, 'no-attn-residual'), block64(x, p, H, 'no-mlp-residual')),
    },
    {
      id: 'ln-on-residual-stream',
      title: 'LayerNorm applied to the residual stream itself',
      message:
        'Your block replaces the stream by its normalised copy before adding to it: h = ln_1(x), a = h + attn(h), then g = ln_2(a), y = g + mlp(g). ' +
        'The normalised copy is only the sublayer\'s input; the sum starts from the un-normalised x (and a): a = x + attn(ln_1(x)). In the lesson example a[1] should be x[1] + attn[1] = [3.499995, 2.608852, −0.608852, −1.499995]; started from ln_1(x)[1] it is [2.49999, 1.608847, −1.608847, −2.49999].',
      hint: 'What is added to attn(ln_1(x)): x, or ln_1(x)? Try a large x (× 10): the stream should keep its size.',
      wrong: inOrder('normed-stream'),
    },
    {
      id: 'parallel-residual',
      title: 'the MLP reads ln_2(x), in parallel with attention (GPT-J\'s order)',
      message:
        'Your block computes x + attn(ln_1(x)) + mlp(ln_2(x)): both sublayers read x, as GPT-J and GPT-NeoX do. GPT-2 runs them one after the other: the MLP reads ln_2(a), with a = x + attn(ln_1(x)) already containing the attention\'s output.',
      hint: 'Which stream does the MLP\'s LayerNorm read: the block\'s input x, or a, after attention has added to it?',
      wrong: inOrder('parallel'),
    },
    {
      id: 'query-bias-dropped',
      title: 'the query bias bq left out',
      message:
        'Your attention matches GPT-2\'s with bq = 0: the query bias is missing (as when multiHeadAttention, which has no biases, is used for the projections). bk and bv may fold away, but bq does not: (q + bq)·k_j changes with j. ' +
        'Compute q = ln_1(x)·wq + bq yourself and run causal attention per head, as the lesson shows.',
      hint: 'The case "bq = 0" passes and the others fail? Which bias is zero there, and what does it do to the scores?',
      wrong: (_ctx, x, p, H) => block64(x, withoutBiases(p, ['bq']), H),
    },
    {
      id: 'attention-biases-dropped',
      title: 'the attention\'s biases left out',
      message:
        'Your attention ignores its biases (bq and bv, with bo too or not): GPT-2\'s c_attn and c_proj have biases, q = h·wq + bq, k = h·wk + bk, v = h·wv + bv, out = merged·wo + bo. ' +
        'bk alone may be dropped (it shifts a query\'s scores by one constant), bv folds into the output bias as bv·wo + bo, and bq must be added to q.',
      hint: 'Count the attention\'s parameters in BlockParams: eight. Which of them does your attention use?',
      wrong: (_ctx, x, p, H) => anyOf(block64(x, withoutBiases(p, ['bq', 'bk', 'bv', 'bo']), H), block64(x, withoutBiases(p, ['bq', 'bk', 'bv']), H)),
    },
  ],
  hints: [
    'Two steps, each a sum: a = x + attn(ln_1(x)), then y = a + mlp(ln_2(a)). Your layerNorm (ε = 1e-5) and mlp do the inner parts.',
    'The attention has biases: q = h·wq + bq (k, v likewise), causal attention per contiguous head of width C / numHeads, merged, ·wo + bo.',
    'LayerNorm only ever makes a sublayer\'s input: the sums start from x and from a, never from their normalised copies.',
  ],
});
