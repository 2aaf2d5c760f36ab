/**
 * vision/vit-embed — ViT's input sequence: patch embeddings, a CLS token, positions.
 *
 *   patches = patchify(image, p.patch)           [N, C·p·p], as in vision/patchify
 *   out[0]  = cls + pos[0]
 *   out[i]  = patches[i − 1]·w + b + pos[i]      for i = 1 … N
 *
 * w is [C·p·p, D] (a Conv2d weight [D, C, p, p] reshaped and transposed),
 * b and cls are [D], pos is [N + 1, D]; return [N + 1, D].
 * Run `llm-tutor lesson vision/vit-embed` for the lesson, `llm-tutor hint` for a hint.
 */
export function vitEmbed(image: number[][][], p: { patch: number; w: Matrix; b: Vector; cls: Vector; pos: Matrix }): Matrix {
  throw new Error('not implemented');
}
