/**
 * activations/swiglu — model solution.
 * LLaMA's FeedForward: the gate x·w1 goes through SiLU, z·σ(z), multiplies
 * the linear branch x·w3 entry by entry, and w2 projects back to C features.
 */
function matmul(a: Matrix, b: Matrix): Matrix {
  return a.map((row) => b[0].map((_, j) => row.reduce((sum, v, k) => sum + v * b[k][j], 0)));
}

const silu = (z: number) => z / (1 + Math.exp(-z));

export function swiglu(x: Matrix, w1: Matrix, w3: Matrix, w2: Matrix): Matrix {
  const gate = matmul(x, w1);
  const up = matmul(x, w3);
  const hidden = gate.map((row, t) => row.map((z, j) => silu(z) * up[t][j]));
  return matmul(hidden, w2);
}
