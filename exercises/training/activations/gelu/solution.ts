/**
 * activations/gelu — model solution.
 * The exact form needs erf, which JavaScript lacks: Abramowitz and Stegun's
 * formula 7.1.26 (|error| ≤ 1.5e-7) for z ≥ 0, and erf(−z) = −erf(z).
 */
function erf(z: number): number {
  const a = Math.abs(z);
  const t = 1 / (1 + 0.3275911 * a);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return Math.sign(z) * (1 - poly * Math.exp(-a * a));
}

export function gelu(x: Vector, approximate: 'none' | 'tanh'): Vector {
  if (approximate === 'tanh') {
    const c = Math.sqrt(2 / Math.PI);
    return x.map((v) => 0.5 * v * (1 + Math.tanh(c * (v + 0.044715 * v ** 3))));
  }
  return x.map((v) => 0.5 * v * (1 + erf(v / Math.SQRT2)));
}
