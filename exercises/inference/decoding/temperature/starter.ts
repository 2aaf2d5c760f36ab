/**
 * decoding/temperature — scale logits by a temperature, as Hugging Face's TemperatureLogitsWarper.
 *
 *   out[i] = logits[i] / t          (t > 0; −Infinity stays −Infinity)
 *
 * Return new logits (not probabilities); leave `logits` unchanged.
 * Run `llm-tutor lesson decoding/temperature` for the lesson, `llm-tutor hint` for a hint.
 */
export function applyTemperature(logits: Vector, t: number): Vector {
  throw new Error('not implemented');
}
