import { anyOf, defineExercise, randomMatrix, type Rng, type Tensor, type Tf } from 'llm-tutor/pack';
import { close, columnSums, hadamard, isMatrix, matmul, scaled, show, softmaxRow, sum, transpose, wrongKind } from '../backprop-math.js';

type Args = [q: number[][], k: number[][], v: number[][], dOut: number[][]];
type Grads = { dq: number[][]; dk: number[][]; dv: number[][] };

/** Attention in tfjs, step by step: the scores q·kᵀ/√d and their softmax (the steps a trace shows), and the output P·v. */
function attentionSteps(tf: Tf, q: Tensor, k: Tensor, v: Tensor) {
  const scores = tf.div(tf.matMul(q, k, false, true), Math.sqrt(q.shape[1]!));
  const weights = tf.softmax(scores);
  return { steps: { scores, weights }, output: tf.matMul(weights, v) };
}

/** The softmax's backward as a variant computes it: from P and dP, the gradient with respect to the scores. */
type SoftmaxBackward = (p: number[][], dp: number[][]) => number[][];

/** dS = P ⊙ (dP − rowsum(dP ⊙ P)). */
const softmaxBackward: SoftmaxBackward = (p, dp) => p.map((row, i) => row.map((pij, j) => pij * (dp[i][j] - sum(hadamard([row], [dp[i]])[0]))));

/** The backward pass in float64, with the softmax's backward and the scales applied to dq and dk as a variant has them. */
function backward(q: number[][], k: number[][], v: number[][], dOut: number[][], ds: SoftmaxBackward = softmaxBackward, scales?: [dq: number, dk: number]): Grads {
  const scale = 1 / Math.sqrt(q[0].length);
  const p = matmul(q, transpose(k)).map((row) => softmaxRow(row.map((s) => s * scale)));
  const dS = ds(p, matmul(dOut, transpose(v)));
  const [sq, sk] = scales ?? [scale, scale];
  return { dq: scaled(matmul(dS, k), sq), dk: scaled(matmul(transpose(dS), q), sk), dv: matmul(transpose(p), dOut) };
}

/** Random q, k, v and dOut: n queries, m keys, width d, value width dv. */
function randomAttention(rng: Rng, n: number, m: number, d: number, dv: number): Args {
  return [randomMatrix(rng, n, d), randomMatrix(rng, m, d), randomMatrix(rng, m, dv), randomMatrix(rng, n, dv)];
}

const shape = (n: number, m: number, d: number, dv: number) => `n=${n}, m=${m}, d=${d}, dv=${dv}`;

const isGrads = (o: unknown): o is Grads => typeof o === 'object' && o !== null && ['dq', 'dk', 'dv'].every((f) => isMatrix((o as Record<string, unknown>)[f]));
const kind = '{ dq: Matrix, dk: Matrix, dv: Matrix }';

/** The first column where the sums over the rows of `got` and `want` differ beyond the tolerance, or −1. */
function firstColumnOff(got: number[][], want: number[]): number {
  const sums = columnSums(got);
  return want.findIndex((w, j) => !close(w, sums[j]));
}

