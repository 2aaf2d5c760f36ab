/**
 * quant/int8-zero-point — asymmetric quantisation with a zero-point, as torch's
 * MinMaxObserver (quint8-style: qmin = 0, qmax = 2^bits − 1).
 *
 *   min = min(x, 0), max = max(x, 0)               the range always includes 0
 *   scale     = max((max − min)/(qmax − qmin), 2⁻²³)
 *   zeroPoint = clamp(qmin − round(min/scale), qmin, qmax)
 *   q_i       = clamp(round(x_i/scale) + zeroPoint, qmin, qmax)
 *
 * round is half to even, as torch.round. Leave x unchanged.
 * Run `llm-tutor lesson quant/int8-zero-point` for the lesson, `llm-tutor hint` for a hint.
 */
export function quantizeAsymmetric(x: Vector, bits: number): { q: number[]; scale: number; zeroPoint: number } {
  throw new Error('not implemented');
}
