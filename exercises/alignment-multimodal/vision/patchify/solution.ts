/**
 * vision/patchify — model solution: the grid of patches read row by row, each
 * patch flattened channel by channel, then row by row, as a Conv2d weight
 * [D, C, p, p] is laid out.
 */
export function patchify(image: number[][][], patch: number): Matrix {
  const channels = image.length;
  const gridRows = image[0].length / patch;
  const gridCols = image[0][0].length / patch;
  const patches: Matrix = [];
  for (let gy = 0; gy < gridRows; gy++) {
    for (let gx = 0; gx < gridCols; gx++) {
      const row: Vector = [];
      for (let c = 0; c < channels; c++) {
        for (let r = 0; r < patch; r++) {
          for (let q = 0; q < patch; q++) row.push(image[c][gy * patch + r][gx * patch + q]);
        }
      }
      patches.push(row);
    }
  }
  return patches;
}
