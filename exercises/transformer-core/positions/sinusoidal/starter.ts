/**
 * positions/sinusoidal — the fixed position encoding of "Attention Is All You Need".
 *
 *   PE[p][2i]   = sin(p / 10000^(2i/d))
 *   PE[p][2i+1] = cos(p / 10000^(2i/d))      for i = 0 … d/2 − 1
 *
 *   seqLen: number   how many positions: rows p = 0 … seqLen − 1
 *   d: number        the model width (even)
 *   returns [seqLen, d]
 *
 * Conventions: positions start at 0; sin in the even columns, cos in the odd ones
 * (interleaved, as in the paper), so row 0 is [0, 1, 0, 1, …].
 * Run `llm-tutor lesson positions/sinusoidal` for the lesson, `llm-tutor hint` for a hint.
 */
export function sinusoidalEncoding(seqLen: number, d: number): Matrix {
  throw new Error('not implemented');
}
