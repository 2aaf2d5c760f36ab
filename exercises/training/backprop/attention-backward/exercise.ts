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
      title: 'dS = P ⊙ dP: the row-sum term of the softmax’s backward missing',
      message:
        'Each weight P_ij depends on every score of its row through the softmax’s denominator, so dS_ij = P_ij·(dP_ij − Σ_l P_il·dP_il). ' +
        'Without the row sum, the rows of dS no longer add up to 0: on the lesson example dS[0] is [0.163121, 0.475982, −0.639103], not P ⊙ dP = [0.401112, 0.593327, −0.401112].',
      hint: 'Does each row of your dS add up to 0? Adding one number to a whole row of scores changes no weight, so it must.',
      wrong: (_ctx, q, k, v, dOut) => backward(q, k, v, dOut, (p, dp) => hadamard(p, dp)),
    },
    {
      id: 'scale-missing',
      title: 'the 1/√d of the scores left out of dq or dk',
      message:
        'S = q·kᵀ/√d, so the chain rule through S carries 1/√d into both dq = dS·k/√d and dk = dSᵀ·q/√d. Without it they are √d times too large: ' +
        'on the lesson example (d = 2) dq[0] is [−0.336570, −0.115344], not [−0.475982, −0.163121].',
      hint: 'How do the scores depend on q? Write S for one pair (i, j) with every factor, and differentiate it by q_i.',
      wrong: (_ctx, q, k, v, dOut) => {
        const scale = 1 / Math.sqrt(q[0].length);
        return anyOf(backward(q, k, v, dOut, softmaxBackward, [1, 1]), backward(q, k, v, dOut, softmaxBackward, [scale, 1]), backward(q, k, v, dOut, softmaxBackward, [1, scale]));
      },
    },
    {
      id: 'jacobian-diagonal-only',
      title: 'the softmax differentiated entry by entry: dS = dP ⊙ P ⊙ (1 − P)',
      message:
        'P·(1 − P) is only the diagonal of the softmax’s Jacobian, ∂P_ij/∂S_ij, as for a sigmoid. Each weight also depends on the other scores of its row, ∂P_ij/∂S_il = −P_ij·P_il, ' +
        'which gives dS = P ⊙ (dP − rowsum(dP ⊙ P)): on the lesson example dS[0][0] is 0.163121, not 0.240221.',
      hint: 'A softmax weight depends on every score of its row. What is ∂P_ij/∂S_il for l ≠ j, and where is it in your dS?',
      wrong: (_ctx, q, k, v, dOut) => backward(q, k, v, dOut, (p, dp) => p.map((row, i) => row.map((pij, j) => dp[i][j] * pij * (1 - pij)))),
    },
  ],
  hints: [
    'Go backwards one step at a time, keeping the shapes: out = P·v (gives dv and dP), P = softmax(S) row by row (gives dS), S = q·kᵀ/√d (gives dq and dk).',
    'The softmax couples the scores of a row: dS_ij = Σ_l dP_il·∂P_il/∂S_ij, with ∂P_il/∂S_ij = P_il·([l = j] − P_ij).',
    'dv = Pᵀ·dOut, dP = dOut·vᵀ, dS = P ⊙ (dP − rowsum(dP ⊙ P)), then dq = dS·k/√d and dk = dSᵀ·q/√d.',
  ],
});
