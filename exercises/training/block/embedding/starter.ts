/**
 * block/embedding — GPT-2's input embedding: a token's row plus its position's row.
 *
 *   out[t] = wte[tokens[t]] + wpe[t]          t = 0 … T − 1
 *
 *   tokens: T token ids, each in 0 … V − 1
 *   wte:    [V, C]        token embedding (GPT-2's transformer.wte)
 *   wpe:    [context, C]  position embedding (transformer.wpe), context ≥ T
 *   returns [T, C]
 *
 * Conventions:
 * - Positions count from 0, as GPT-2's position_ids = arange(0, T).
 * - Return new rows; wte and wpe must not change.
 * Run `llm-tutor lesson block/embedding` for the lesson, `llm-tutor hint` for a hint.
 */
export function embed(tokens: number[], wte: Matrix, wpe: Matrix): Matrix {
  throw new Error('not implemented');
}
