/**
 * vision/cross-attention — the cross-attention of BLIP-2's Q-Former: learned queries attend to image features.
 *
 *   q = queries·wq  [Q, C]      k = image·wk, v = image·wv  [M, C]
 *   head h (columns h·d … h·d + d − 1, d = C/numHeads):  softmax(q_h·k_hᵀ/√d)·v_h, softmax over the M tokens
 *   output = [head_0 … head_{H−1}]·wo  [Q, Dout]; no mask, bias, residual or LayerNorm; M = 0 → zeros
 *
 * Run `llm-tutor lesson vision/cross-attention` for the lesson, `llm-tutor hint` for a hint.
 */
export function crossAttention(queries: Matrix, image: Matrix, w: { wq: Matrix; wk: Matrix; wv: Matrix; wo: Matrix }, numHeads: number): Matrix {
  throw new Error('not implemented');
}
