/**
 * positions/rope-frequencies — the rotation speed of each pair of dimensions.
 *
 *   θ_i = base^(−2i/d)      for i = 0 … d/2 − 1
 *
 *   d: number      the head size (even)
 *   base: number   10000 in RoFormer and LLaMA 1/2, 500000 in LLaMA 3
 *   returns [d/2]  θ_0 = 1 (radian per position), then smaller and smaller
 *
 * Example: ropeFrequencies(8, 10000) = [1, 0.1, 0.01, 0.001].
 * Run `llm-tutor lesson positions/rope-frequencies` for the lesson, `llm-tutor hint` for a hint.
 */
export function ropeFrequencies(d: number, base: number): Vector {
  throw new Error('not implemented');
}
