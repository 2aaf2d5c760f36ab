/**
 * parallel/tensor-parallel-mlp — model solution: each rank holds a block of
 * hidden units (columns of w1, the same rows of w2), applies the GELU to
 * whole pre-activations of its own units, and the all-reduce adds the
 * ranks' partial outputs.
 */
export function tensorParallelMlp(x: Matrix, p: { w1: Matrix; w2: Matrix }, ranks: number): { partials: Matrix[]; out: Matrix } {
  const block = p.w1[0].length / ranks;
  const partials: Matrix[] = [];
  for (let r = 0; r < ranks; r++) {
    const w1r = p.w1.map((row) => row.slice(r * block, (r + 1) * block));
    const w2r = p.w2.slice(r * block, (r + 1) * block);
    const hidden = matmul(x, w1r).map((row) => row.map(gelu));
    partials.push(matmul(hidden, w2r));
  }
  const out = partials[0].map((row, t) => row.map((_, j) => partials.reduce((sum, part) => sum + part[t][j], 0)));
  return { partials, out };
}

/** GPT-2's GELU, tanh form. */
function gelu(z: number): number {
  return 0.5 * z * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (z + 0.044715 * z ** 3)));
}

/** a·b for a [n, k] and b [k, m]. */
function matmul(a: Matrix, b: Matrix): Matrix {
  return a.map((row) => b[0].map((_, j) => row.reduce((sum, v, k) => sum + v * b[k][j], 0)));
}
