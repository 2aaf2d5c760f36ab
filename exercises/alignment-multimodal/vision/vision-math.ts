import { tidy, type Rng, type Tf } from 'llm-tutor/pack';

// The vision track's shared pieces: an image's shape, its patches cut in the
// exercise's order (tfjs, for the references) or in a chosen wrong order
// (plain TypeScript, for the misconceptions).

/** [C, H, W] of an image stored [C][H][W]. */
export function imageShape(image: number[][][]): [c: number, h: number, w: number] {
  return [image.length, image[0].length, image[0][0].length];
}

/**
 * The patches of `image` as rows, by tfjs reshapes (the einops way):
 * [C, H, W] → [C, H/p, p, W/p, p] → [H/p, W/p, C, p, p] → [N, C·p·p].
 * Patches row-major over the grid, each flattened (channel, row, col).
 */
export function patchesTf(tf: Tf, image: number[][][], p: number) {
  const [c, h, w] = imageShape(image);
  const blocks = tf.reshape(tf.tensor3d(image), [c, h / p, p, w / p, p]);
  return tf.reshape(tf.transpose(blocks, [1, 3, 0, 2, 4]), [(h / p) * (w / p), c * p * p]);
}

/** How a mistaken patchify orders things: the grid by rows or by columns; within a patch (channel, row, col), (row, col, channel) or (channel, col, row). */
export interface PatchOrder {
  grid: 'rows' | 'columns';
  within: 'chw' | 'hwc' | 'cwh';
}

/** The patches of `image` in `order`, in plain TypeScript. */
export function patchesInOrder(image: number[][][], p: number, order: PatchOrder): number[][] {
  const [c, h, w] = imageShape(image);
  const gh = h / p;
  const gw = w / p;
  const cells: [number, number][] = [];
  if (order.grid === 'rows') for (let y = 0; y < gh; y++) for (let x = 0; x < gw; x++) cells.push([y, x]);
  else for (let x = 0; x < gw; x++) for (let y = 0; y < gh; y++) cells.push([y, x]);
  return cells.map(([y, x]) => {
    const at = (ch: number, r: number, q: number) => image[ch][y * p + r][x * p + q];
    const row: number[] = [];
    if (order.within === 'chw') for (let ch = 0; ch < c; ch++) for (let r = 0; r < p; r++) for (let q = 0; q < p; q++) row.push(at(ch, r, q));
    if (order.within === 'cwh') for (let ch = 0; ch < c; ch++) for (let q = 0; q < p; q++) for (let r = 0; r < p; r++) row.push(at(ch, r, q));
    if (order.within === 'hwc') for (let r = 0; r < p; r++) for (let q = 0; q < p; q++) for (let ch = 0; ch < c; ch++) row.push(at(ch, r, q));
    return row;
  });
}

/** The exercise's order: the grid row by row, each patch (channel, row, col). */
export const rightOrder: PatchOrder = { grid: 'rows', within: 'chw' };

/** An image [C][H][W] whose pixel (c, r, w) is 100·c + 10·r + w: its digits say where it came from. */
export function labelledImage(c: number, h: number, w: number): number[][][] {
  return Array.from({ length: c }, (_, ch) => Array.from({ length: h }, (_, r) => Array.from({ length: w }, (_, q) => 100 * ch + 10 * r + q)));
}

/** An image [C][H][W] of standard normal values rounded to 3 decimals. */
export function randomImage(rng: Rng, c: number, h: number, w: number): number[][][] {
  return Array.from({ length: c }, () => Array.from({ length: h }, () => Array.from({ length: w }, () => tidy(rng.normal(), 3))));
}
