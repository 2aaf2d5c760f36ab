import { anyOf, defineExercise, randomMatrix, randomVector, tidy, type Rng, type Tensor, type Tf } from 'llm-tutor/pack';
import { columnSums, hadamard, isVector, mean, show, sum, wrongKind } from '../backprop-math.js';

type Args = [x: number[][], gamma: number[], dy: number[][], eps: number];
type Grads = { dx: number[][]; dgamma: number[]; dbeta: number[] };

/** LayerNorm's forward pass in tfjs, step by step: the mean, rstd and normalised rows of x (biased variance), and y = n·γ + β. */
function layerNormSteps(tf: Tf, x: Tensor, gamma: Tensor, beta: Tensor, eps: number) {
  const mu = tf.mean(x, 1, true);
  const centred = tf.sub(x, mu);
  const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(centred), 1, true), eps));
  const n = tf.mul(centred, rstd);
  return { steps: { mean: mu, rstd, n }, output: tf.add(tf.mul(n, gamma), beta) };
}

/** How a variant normalises a row and combines dn into dx: `divisor` of the variance, and which of the two mean terms it keeps. */
interface Recipe {
  divisor: (c: number) => number;
  meanTerm: boolean;
  projection: (dn: number[], n: number[], c: number) => number;
  gamma: boolean;
}

const right: Recipe = { divisor: (c) => c, meanTerm: true, projection: (dn, n) => mean(hadamard([dn], [n])[0]), gamma: true };

/** The backward pass in float64 by the lesson's formula, each choice taken from `recipe`. */
function backward(x: number[][], gamma: number[], dy: number[][], eps: number, recipe: Recipe): Grads {
  const normalised = x.map((row) => {
    const mu = mean(row);
    const rstd = 1 / Math.sqrt(sum(row.map((v) => (v - mu) ** 2)) / recipe.divisor(row.length) + eps);
    return { rstd, n: row.map((v) => (v - mu) * rstd) };
  });
  const dx = normalised.map(({ rstd, n }, i) => {
    const dn = dy[i].map((g, j) => (recipe.gamma ? g * gamma[j] : g));
    const shift = recipe.meanTerm ? mean(dn) : 0;
    const projection = recipe.projection(dn, n, n.length);
    return dn.map((g, j) => rstd * (g - shift - n[j] * projection));
  });
  return { dx, dgamma: columnSums(hadamard(dy, normalised.map((r) => r.n))), dbeta: columnSums(dy) };
}

/** A random LayerNorm input of `rows` × `c`, with γ near 1 and ε = 1e-5. */
function randomInput(rng: Rng, rows: number, c: number, eps = 1e-5): Args {
  return [randomMatrix(rng, rows, c, 1.5), randomVector(rng, c, 0.5).map((g) => tidy(1 + g)), randomMatrix(rng, rows, c), eps];
}

const isGrads = (o: unknown): o is Grads => typeof o === 'object' && o !== null && Array.isArray((o as Grads).dx) && (o as Grads).dx.every(isVector);

/** The first row of the learner's dx whose `measure` is not 0 (beyond 1e-6 of its `scale`), with that measure; undefined when every row is. */
function firstNonZeroRow(outputs: Grads[], calls: Args[], measure: (dxRow: number[], xRow: number[]) => { value: number; scale: number }): { row: number; value: number } | undefined {
  const dx = outputs[0].dx;
  for (const [i, xRow] of calls[0][0].entries()) {
    const { value, scale } = measure(dx[i] ?? [], xRow);
    if (!(Math.abs(value) <= 1e-9 + 1e-6 * scale)) return { row: i, value };
  }
  return undefined;
}

