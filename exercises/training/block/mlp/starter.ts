/**
 * block/mlp — GPT-2's MLP: widen to 4C, GELU, narrow back to C.
 *
 *   z   = x·w1 + b1                 [T, 4C]   (c_fc)
 *   out = gelu_tanh(z)·w2 + b2      [T, C]    (c_proj)
 *   gelu_tanh(z) = 0.5·z·(1 + tanh(√(2/π)·(z + 0.044715·z³)))
 *
 *   x:  [T, C]
 *   w1: [C, H]   b1: [H]   w2: [H, C]   b2: [C]      (H = 4C in GPT-2)
 *   returns [T, C]
 *
 * Conventions:
 * - Weights are [in, out]: a linear layer is x·W + b.
 * - GELU is the tanh approximation (GPT-2's gelu_new), graded to 1e-5.
 * Run `llm-tutor lesson block/mlp` for the lesson, `llm-tutor hint` for a hint.
 */
export function mlp(x: Matrix, p: { w1: Matrix; b1: Vector; w2: Matrix; b2: Vector }): Matrix {
  throw new Error('not implemented');
}
