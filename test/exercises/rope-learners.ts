/**
 * A learner's RoPE function named `entry` (applyRope or applyRopeHalf) that
 * rotates the pair [a, b] given by `pairOf` (an expression of i and d) and
 * computes the pair's second coordinate as `second` (of x, y and angle).
 */
export function ropeLearner(entry: string, pairOf: string, second: string): string {
  return `export function ${entry}(x: Matrix, positions: number[], base: number): Matrix {
  return x.map((row, r) => {
    const d = row.length;
    const out = [...row];
    for (let i = 0; i < d / 2; i++) {
      const [a, b] = ${pairOf};
      const angle = positions[r] * base ** (-(2 * i) / d);
      const [x, y] = [row[a], row[b]];
      out[a] = x * Math.cos(angle) - y * Math.sin(angle);
      out[b] = ${second};
    }
    return out;
  });
}`;
}