export default defineExercise<Args, Grads>({
  entry: 'attentionBackward',
  signature: 'attentionBackward(q: Matrix, k: Matrix, v: Matrix, dOut: Matrix): { dq: Matrix; dk: Matrix; dv: Matrix }',
  cases: (rng) => {
    const [n, m, d] = [rng.int(2, 4), rng.int(4, 6), rng.int(3, 6)];
    const key = randomMatrix(rng, 1, 4)[0];
    return [
      { name: `the lesson example (${shape(2, 3, 2, 2)})`, args: [[[1, 0], [0, 1]], [[1, 0], [0, 1], [1, 1]], [[1, 2], [3, 0], [-1, 1]], [[1, 0], [0, 1]]] },
      { name: `random, n = m (${shape(3, 3, 4, 4)})`, args: randomAttention(rng, 3, 3, 4, 4) },
      { name: `random, fewer queries than keys (${shape(n, m, d, d + 1)})`, args: randomAttention(rng, n, m, d, d + 1) },
      { name: `random, more queries than keys (${shape(5, 2, 3, 2)})`, args: randomAttention(rng, 5, 2, 3, 2) },
      { name: `random, a wide head (${shape(2, 4, 16, 3)})`, args: randomAttention(rng, 2, 4, 16, 3) },
      { name: `one key (P = 1: dq and dk are 0, dv is the sum of dOut) (${shape(3, 1, 2, 2)})`, args: randomAttention(rng, 3, 1, 2, 2) },
      {
        name: `every key the same (P uniform: dq is 0) (${shape(2, 4, 4, 2)})`,
        args: [randomMatrix(rng, 2, 4), Array.from({ length: 4 }, () => [...key]), randomMatrix(rng, 4, 2), randomMatrix(rng, 2, 2)],
      },
    ];
  },
  gradient: {
    wrt: (q, k, v) => ({ dq: q, dk: k, dv: v }),
    loss: ({ tf }, vars, _q, _k, _v, dOut) => tf.mul(attentionSteps(tf, vars.dq, vars.dk, vars.dv).output, tf.tensor2d(dOut)),
  },
  trace: ({ tf }, q, k, v, dOut) => {
    const { steps } = attentionSteps(tf, tf.tensor2d(q), tf.tensor2d(k), tf.tensor2d(v));
    return { ...steps, 'dP = dOut·vᵀ': tf.matMul(tf.tensor2d(dOut), tf.tensor2d(v), false, true) };
  },
  properties: [
    {
      name: 'the keys’ gradients add up to 0',
      cases: (rng) => [
        { name: shape(2, 4, 3, 2), calls: [randomAttention(rng, 2, 4, 3, 2)] },
        { name: shape(3, 3, 4, 3), calls: [randomAttention(rng, 3, 3, 4, 3)] },
      ],
      holds: (outputs) => {
        const odd = wrongKind('attentionBackward', kind, outputs, isGrads);
        if (odd) return odd;
        const { dk } = outputs[0];
        const j = firstColumnOff(dk, dk[0].map(() => 0));
        if (j < 0) return undefined;
        return (
          `Column ${j} of your dk adds up to ${show(columnSums(dk)[j])} over the keys, not 0. Adding one vector to every key adds the same number to every score of a query’s row, ` +
          'which changes no softmax weight, so it cannot change the loss. That is because each row of dS adds up to 0: the −rowsum(dP ⊙ P) term makes it so.'
        );
      },
    },
    {
      name: 'the values’ gradients add up to the sum of dOut',
      cases: (rng) => [
        { name: shape(2, 4, 3, 2), calls: [randomAttention(rng, 2, 4, 3, 2)] },
        { name: shape(4, 3, 2, 3), calls: [randomAttention(rng, 4, 3, 2, 3)] },
      ],
      holds: (outputs, calls) => {
        const odd = wrongKind('attentionBackward', kind, outputs, isGrads);
        if (odd) return odd;
        const want = columnSums(calls[0][3]);
        const j = firstColumnOff(outputs[0].dv, want);
        if (j < 0) return undefined;
        return (
          `Column ${j} of your dv adds up to ${show(columnSums(outputs[0].dv)[j])} over the values, but dOut’s column ${j} adds up to ${show(want[j])}. ` +
          'dv = Pᵀ·dOut, and each row of P adds up to 1, so adding one vector to every value adds it to every output: Σ_j dv_j = Σ_i dOut_i.'
        );
      },
    },
  ],
  misconceptions: [
    {
      id: 'rowsum-missing',
      title: { en: 'dS = P ⊙ dP: the row-sum term of the softmax’s backward missing', 'zh-CN': 'dS = P ⊙ dP：漏了 softmax 反向中的行和项' },
      message: {
        en:
          'Each weight P_ij depends on every score of its row through the softmax’s denominator, so dS_ij = P_ij·(dP_ij − Σ_l P_il·dP_il). ' +
          'Without the row sum, the rows of dS no longer add up to 0: on the lesson example dS[0] is [0.163121, 0.475982, −0.639103], not P ⊙ dP = [0.401112, 0.593327, −0.401112].',
        'zh-CN':
          '每个权重 P_ij 都通过 softmax 的分母依赖于它所在行的每个分数，所以 dS_ij = P_ij·(dP_ij − Σ_l P_il·dP_il)。没有行和项，dS 的各行之和就不再是 0：' +
          '在课程的例子中，dS[0] 应为 [0.163121, 0.475982, −0.639103]，而不是 P ⊙ dP = [0.401112, 0.593327, −0.401112]。',
      },
      hint: {
        en: 'Does each row of your dS add up to 0? Adding one number to a whole row of scores changes no weight, so it must.',
        'zh-CN': '你的 dS 每一行之和是 0 吗？给一整行分数加上同一个数不会改变任何权重，所以它必须是 0。',
      },
      wrong: (_ctx, q, k, v, dOut) => backward(q, k, v, dOut, (p, dp) => hadamard(p, dp)),
    },
    {
      id: 'scale-missing',
      title: { en: 'the 1/√d of the scores left out of dq or dk', 'zh-CN': 'dq 或 dk 中漏了分数里的 1/√d' },
      message: {
        en:
          'S = q·kᵀ/√d, so the chain rule through S carries 1/√d into both dq = dS·k/√d and dk = dSᵀ·q/√d. Without it they are √d times too large: ' +
          'on the lesson example (d = 2) dq[0] is [−0.336570, −0.115344], not [−0.475982, −0.163121].',
        'zh-CN':
          'S = q·kᵀ/√d，所以经过 S 的链式法则会把 1/√d 同时带进 dq = dS·k/√d 和 dk = dSᵀ·q/√d。漏了它，结果就大了 √d 倍：' +
          '在课程的例子中（d = 2），dq[0] 应为 [−0.336570, −0.115344]，而不是 [−0.475982, −0.163121]。',
      },
      hint: {
        en: 'How do the scores depend on q? Write S for one pair (i, j) with every factor, and differentiate it by q_i.',
        'zh-CN': '分数是如何依赖 q 的？把某一对 (i, j) 的 S 连同每个因子完整写出来，再对 q_i 求导。',
      },
      wrong: (_ctx, q, k, v, dOut) => {
        const scale = 1 / Math.sqrt(q[0].length);
        return anyOf(backward(q, k, v, dOut, softmaxBackward, [1, 1]), backward(q, k, v, dOut, softmaxBackward, [scale, 1]), backward(q, k, v, dOut, softmaxBackward, [1, scale]));
      },
    },
    {
      id: 'jacobian-diagonal-only',
      title: { en: 'the softmax differentiated entry by entry: dS = dP ⊙ P ⊙ (1 − P)', 'zh-CN': '对 softmax 逐元素求导：dS = dP ⊙ P ⊙ (1 − P)' },
      message: {
        en:
          'P·(1 − P) is only the diagonal of the softmax’s Jacobian, ∂P_ij/∂S_ij, as for a sigmoid. Each weight also depends on the other scores of its row, ∂P_ij/∂S_il = −P_ij·P_il, ' +
          'which gives dS = P ⊙ (dP − rowsum(dP ⊙ P)): on the lesson example dS[0][0] is 0.163121, not 0.240221.',
        'zh-CN':
          'P·(1 − P) 只是 softmax 雅可比矩阵的对角线 ∂P_ij/∂S_ij，就像 sigmoid 那样。每个权重还依赖于同一行的其他分数，∂P_ij/∂S_il = −P_ij·P_il，由此得到 dS = P ⊙ (dP − rowsum(dP ⊙ P))：' +
          '在课程的例子中，dS[0][0] 应为 0.163121，而不是 0.240221。',
      },
      hint: {
        en: 'A softmax weight depends on every score of its row. What is ∂P_ij/∂S_il for l ≠ j, and where is it in your dS?',
        'zh-CN': '一个 softmax 权重依赖于它所在行的每个分数。当 l ≠ j 时 ∂P_ij/∂S_il 是多少？它在你的 dS 里体现在哪儿？',
      },
      wrong: (_ctx, q, k, v, dOut) => backward(q, k, v, dOut, (p, dp) => p.map((row, i) => row.map((pij, j) => dp[i][j] * pij * (1 - pij)))),
    },
  ],
  hints: [
    {
      en: 'Go backwards one step at a time, keeping the shapes: out = P·v (gives dv and dP), P = softmax(S) row by row (gives dS), S = q·kᵀ/√d (gives dq and dk).',
      'zh-CN': '一次反向走一步，并时刻关注形状：out = P·v（得到 dv 和 dP），P = softmax(S) 逐行计算（得到 dS），S = q·kᵀ/√d（得到 dq 和 dk）。',
    },
    {
      en: 'The softmax couples the scores of a row: dS_ij = Σ_l dP_il·∂P_il/∂S_ij, with ∂P_il/∂S_ij = P_il·([l = j] − P_ij).',
      'zh-CN': 'softmax 把一行中的分数耦合在一起：dS_ij = Σ_l dP_il·∂P_il/∂S_ij，其中 ∂P_il/∂S_ij = P_il·([l = j] − P_ij)。',
    },
    {
      en: 'dv = Pᵀ·dOut, dP = dOut·vᵀ, dS = P ⊙ (dP − rowsum(dP ⊙ P)), then dq = dS·k/√d and dk = dSᵀ·q/√d.',
      'zh-CN': 'dv = Pᵀ·dOut，dP = dOut·vᵀ，dS = P ⊙ (dP − rowsum(dP ⊙ P))，然后 dq = dS·k/√d，dk = dSᵀ·q/√d。',
    },
  ],
});
