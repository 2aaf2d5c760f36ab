/**
 * activations/gelu — GELU of every entry of x, in the form `approximate` names.
 *
 *   "none":  0.5·x·(1 + erf(x/√2))                          (exact: x·Φ(x))
 *   "tanh":  0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))      (GPT-2's gelu_new)
 *
 * JavaScript has no Math.erf: write one (the lesson gives a formula accurate
 * to 1.5e-7; the exact form is graded within 1e-6).
 * Run `llm-tutor lesson activations/gelu` for the lesson, `llm-tutor hint` for a hint.
 */
export function gelu(x: Vector, approximate: 'none' | 'tanh'): Vector {
  throw new Error('not implemented');
}
