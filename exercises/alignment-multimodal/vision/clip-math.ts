// Plain float64 building blocks of CLIP's contrastive loss, shared by the
// definition's reference, trace and wrong variants, and the lesson's batch.

import { logSumExp, mean } from '../stable-math.js';

/** The lesson's batch: 3 image/text pairs of 2-dimensional embeddings, with norms 5, 2, 1 and 2, 5, 13. */
export const lessonImage = [
  [3, 4],
  [2, 0],
  [0, -1],
];
export const lessonText = [
  [0, 2],
  [3, -4],
  [5, -12],
];
/** ln 2: the lesson's logit scale is exp(ln 2) = 2. */
export const lessonLogitScale = Math.log(2);

/** Every row divided by max(‖row‖, 1e-12), as F.normalize(x, dim=-1) does: a zero row stays zero. */
export function normaliseRows(x: readonly (readonly number[])[]): number[][] {
  return x.map((row) => {
    const norm = Math.sqrt(row.reduce((acc, v) => acc + v * v, 0));
    return row.map((v) => v / Math.max(norm, 1e-12));
  });
}

/** a·bᵀ: entry [i][j] is the dot product of row i of a and row j of b. */
export function rowDots(a: readonly (readonly number[])[], b: readonly (readonly number[])[]): number[][] {
  return a.map((ai) => b.map((bj) => ai.reduce((acc, v, c) => acc + v * bj[c], 0)));
}

export const transposed = (m: readonly (readonly number[])[]): number[][] => (m.length === 0 ? [] : m[0].map((_, j) => m.map((row) => row[j])));

/** Cross-entropy of each row against the label on its diagonal, logsumexp(row) − row[i], with the row's maximum subtracted first. */
export function diagonalCrossEntropy(logits: readonly (readonly number[])[]): number[] {
  return logits.map((row, i) => logSumExp(row) - row[i]);
}

/**
 * CLIP's loss step by step: the normalised rows, the cosine matrix, the scale
 * exp(logitScale), logits_per_image, each image's and each text's
 * cross-entropy, and the loss (their two means, averaged).
 */
export function clipSteps(image: readonly (readonly number[])[], text: readonly (readonly number[])[], logitScale: number) {
  const imageUnit = normaliseRows(image);
  const textUnit = normaliseRows(text);
  const cosines = rowDots(imageUnit, textUnit);
  const scale = Math.exp(logitScale);
  const logitsPerImage = cosines.map((row) => row.map((c) => scale * c));
  const imageLosses = diagonalCrossEntropy(logitsPerImage);
  const textLosses = diagonalCrossEntropy(transposed(logitsPerImage));
  return {
    steps: { imageUnit, textUnit, cosines, 'exp(logitScale)': scale, logitsPerImage, imageLosses, textLosses },
    output: (mean(imageLosses) + mean(textLosses)) / 2,
  };
}
