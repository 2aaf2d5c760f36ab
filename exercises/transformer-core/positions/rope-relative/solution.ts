/**
 * positions/rope-relative — model solution.
 * Rotate q by m·θ_i and k by n·θ_i (neighbour pairs, as in positions/rope) and
 * take their dot product. The rotations cancel up to R_(m−n), so the score
 * depends only on the distance m − n.
 */
export function ropeScore(q: Vector, k: Vector, m: number, n: number, base: number): number {
  const d = q.length;
  let score = 0;
  for (let i = 0; i < d / 2; i++) {
    const theta = base ** (-(2 * i) / d);
    const [qx, qy] = rotate(q[2 * i], q[2 * i + 1], m * theta);
    const [kx, ky] = rotate(k[2 * i], k[2 * i + 1], n * theta);
    score += qx * kx + qy * ky;
  }
  return score;
}

/** The point (x, y) turned counter-clockwise by `angle` radians. */
function rotate(x: number, y: number, angle: number): [number, number] {
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  return [x * cos - y * sin, x * sin + y * cos];
}
