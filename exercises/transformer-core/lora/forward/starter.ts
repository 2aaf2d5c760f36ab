/**
 * lora/forward — a linear layer with a LoRA adapter.
 *
 *   h = x·W0 + (α/r)·(x·A)·B
 *
 *   x:  [n, in]    n tokens (one per row)
 *   w0: [in, out]  the frozen pretrained weight
 *   a:  [in, r]    the adapter's down-projection
 *   b:  [r, out]   the adapter's up-projection
 *   alpha          the LoRA scaling hyperparameter α
 *   returns [n, out]
 *
 * Conventions:
 * - Row-vector convention: a linear layer is y = x·W with W: [in, out], no
 *   transposes and no bias. (The paper writes W0x + BAx with column vectors;
 *   A and B here are its A and B transposed.)
 * - The rank r is the number of columns of A (= the number of rows of B).
 * - The update is scaled by α/r. (α/√r is rsLoRA, a different variant.)
 * Matrix is number[][], row-major. Return a new matrix; do not change the inputs.
 * Run `llm-tutor lesson lora/forward` for the lesson, `llm-tutor hint` for a hint.
 */
export function loraForward(x: Matrix, w0: Matrix, a: Matrix, b: Matrix, alpha: number): Matrix {
  throw new Error('not implemented');
}
