import { loadTf } from '../../../src/reference/backend.js';
import { packExercises } from '../../helpers/pack-exercises.js';

// The alignment-multimodal pack's vision exercises in tests (patchify, ViT's
// embedding, the prefix-LM mask), by their id in the pack, and the
// computations the tests check their references against.

export const { file: visionFile, casesOn, seededCases, namedCase, grade, expectEachMisconceptionDiagnosed, runLessonJs, lessonBlock } = packExercises('alignment-multimodal');

/**
 * Patchify by scattering: every pixel (c, y, x) is sent to the row and column
 * its coordinates give, rather than each patch gathering its pixels.
 */
export function patchesByScatter(image: number[][][], p: number): number[][] {
  const [c, h, w] = [image.length, image[0].length, image[0][0].length];
  const out = Array.from({ length: (h / p) * (w / p) }, () => new Array<number>(c * p * p).fill(NaN));
  image.forEach((channel, ch) =>
    channel.forEach((line, y) =>
      line.forEach((value, x) => {
        out[Math.floor(y / p) * (w / p) + Math.floor(x / p)][ch * p * p + (y % p) * p + (x % p)] = value;
      }),
    ),
  );
  return out;
}

/**
 * A patch embedding whose weight is the identity, in tfjs: a conv2d of kernel
 * p and stride p with C·p·p filters, filter k one-hot at (channel, row, col)
 * = (⌊k/p²⌋, ⌊k/p⌋ mod p, k mod p). `w` (shape [C·p·p, D], the exercise's
 * convention) and `b` give a real embedding instead.
 */
export async function convPatchEmbed(image: number[][][], p: number, w?: number[][], b?: number[]): Promise<number[][]> {
  const { tf } = await loadTf();
  const [c, h, wd] = [image.length, image[0].length, image[0][0].length];
  const k = c * p * p;
  const weight = w ?? Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => (i === j ? 1 : 0)));
  const d = weight[0].length;
  return tf.tidy(() => {
    // tfjs is channels-last: the image as [H, W, C], the filter as [p, p, C, D].
    const x = tf.transpose(tf.tensor3d(image), [1, 2, 0]);
    const filter = tf.transpose(tf.reshape(tf.tensor2d(weight), [c, p, p, d]), [1, 2, 0, 3]) as ReturnType<typeof tf.tensor4d>;
    let y = tf.reshape(tf.conv2d(x as ReturnType<typeof tf.tensor3d>, filter, p, 'valid'), [(h / p) * (wd / p), d]);
    if (b) y = tf.add(y, tf.tensor1d(b));
    return y.arraySync() as number[][];
  });
}
