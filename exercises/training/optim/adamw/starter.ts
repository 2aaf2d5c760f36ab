/**
 * optim/adamw — one step of AdamW, as torch.optim.AdamW takes it.
 *
 *   t ← t + 1
 *   θ ← θ − lr·λ·θ                       (decoupled weight decay)
 *   m ← β1·m + (1 − β1)·g,   v ← β2·v + (1 − β2)·g²
 *   m̂ = m / (1 − β1ᵗ),      v̂ = v / (1 − β2ᵗ)
 *   θ ← θ − lr·m̂ / (√v̂ + ε)
 *
 * Return the new parameters and the new state { m, v, t }; leave the inputs unchanged.
 * Graded over runs of up to 50 steps, each fed your own previous output.
 * Run `llm-tutor lesson optim/adamw` for the lesson, `llm-tutor hint` for a hint.
 */
export function adamwStep(params: Vector, grads: Vector, state: { m: Vector; v: Vector; t: number }, hp: { lr: number; beta1: number; beta2: number; eps: number; weightDecay: number }): { params: Vector; state: { m: Vector; v: Vector; t: number } } {
  throw new Error('not implemented');
}
