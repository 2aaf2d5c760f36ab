/**
 * positions/rope — model solution.
 * Each row is one token. Its dimensions are taken two by two, neighbours
 * (2i, 2i+1), and each pair is turned like a point in the plane by the angle
 * positions[r]·θ_i, with θ_i = base^(−2i/d).
 */
export function applyRope(x: Matrix, positions: number[], base: number): Matrix {
  return x.map((row, r) => {
    const d = row.length;
    const out = new Array<number>(d);
    for (let i = 0; i < d / 2; i++) {
      const theta = base ** (-(2 * i) / d);
      const angle = positions[r] * theta;
      const cos = Math.cos(angle);
      const sin = Math.sin(angle);
      const [a, b] = [row[2 * i], row[2 * i + 1]];
      out[2 * i] = a * cos - b * sin;
      out[2 * i + 1] = a * sin + b * cos;
    }
    return out;
  });
}
