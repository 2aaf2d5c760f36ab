// Plain float64 activations shared by the activations exercises: GELU's
// reference (tfjs has no float64, and its tf.erf is float32), the wrong
// variants of the lessons' mistakes, and SiLU.

/**
 * erf(x) to float64 accuracy (relative error below 1e-15), from the series
 * erf(x) = (2/√π)·e^(−x²)·Σ_n 2ⁿ·x^(2n+1) / (1·3·5···(2n+1)), whose terms are
 * all positive, so nothing cancels. |x| > 6 gives ±1 (erfc(6) = 2e-17).
 */
export function erf(x: number): number {
  const a = Math.abs(x);
  if (a > 6) return Math.sign(x);
  let term = a;
  let sum = a;
  for (let n = 1; term > 1e-17 * sum; n++) {
    term *= (2 * a * a) / (2 * n + 1);
    sum += term;
  }
  return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * Math.exp(-a * a) * sum;
}

export type Approximate = 'none' | 'tanh';

/** √(2/π), the tanh form's constant. */
export const tanhScale = Math.sqrt(2 / Math.PI);

/** The inside of the tanh form's tanh: scale·(x + 0.044715·cube(x)), where a mistake may change the scale or the cube. */
export function tanhInner(x: number, scale = tanhScale, cube = (v: number) => v ** 3): number {
  return scale * (x + 0.044715 * cube(x));
}

/** GELU of one number, exact: x·Φ(x) = 0.5·x·(1 + erf(x/√2)). */
export const geluExact = (x: number): number => 0.5 * x * (1 + erf(x / Math.SQRT2));

/** GELU of one number, the tanh form (GPT-2's gelu_new), with the inside of the tanh given. */
export const geluTanh = (x: number, inner = tanhInner(x)): number => 0.5 * x * (1 + Math.tanh(inner));

/** GELU of every entry, in the form `approximate` names. */
export function gelu(x: number[], approximate: Approximate): number[] {
  return x.map(approximate === 'tanh' ? (v) => geluTanh(v) : geluExact);
}

/** The logistic sigmoid 1/(1 + e^(−z)). */
export const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** SiLU (swish): z·σ(z). */
export const silu = (z: number): number => z * sigmoid(z);
