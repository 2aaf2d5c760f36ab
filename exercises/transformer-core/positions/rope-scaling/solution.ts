/**
 * positions/rope-scaling — model solution.
 * Linear scaling (Position Interpolation) divides every frequency by the factor;
 * NTK-aware scaling raises the base to base · factor^(d/(d−2)) and keeps the formula.
 */
export function scaledRopeFrequencies(d: number, base: number, factor: number, method: 'linear' | 'ntk'): Vector {
  const newBase = method === 'ntk' ? base * factor ** (d / (d - 2)) : base;
  const divisor = method === 'linear' ? factor : 1;
  return Array.from({ length: d / 2 }, (_, i) => newBase ** (-(2 * i) / d) / divisor);
}
