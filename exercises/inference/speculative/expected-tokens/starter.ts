/**
 * speculative/expected-tokens — the expected number of tokens one step of
 * speculative decoding produces, when each draft token is accepted with
 * probability alpha (independently) and the draft proposes gamma tokens:
 *
 *   E = 1 + α + α² + … + α^γ = (1 − α^(γ+1)) / (1 − α)      (γ + 1 when α = 1)
 *
 * Run `llm-tutor lesson speculative/expected-tokens` for the lesson, `llm-tutor hint` for a hint.
 */
export function expectedTokensPerStep(alpha: number, gamma: number): number {
  throw new Error('not implemented');
}
