/**
 * positions/rope-relative — the attention score of two rotated vectors.
 *
 *   ropeScore(q, k, m, n, base) = ⟨R_m q, R_n k⟩
 *
 *   R_p rotates each neighbour pair (2i, 2i+1) by p·θ_i, θ_i = base^(−2i/d),
 *   exactly as applyRope in positions/rope does.
 *
 *   q, k: [d]    a query and a key (d is even)
 *   m, n         the positions of the query and of the key
 *   returns      a number: the dot product of the rotated q and the rotated k
 *
 * Graded on values and on a property of your own function: shifting both
 * positions by the same s (up to a million) must not change the score.
 * You may import your own applyRope: import { applyRope } from './rope.js'
 * Run `llm-tutor lesson positions/rope-relative` for the lesson, `llm-tutor hint` for a hint.
 */
export function ropeScore(q: Vector, k: Vector, m: number, n: number, base: number): number {
  throw new Error('not implemented');
}
