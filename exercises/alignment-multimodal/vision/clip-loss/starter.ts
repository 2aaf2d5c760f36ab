/**
 * vision/clip-loss — CLIP's symmetric contrastive loss, as its authors and open_clip compute it.
 *
 *   I = rows of image / max(‖row‖, 1e-12)      T = rows of text, the same
 *   logits = exp(logitScale) · I · Tᵀ           [N, N]; pair i is image i with text i
 *   loss = (CE over the rows of logits + CE over its columns) / 2, label i for row (column) i
 *
 * image [N, Di] and text [N, Di] pair up row by row. Compute cross-entropy stably.
 * Run `llm-tutor lesson vision/clip-loss` for the lesson, `llm-tutor hint` for a hint.
 */
export function clipLoss(image: Matrix, text: Matrix, logitScale: number): number {
  throw new Error('not implemented');
}
