/**
 * vision/clip-loss — model solution: open_clip's ClipLoss on one device.
 * Rows are normalised as F.normalize does (a zero row stays zero), and each
 * cross-entropy is log-sum-exp minus the right logit, the maximum subtracted first.
 */
function normalise(rows: Matrix): Matrix {
  return rows.map((row) => {
    const norm = Math.hypot(...row);
    return row.map((x) => x / Math.max(norm, 1e-12));
  });
}

/** Mean over the rows of logsumexp(row) − row[i]: row i's label is i. */
function meanCrossEntropy(logits: Matrix): number {
  let total = 0;
  logits.forEach((row, i) => {
    const max = Math.max(...row);
    let sum = 0;
    for (const z of row) sum += Math.exp(z - max);
    total += max + Math.log(sum) - row[i];
  });
  return total / logits.length;
}

export function clipLoss(image: Matrix, text: Matrix, logitScale: number): number {
  const imageUnit = normalise(image);
  const textUnit = normalise(text);
  const scale = Math.exp(logitScale);
  const dot = (a: Vector, b: Vector) => a.reduce((acc, x, k) => acc + x * b[k], 0);
  const perImage = imageUnit.map((im) => textUnit.map((tx) => scale * dot(im, tx)));
  const perText = textUnit.map((tx) => imageUnit.map((im) => scale * dot(im, tx)));
  return (meanCrossEntropy(perImage) + meanCrossEntropy(perText)) / 2;
}
