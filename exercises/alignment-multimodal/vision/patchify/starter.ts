/**
 * vision/patchify — cut an image into non-overlapping p×p patches, ViT's first step.
 *
 *   image is [C][H][W] (channels first); H and W are multiples of p
 *   output [N, C·p·p], N = (H/p)·(W/p): one row per patch,
 *   patches numbered row by row over the grid,
 *   each patch flattened channel, then row, then column (a Conv2d weight's order)
 *
 * Run `llm-tutor lesson vision/patchify` for the lesson, `llm-tutor hint` for a hint.
 */
export function patchify(image: number[][][], patch: number): Matrix {
  throw new Error('not implemented');
}
