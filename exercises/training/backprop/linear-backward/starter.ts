/**
 * backprop/linear-backward — the backward pass of a linear layer y = x·w + b.
 *
 *   x: [N, in], one row per example;  w: [in, out];  b: [out]
 *   dy: [N, out], the gradient of the loss with respect to y
 *
 *   dx = dy·wᵀ        [N, in]
 *   dw = xᵀ·dy        [in, out], the shape of w
 *   db = Σ_rows dy    [out], summed over the N rows (not averaged)
 *
 * Run `llm-tutor lesson backprop/linear-backward` for the lesson, `llm-tutor hint` for a hint.
 */
export function linearBackward(x: Matrix, w: Matrix, dy: Matrix): { dx: Matrix; dw: Matrix; db: Vector } {
  throw new Error('not implemented');
}
