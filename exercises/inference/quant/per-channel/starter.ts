/**
 * quant/per-channel — symmetric int8 quantisation of a weight w [in, out],
 * one scale per output channel (per column).
 *
 *   m_j       = max over i of |w[i][j]|
 *   scales[j] = m_j / 127
 *   q[i][j]   = round(127 · w[i][j] / m_j)      half to even; 0 when m_j = 0
 *
 * Return new lists; leave w unchanged.
 * Run `llm-tutor lesson quant/per-channel` for the lesson, `llm-tutor hint` for a hint.
 */
export function quantizePerChannel(w: Matrix): { q: number[][]; scales: Vector } {
  throw new Error('not implemented');
}
