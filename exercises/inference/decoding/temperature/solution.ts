/**
 * decoding/temperature — model solution: every logit divided by t, so that
 * softmax(logits/t) is sharper for t < 1 and flatter for t > 1.
 */
export function applyTemperature(logits: Vector, t: number): Vector {
  return logits.map((z) => z / t);
}
