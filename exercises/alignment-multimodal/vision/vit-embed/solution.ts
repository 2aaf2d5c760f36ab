/**
 * vision/vit-embed — model solution: ViT's input, as timm builds it. Each p×p
 * patch (channel, row, col) times w plus b, the CLS token in front, then the
 * position table added to every row.
 */
export function vitEmbed(image: number[][][], p: { patch: number; w: Matrix; b: Vector; cls: Vector; pos: Matrix }): Matrix {
  const { patch, w, b, cls, pos } = p;
  const rows: Matrix = [cls];
  for (let gy = 0; gy < image[0].length / patch; gy++) {
    for (let gx = 0; gx < image[0][0].length / patch; gx++) {
      const x: Vector = [];
      for (const channel of image) {
        for (let r = 0; r < patch; r++) {
          for (let q = 0; q < patch; q++) x.push(channel[gy * patch + r][gx * patch + q]);
        }
      }
      rows.push(b.map((bias, d) => x.reduce((acc, v, k) => acc + v * w[k][d], bias)));
    }
  }
  return rows.map((row, i) => row.map((v, d) => v + pos[i][d]));
}
