/**
 * moe/capacity — dispatching tokens to experts of fixed capacity.
 *
 *   capacity = Math.floor(capacityFactor * T * k / numExperts)
 *   claims, in this order: every token's choice 0 (tokens in order), then
 *   every token's choice 1, …; a claim takes the next slot of expert
 *   experts[t][c] while it has fewer than `capacity`, otherwise it is dropped.
 *
 * experts is [T, k] (from the router). Return slots (one list per expert of
 * [token, choice] pairs, in claim order) and dropped (pairs, in claim order).
 * Run `llm-tutor lesson moe/capacity` for the lesson, `llm-tutor hint` for a hint.
 */
export function dispatch(experts: number[][], numExperts: number, capacityFactor: number): { slots: number[][][]; dropped: [token: number, choice: number][] } {
  throw new Error('not implemented');
}
