/**
 * positions/rope-frequencies — model solution.
 * One frequency per pair of dimensions: θ_i = base^(−2i/d), i = 0 … d/2 − 1.
 */
export function ropeFrequencies(d: number, base: number): Vector {
  return Array.from({ length: d / 2 }, (_, i) => base ** (-(2 * i) / d));
}
