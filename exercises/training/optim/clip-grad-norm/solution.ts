/**
 * optim/clip-grad-norm — model solution: torch.nn.utils.clip_grad_norm_.
 * One L2 norm over every entry of every tensor; all of them scaled by the
 * same coefficient when it is below 1; the norm from before clipping returned.
 */
export function clipGradNorm(grads: Vector[], maxNorm: number): { grads: Vector[]; norm: number } {
  let sumOfSquares = 0;
  for (const g of grads) for (const x of g) sumOfSquares += x * x;
  const norm = Math.sqrt(sumOfSquares);
  const coefficient = maxNorm / (norm + 1e-6);
  const scale = coefficient < 1 ? coefficient : 1;
  return { grads: grads.map((g) => g.map((x) => x * scale)), norm };
}
