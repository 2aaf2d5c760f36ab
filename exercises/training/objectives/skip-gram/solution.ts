/**
 * objectives/skip-gram — model solution.
 * −log σ(u_o·v_c) for the context word, plus −log σ(−u_k·v_c) for each
 * negative, with log σ(x) = min(x, 0) − log(1 + e^−|x|) so that exp never
 * overflows.
 */
function dot(a: Vector, b: Vector): number {
  let total = 0;
  for (let i = 0; i < a.length; i++) total += a[i] * b[i];
  return total;
}

function logSigmoid(x: number): number {
  return Math.min(x, 0) - Math.log1p(Math.exp(-Math.abs(x)));
}

export function skipGramLoss(center: Vector, context: Vector, negatives: Matrix): number {
  let loss = -logSigmoid(dot(context, center));
  for (const negative of negatives) loss -= logSigmoid(-dot(negative, center));
  return loss;
}
