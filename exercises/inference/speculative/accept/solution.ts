/**
 * speculative/accept — model solution: Leviathan et al.'s Algorithm 1 with
 * the uniforms given. Draft tokens are kept while u[i] < min(1, p/q); the one
 * token of the target's is drawn from the residual max(0, p − q) after a
 * rejection, or from p[γ] when every draft token was kept.
 */
export function speculativeStep(p: Matrix, q: Matrix, draft: number[], u: Vector, uResample: number): { tokens: number[]; accepted: number } {
  const gamma = draft.length;
  let accepted = 0;
  while (accepted < gamma) {
    const x = draft[accepted];
    if (!(u[accepted] < Math.min(1, p[accepted][x] / q[accepted][x]))) break;
    accepted++;
  }
  const weights = accepted < gamma ? p[accepted].map((pj, j) => Math.max(0, pj - q[accepted][j])) : p[gamma];
  return { tokens: [...draft.slice(0, accepted), sample(weights, uResample)], accepted };
}

/** decoding/sample's rule: the first j with u·Σw < w_0 + … + w_j (the weights need not sum to 1); the last token of positive weight if rounding leaves none. */
function sample(weights: number[], u: number): number {
  const threshold = u * weights.reduce((s, w) => s + w, 0);
  let cumulative = 0;
  let lastPositive = 0;
  for (let j = 0; j < weights.length; j++) {
    cumulative += weights[j];
    if (weights[j] > 0) lastPositive = j;
    if (threshold < cumulative) return j;
  }
  return lastPositive;
}
