/**
 * optim/dropout — inverted dropout, as in training.
 *
 *   out[i][j] = x[i][j] / (1 − p)   where keep[i][j] is true
 *             = 0                   where it is false
 *
 * 0 ≤ p < 1 is the probability of dropping an entry; the mask is given. Leave x unchanged.
 * Run `llm-tutor lesson optim/dropout` for the lesson, `llm-tutor hint` for a hint.
 */
export function dropout(x: Matrix, keep: boolean[][], p: number): Matrix {
  throw new Error('not implemented');
}
