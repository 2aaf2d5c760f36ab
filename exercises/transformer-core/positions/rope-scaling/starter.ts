/**
 * positions/rope-scaling — stretching RoPE to a longer context.
 *
 *   θ_i = base^(−2i/d), i = 0 … d/2 − 1     (positions/rope-frequencies)
 *   "linear":  θ_i / factor                  (Position Interpolation)
 *   "ntk":     base' = base · factor^(d/(d−2)), then θ_i = base'^(−2i/d)
 *
 *   d: number        the head size (even; at least 4 for "ntk")
 *   base: number     the model's RoPE base, 10000 unless given
 *   factor: number   how many times longer the new context is (>= 1)
 *   method           "linear" or "ntk"
 *   returns [d/2]    the scaled frequencies
 *
 * You may import your own ropeFrequencies: import { ropeFrequencies } from './rope-frequencies.js'
 * Run `llm-tutor lesson positions/rope-scaling` for the lesson, `llm-tutor hint` for a hint.
 */
export function scaledRopeFrequencies(d: number, base: number, factor: number, method: 'linear' | 'ntk'): Vector {
  throw new Error('not implemented');
}
