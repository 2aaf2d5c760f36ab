/**
 * decoding/repetition-penalty — model solution: each distinct seen token's
 * logit moved toward "less likely" by the penalty, once, whatever its sign.
 */
export function repetitionPenalty(logits: Vector, seen: number[], penalty: number): Vector {
  const out = [...logits];
  for (const i of new Set(seen)) {
    const z = logits[i];
    out[i] = z < 0 ? z * penalty : z / penalty;
  }
  return out;
}
