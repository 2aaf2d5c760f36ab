/**
 * positions/sinusoidal — model solution.
 * Row p encodes position p. Columns 2i and 2i+1 share the angle p / 10000^(2i/d):
 * the sine goes in the even column, the cosine in the odd one.
 */
export function sinusoidalEncoding(seqLen: number, d: number): Matrix {
  const pe: Matrix = [];
  for (let p = 0; p < seqLen; p++) {
    const row = new Array<number>(d);
    for (let i = 0; i < d / 2; i++) {
      const angle = p / 10000 ** ((2 * i) / d);
      row[2 * i] = Math.sin(angle);
      row[2 * i + 1] = Math.cos(angle);
    }
    pe.push(row);
  }
  return pe;
}
