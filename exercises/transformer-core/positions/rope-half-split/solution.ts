/**
 * positions/rope-half-split — model solution.
 * Pair i is dimension i of the first half with dimension i + d/2 of the second
 * half (GPT-NeoX, Hugging Face LLaMA); each pair turns by positions[r]·θ_i with
 * θ_i = base^(−2i/d), exactly as in the neighbour layout.
 */
export function applyRopeHalf(x: Matrix, positions: number[], base: number): Matrix {
  return x.map((row, r) => {
    const d = row.length;
    const half = d / 2;
    const out = new Array<number>(d);
    for (let i = 0; i < half; i++) {
      const angle = positions[r] * base ** (-(2 * i) / d);
      const cos = Math.cos(angle);
      const sin = Math.sin(angle);
      const [a, b] = [row[i], row[i + half]];
      out[i] = a * cos - b * sin;
      out[i + half] = a * sin + b * cos;
    }
    return out;
  });
}
