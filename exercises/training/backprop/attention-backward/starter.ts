/**
 * backprop/attention-backward — the backward pass of scaled dot-product
 * attention, unmasked.
 *
 *   forward:  S = q·kᵀ/√d,   P = softmax(S) along each row,   out = P·v
 *   q: [n, d], k: [m, d], v: [m, dv];  dOut: [n, dv], the gradient of the loss with respect to out
 *
 *   dv = Pᵀ·dOut                         [m, dv]
 *   dP = dOut·vᵀ                         [n, m]
 *   dS = P ⊙ (dP − rowsum(dP ⊙ P))       the softmax's backward, row by row
 *   dq = dS·k/√d    [n, d]        dk = dSᵀ·q/√d    [m, d]
 *
 * Run `llm-tutor lesson backprop/attention-backward` for the lesson, `llm-tutor hint` for a hint.
 */
export function attentionBackward(q: Matrix, k: Matrix, v: Matrix, dOut: Matrix): { dq: Matrix; dk: Matrix; dv: Matrix } {
  throw new Error('not implemented');
}
