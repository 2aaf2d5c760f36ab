/**
 * block/mlp — model solution.
 * Each row goes through c_fc (x·w1 + b1), the tanh GELU, and c_proj
 * (·w2 + b2).
 */
export function mlp(x: Matrix, p: { w1: Matrix; b1: Vector; w2: Matrix; b2: Vector }): Matrix {
  const hidden = linear(x, p.w1, p.b1).map((row) => row.map(geluTanh));
  return linear(hidden, p.w2, p.b2);
}

/** x·w + b for every row of x. */
function linear(x: Matrix, w: Matrix, b: Vector): Matrix {
  return x.map((row) => b.map((bias, j) => row.reduce((sum, v, i) => sum + v * w[i][j], bias)));
}

/** GELU, tanh approximation. */
function geluTanh(z: number): number {
  return 0.5 * z * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (z + 0.044715 * z ** 3)));
}
