/**
 * speculative/expected-tokens — model solution: Leviathan et al.'s Eq. (1).
 * The closed form (1 − α^(γ+1))/(1 − α), and its limit γ + 1 at α = 1,
 * where the closed form would divide 0 by 0.
 */
export function expectedTokensPerStep(alpha: number, gamma: number): number {
  if (alpha === 1) return gamma + 1;
  return (1 - alpha ** (gamma + 1)) / (1 - alpha);
}
