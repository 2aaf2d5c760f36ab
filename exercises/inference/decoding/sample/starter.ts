/**
 * decoding/sample — draw a token with a given uniform number, by inverse-CDF sampling.
 *
 *   probs may be unnormalised weights (≥ 0); u is in [0, 1)
 *   return the first i with u·Σp < p_0 + p_1 + … + p_i
 *
 * Run `llm-tutor lesson decoding/sample` for the lesson, `llm-tutor hint` for a hint.
 */
export function sampleToken(probs: Vector, u: number): number {
  throw new Error('not implemented');
}
