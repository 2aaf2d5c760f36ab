/**
 * attention/multi-head — causal self-attention with several heads and the four projections.
 *
 *   Q = x·wq,  K = x·wk,  V = x·wv                     each [T, C]
 *   head_h = causalAttention(Q_h, K_h, V_h)            Q_h = columns h·dHead … (h+1)·dHead − 1
 *   out = concat(head_0, …, head_{H−1}) · wo           [T, C]
 *
 *   x:        [T, C]   one row per token
 *   w.wq, w.wk, w.wv, w.wo: [C, C]   (row-vector convention: y = x·W, no biases)
 *   numHeads: H, a divisor of C; dHead = C / H
 *   returns [T, C]
 *
 * Conventions:
 * - Head h is the CONTIGUOUS block of columns h·dHead … (h+1)·dHead − 1 of Q, K
 *   and V (GPT-2, nanoGPT, LLaMA), and its output goes back into the same columns.
 * - Each head is causal: token i sees tokens j <= i.
 * - The scale is 1/√dHead, the width of one head; the softmax must be stable.
 * Run `llm-tutor lesson attention/multi-head` for the lesson, `llm-tutor hint` for a hint.
 * You may import your own earlier solutions, e.g. `import { matmul } from '../foundations/matmul.js'`.
 */
export function multiHeadAttention(x: Matrix, w: { wq: Matrix; wk: Matrix; wv: Matrix; wo: Matrix }, numHeads: number): Matrix {
  throw new Error('not implemented');
}
