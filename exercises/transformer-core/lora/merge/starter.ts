/**
 * lora/merge — fold a LoRA adapter into the frozen weight.
 *
 *   merged = W0 + (α/r)·A·B
 *
 *   w0: [in, out]  the frozen weight
 *   a:  [in, r]    the adapter's down-projection
 *   b:  [r, out]   the adapter's up-projection
 *   alpha          the LoRA scaling hyperparameter α
 *   returns [in, out], such that x·merged equals loraForward(x, w0, a, b, alpha) for every x
 *
 * Conventions:
 * - Row-vector convention: a linear layer is y = x·W with W: [in, out]. (The paper's
 *   W0 + BA is for column vectors; with row vectors the update is A·B.)
 * - The rank r is the number of columns of A (= the number of rows of B); the
 *   update is scaled by α/r, as in the forward pass.
 * Matrix is number[][], row-major. Return a new matrix: this exercise fails a
 * function that changes w0 (or a, b) in place.
 * Run `llm-tutor lesson lora/merge` for the lesson, `llm-tutor hint` for a hint.
 */
export function mergeLora(w0: Matrix, a: Matrix, b: Matrix, alpha: number): Matrix {
  throw new Error('not implemented');
}
