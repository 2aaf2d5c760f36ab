/**
 * backprop/gelu-backward — the backward pass of GELU, tanh form (GPT-2's).
 *
 *   gelu(x) = 0.5·x·(1 + tanh(u)),   u = √(2/π)·(x + 0.044715·x³)
 *   dy: the gradient of the loss with respect to gelu(x), one entry per x
 *
 *   dx = dy ⊙ gelu′(x), entry by entry, where gelu′ is the derivative of
 *   the tanh form above (product rule, and the chain rule through tanh and u).
 *
 * Run `llm-tutor lesson backprop/gelu-backward` for the lesson, `llm-tutor hint` for a hint.
 */
export function geluBackward(x: Vector, dy: Vector): Vector {
  throw new Error('not implemented');
}
