/**
 * activations/swiglu — LLaMA's gated feed-forward layer.
 *
 *   swiglu(x) = (silu(x·w1) ⊙ (x·w3))·w2        silu(z) = z·σ(z) = z / (1 + e^(−z))
 *
 * x is [T, C]; w1 and w3 are [C, H]; w2 is [H, C]; ⊙ multiplies entry by entry.
 * Run `llm-tutor lesson activations/swiglu` for the lesson, `llm-tutor hint` for a hint.
 */
export function swiglu(x: Matrix, w1: Matrix, w3: Matrix, w2: Matrix): Matrix {
  throw new Error('not implemented');
}
