/**
 * optim/adamw — model solution: one step of PyTorch's AdamW.
 * The decay shrinks θ directly (decoupled from the gradient); m and v are
 * corrected for starting at 0 with the new step count; ε goes after the root.
 */
export function adamwStep(params: Vector, grads: Vector, state: { m: Vector; v: Vector; t: number }, hp: { lr: number; beta1: number; beta2: number; eps: number; weightDecay: number }): { params: Vector; state: { m: Vector; v: Vector; t: number } } {
  const { lr, beta1, beta2, eps, weightDecay } = hp;
  const t = state.t + 1;
  const m = state.m.map((mi, i) => beta1 * mi + (1 - beta1) * grads[i]);
  const v = state.v.map((vi, i) => beta2 * vi + (1 - beta2) * grads[i] ** 2);
  const correction1 = 1 - beta1 ** t;
  const correction2 = 1 - beta2 ** t;
  const next = params.map((p, i) => {
    const decayed = p - lr * weightDecay * p;
    return decayed - (lr * (m[i] / correction1)) / (Math.sqrt(v[i] / correction2) + eps);
  });
  return { params: next, state: { m, v, t } };
}
