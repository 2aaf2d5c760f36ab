/**
 * optim/clip-grad-norm — clip gradients by their total norm, as torch's clip_grad_norm_.
 *
 *   norm = √(Σ over every tensor, every entry, of g²)     one norm for all the tensors
 *   coef = maxNorm / (norm + 1e-6)
 *   if coef < 1, multiply every entry of every tensor by coef
 *
 * Return the (new) gradients and the norm from BEFORE clipping; leave `grads` unchanged.
 * Run `llm-tutor lesson optim/clip-grad-norm` for the lesson, `llm-tutor hint` for a hint.
 */
export function clipGradNorm(grads: Vector[], maxNorm: number): { grads: Vector[]; norm: number } {
  throw new Error('not implemented');
}