export default defineExercise<Args, Grads>({
  entry: 'layerNormBackward',
  signature: 'layerNormBackward(x: Matrix, gamma: Vector, dy: Matrix, eps: number): { dx: Matrix; dgamma: Vector; dbeta: Vector }',
  cases: (rng) => {
    const [rows, c] = [rng.int(3, 5), rng.int(5, 8)];
    return [
      { name: 'the lesson example (one row of 4, ε = 1e-5)', args: [[[1, 2, 3, 6]], [1, 0.5, 2, -1], [[0.5, -1, 2, 1]], 1e-5] },
      { name: 'random, 2 rows of 4', args: randomInput(rng, 2, 4) },
      { name: `random, ${rows} rows of ${c}`, args: randomInput(rng, rows, c) },
      { name: 'random, 4 rows of 16 (a small model width)', args: randomInput(rng, 4, 16) },
      { name: 'random, 3 rows of 6, ε = 1e-3 (the Keras and TensorFlow.js layers default)', args: randomInput(rng, 3, 6, 1e-3) },
      { name: 'two entries per row (C = 2: unbiased variance is twice the biased one)', args: randomInput(rng, 3, 2) },
      {
        name: 'a constant row (variance 0: rstd = 1/√ε ≈ 316.2, n = 0)',
        args: [[[2, 2, 2, 2], [1, -1, 0.5, 3]], [1, 2, 0.5, -1], [[1, 0, -1, 0.5], [0.5, 1, -1, 2]], 1e-5],
      },
    ];
  },
  gradient: {
    wrt: (x, gamma) => ({ dx: x, dgamma: gamma, dbeta: gamma.map(() => 0) }),
    loss: ({ tf }, vars, _x, _gamma, dy, eps) => tf.mul(layerNormSteps(tf, vars.dx, vars.dgamma, vars.dbeta, eps).output, tf.tensor2d(dy)),
  },
  trace: ({ tf }, x, gamma, dy, eps) => {
    const { steps } = layerNormSteps(tf, tf.tensor2d(x), tf.tensor1d(gamma), tf.zerosLike(tf.tensor1d(gamma)), eps);
    return { ...steps, 'dn = dy·γ': tf.mul(tf.tensor2d(dy), tf.tensor1d(gamma)) };
  },
  properties: [
    {
      name: 'each row of dx adds up to 0',
      cases: (rng) => [
        { name: '3 rows of 5', calls: [randomInput(rng, 3, 5)] },
        { name: '2 rows of 8', calls: [randomInput(rng, 2, 8)] },
      ],
      holds: (outputs, calls) => {
        const odd = wrongKind('layerNormBackward', '{ dx: Matrix, dgamma: Vector, dbeta: Vector }', outputs, isGrads);
        if (odd) return odd;
        const bad = firstNonZeroRow(outputs, calls, (dx) => ({ value: sum(dx), scale: sum(dx.map(Math.abs)) }));
        if (!bad) return undefined;
        return (
          `Row ${bad.row} of your dx adds up to ${show(bad.value)}, not 0. Adding one amount to every entry of a row moves its mean by the same amount and changes no n, ` +
          'so it cannot change the loss: dx has no component along (1, 1, …, 1). The −mean(dn) term is what removes it.'
        );
      },
    },
    {
      name: 'with ε = 0, dx is orthogonal to x − μ in each row',
      cases: (rng) => [
        { name: '3 rows of 5, ε = 0', calls: [randomInput(rng, 3, 5, 0)] },
        { name: '2 rows of 8, ε = 0', calls: [randomInput(rng, 2, 8, 0)] },
      ],
      holds: (outputs, calls) => {
        const odd = wrongKind('layerNormBackward', '{ dx: Matrix, dgamma: Vector, dbeta: Vector }', outputs, isGrads);
        if (odd) return odd;
        const bad = firstNonZeroRow(outputs, calls, (dx, x) => {
          const mu = mean(x);
          const terms = x.map((v, j) => (dx[j] ?? NaN) * (v - mu));
          return { value: sum(terms), scale: sum(terms.map(Math.abs)) };
        });
        if (!bad) return undefined;
        return (
          `In row ${bad.row}, Σ_j dx_j·(x_j − μ) is ${show(bad.value)}, not 0. With ε = 0, scaling a row about its mean, x → μ + s·(x − μ), changes no n, ` +
          'so it cannot change the loss: dx has no component along x − μ. The −n·mean(dn·n) term is what removes it.'
        );
      },
    },
  ],
  misconceptions: [
    {
      id: 'mean-term-missing',
      title: { en: 'the −mean(dn) term missing from dx', 'zh-CN': 'dx 中漏了 −mean(dn) 项' },
      message: {
        en:
          'μ depends on every entry of the row, so moving one x_k moves every n_j through μ: that is the −mean(dn) term of dx = rstd·(dn − mean(dn) − n·mean(dn·n)). ' +
          'Without it the rows of dx do not add up to 0: on the lesson example dx[0] becomes 0.000001 instead of −0.400891.',
        'zh-CN':
          'μ 依赖于一行中的每个元素，所以改变一个 x_k 会经由 μ 改变每个 n_j：这就是 dx = rstd·(dn − mean(dn) − n·mean(dn·n)) 中的 −mean(dn) 项。' +
          '没有它，dx 的各行之和就不为 0：在课程的例子中，dx[0] 变成 0.000001，而不是 −0.400891。',
      },
      hint: {
        en: 'Add 1 to every entry of a row: n does not change, so neither does the loss. Does your dx add up to 0 along each row?',
        'zh-CN': '给一行中的每个元素都加 1：n 不变，损失也就不变。你的 dx 每一行之和是 0 吗？',
      },
      wrong: (_ctx, x, gamma, dy, eps) => backward(x, gamma, dy, eps, { ...right, meanTerm: false }),
    },
    {
      id: 'projection-term-missing',
      title: { en: 'the −n·mean(dn·n) term missing from dx', 'zh-CN': 'dx 中漏了 −n·mean(dn·n) 项' },
      message: {
        en:
          'rstd depends on every entry of the row through the variance, so moving one x_k rescales every n_j: that is the −n·mean(dn·n) term of dx = rstd·(dn − mean(dn) − n·mean(dn·n)). ' +
          'Without it, on the lesson example, dx[0] becomes −0.133630 instead of −0.400891.',
        'zh-CN':
          'rstd 通过方差依赖于一行中的每个元素，所以改变一个 x_k 会缩放每个 n_j：这就是 dx = rstd·(dn − mean(dn) − n·mean(dn·n)) 中的 −n·mean(dn·n) 项。' +
          '没有它，在课程的例子中，dx[0] 变成 −0.133630，而不是 −0.400891。',
      },
      hint: {
        en: 'Which quantities of the forward pass depend on the whole row? There are two, and each gives one term subtracted from dn.',
        'zh-CN': '前向计算中有哪些量依赖于整行？有两个，它们各自给出一项，从 dn 中减去。',
      },
      wrong: (_ctx, x, gamma, dy, eps) => backward(x, gamma, dy, eps, { ...right, projection: () => 0 }),
    },
    {
      id: 'unbiased-variance',
      title: { en: 'the unbiased variance (divided by C − 1)', 'zh-CN': '用了无偏方差（除以 C − 1）' },
      message: {
        en:
          'LayerNorm’s variance is biased: mean((x − μ)²), divided by C, as PyTorch’s nn.LayerNorm and GPT-2 compute it. Dividing by C − 1 changes rstd and n, ' +
          'so dx and dγ change: on the lesson example rstd is 0.534522 (σ² = 14/4 = 3.5), not 0.462910 (σ² = 14/3), and dγ[3] is 1.603565, not 1.388729.',
        'zh-CN':
          'LayerNorm 的方差是有偏的：mean((x − μ)²)，除以 C，PyTorch 的 nn.LayerNorm 和 GPT-2 都是这样算的。除以 C − 1 会改变 rstd 和 n，从而改变 dx 和 dγ：' +
          '在课程的例子中，rstd 应为 0.534522（σ² = 14/4 = 3.5），而不是 0.462910（σ² = 14/3），dγ[3] 应为 1.603565，而不是 1.388729。',
      },
      hint: {
        en: 'How many entries does the lesson’s row [1, 2, 3, 6] have, and what do you divide the sum of squared deviations by?',
        'zh-CN': '课程中的那一行 [1, 2, 3, 6] 有几个元素？你把偏差平方和除以了多少？',
      },
      // The lesson's formula with the unbiased rstd and n, or the exact gradient of an unbiased forward pass (mean(dn·n) then divides by C − 1).
      wrong: (_ctx, x, gamma, dy, eps) => {
        const unbiased = { ...right, divisor: (c: number) => c - 1 };
        return anyOf(
          backward(x, gamma, dy, eps, unbiased),
          backward(x, gamma, dy, eps, { ...unbiased, projection: (dn, n, c) => sum(hadamard([dn], [n])[0]) / (c - 1) }),
        );
      },
    },
    {
      id: 'gamma-forgotten',
      title: { en: 'dn = dy, without multiplying by γ', 'zh-CN': 'dn = dy，没有乘以 γ' },
      message: {
        en:
          'y = n·γ + β, so the gradient reaching n is dn = dy·γ, entry by entry, before the two mean terms are taken. With dn = dy, dx is wrong wherever γ ≠ 1: ' +
          'on the lesson example dx[2] is 1.737196 (dn[2] = 2·2 = 4), not 0.734967.',
        'zh-CN':
          'y = n·γ + β，所以在计算两个均值项之前，到达 n 的梯度是逐元素的 dn = dy·γ。用 dn = dy 时，凡是 γ ≠ 1 的地方 dx 都不对：' +
          '在课程的例子中，dx[2] 应为 1.737196（dn[2] = 2·2 = 4），而不是 0.734967。',
      },
      hint: {
        en: 'Before the normalisation’s backward pass, go back through y = n·γ + β: what does the gradient with respect to n pick up from γ?',
        'zh-CN': '在做归一化的反向传播之前，先经过 y = n·γ + β 反向：关于 n 的梯度从 γ 那里得到了什么？',
      },
      wrong: (_ctx, x, gamma, dy, eps) => backward(x, gamma, dy, eps, { ...right, gamma: false }),
    },
  ],
  hints: [
    {
      en: 'Work backwards one row at a time: first through y = n·γ + β (dγ, dβ and dn), then through n = (x − μ)·rstd, where μ and rstd both depend on the whole row.',
      'zh-CN': '一次处理一行，从后往前：先经过 y = n·γ + β（得到 dγ、dβ 和 dn），再经过 n = (x − μ)·rstd，其中 μ 和 rstd 都依赖于整行。',
    },
    {
      en: 'dβ = Σ_rows dy and dγ = Σ_rows dy·n. For dx, differentiate n_j with respect to x_k: the direct path gives rstd·dn_k, the path through μ and the path through rstd each give a term subtracted from it.',
      'zh-CN': 'dβ = Σ_rows dy，dγ = Σ_rows dy·n。对于 dx，求 n_j 对 x_k 的导数：直接路径给出 rstd·dn_k，经由 μ 的路径和经由 rstd 的路径各给出一项，从中减去。',
    },
    {
      en: 'With dn = dy·γ: dx = rstd·(dn − mean(dn) − n·mean(dn·n)), the means over the row, and σ² the biased variance.',
      'zh-CN': '设 dn = dy·γ：dx = rstd·(dn − mean(dn) − n·mean(dn·n))，均值都在一行上取，σ² 为有偏方差。',
    },
  ],
});
