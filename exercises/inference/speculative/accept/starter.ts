/**
 * speculative/accept — one step of speculative decoding (Leviathan et al. 2023, Algorithm 1).
 *
 *   p: [γ+1, V]  the target's distribution at each draft position, and one more
 *   q: [γ, V]    the draft model's distribution at each draft position
 *   draft[i]     the token the draft model drew from q[i]
 *
 *   accept draft[i] while u[i] < min(1, p[i][x] / q[i][x]), x = draft[i]
 *   at the first rejection: draw one token from max(0, p[i] − q[i]) with uResample
 *   if all γ were accepted: draw one token from p[γ] with uResample
 *   (draw as decoding/sample does: the first j with uResample·Σw < w_0 + … + w_j)
 *
 * Return the accepted draft tokens followed by the drawn token, and how many were accepted.
 * Run `llm-tutor lesson speculative/accept` for the lesson, `llm-tutor hint` for a hint.
 */
export function speculativeStep(p: Matrix, q: Matrix, draft: number[], u: Vector, uResample: number): { tokens: number[]; accepted: number } {
  throw new Error('not implemented');
}
