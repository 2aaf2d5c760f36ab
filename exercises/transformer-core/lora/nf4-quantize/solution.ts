/**
 * lora/nf4-quantize — model solution.
 * Each block of blockSize values is scaled by its own absmax into [−1, 1], and
 * each scaled value is replaced by the index of the nearest NF4 level. The
 * nearest level is found by counting the midpoints between neighbouring levels
 * that lie strictly below the value, so a value exactly on a midpoint keeps the
 * lower index (as torch.bucketize does in bitsandbytes).
 */
const NF4 = [
  -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0,
  0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0,
];

export function quantizeNf4(w: Vector, blockSize: number): { codes: number[]; absmax: number[] } {
  const midpoints = NF4.slice(1).map((hi, k) => (NF4[k] + hi) / 2);
  const codes: number[] = [];
  const absmax: number[] = [];
  for (let start = 0; start < w.length; start += blockSize) {
    const block = w.slice(start, start + blockSize);
    const m = Math.max(...block.map((x) => Math.abs(x)));
    absmax.push(m);
    for (const x of block) {
      if (m === 0) {
        codes.push(7); // an all-zero block: the level 0.0
        continue;
      }
      const v = x / m;
      let code = 0;
      while (code < midpoints.length && v > midpoints[code]) code++;
      codes.push(code);
    }
  }
  return { codes, absmax };
}
