/**
 * block/embedding — model solution.
 * Row t is the token's row of wte plus the row of wpe at position t,
 * positions counted from 0.
 */
export function embed(tokens: number[], wte: Matrix, wpe: Matrix): Matrix {
  return tokens.map((id, t) => wte[id].map((value, c) => value + wpe[t][c]));
}
