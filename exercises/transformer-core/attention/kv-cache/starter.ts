/**
 * attention/kv-cache — one step of generation with a key/value cache.
 *
 *   next cache = the cached rows followed by the new token's k and v
 *   out        = softmax(q · next.kᵀ / √d) · next.v
 *
 *   cache.k: [t, d]   keys of the t tokens before this one (t may be 0: an empty cache)
 *   cache.v: [t, dv]  their values
 *   q, k:    [d]      the new token's query and key
 *   v:       [dv]     the new token's value
 *   returns { out: [dv], cache: { k: [t + 1, d], v: [t + 1, dv] } }
 *
 * Conventions:
 * - Append first, then attend: the new token sees every cached token AND itself,
 *   so a run of steps gives causal attention row by row.
 * - Return a NEW cache object; do not push onto cache.k or cache.v (the caller's
 *   cache must not change: this exercise fails a case whose input is modified).
 * - The scale is 1/√d with d = q.length; the softmax must be stable.
 * Run `llm-tutor lesson attention/kv-cache` for the lesson, `llm-tutor hint` for a hint.
 */
export function decodeStep(
  cache: { k: Matrix; v: Matrix },
  q: Vector,
  k: Vector,
  v: Vector,
): { out: Vector; cache: { k: Matrix; v: Matrix } } {
  throw new Error('not implemented');
}
