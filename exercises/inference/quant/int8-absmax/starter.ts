/**
 * quant/int8-absmax — symmetric int8 quantisation of a vector by its absmax.
 *
 *   m     = max |x_i|                      the largest magnitude
 *   scale = m / 127
 *   q_i   = round(127 · x_i / m)           rounded half to even, as torch.round
 *
 * An all-zero x gives q all 0 and scale 0. Return new lists; leave x unchanged.
 * Run `llm-tutor lesson quant/int8-absmax` for the lesson, `llm-tutor hint` for a hint.
 */
export function quantizeAbsmax(x: Vector): { q: number[]; scale: number } {
  throw new Error('not implemented');
}
