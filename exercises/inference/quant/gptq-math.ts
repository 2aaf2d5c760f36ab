import { Rng, tidy } from 'llm-tutor/pack';

// GPTQ's pieces shared by the definition and its tests: the upper Cholesky
// factor, the nearest grid value, the column-by-column quantisation with
// error feedback, and the lesson's layer (activations, Hessian, weights).

/** The upper-triangular U with UᵀU = a (a symmetric positive definite), as torch.linalg.cholesky(a, upper=True). */
export function choleskyUpper(a: readonly number[][]): number[][] {
  const n = a.length;
  const u = a.map(() => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = a[i][j];
      for (let k = 0; k < i; k++) s -= u[k][i] * u[k][j];
      u[i][j] = i === j ? Math.sqrt(s) : s / u[i][i];
    }
  }
  return u;
}

/** The grid value nearest x; of two equally near, the earlier in the grid. */
export function nearest(x: number, grid: readonly number[]): number {
  let best = 0;
  for (let g = 1; g < grid.length; g++) if (Math.abs(grid[g] - x) < Math.abs(grid[best] - x)) best = g;
  return grid[best];
}

export interface GptqRow {
  q: number[];
  error: number;
}

/**
 * GPTQ on one row without blocks (Frantar et al., Algorithm 1, one column at a
 * time): U = chol(H⁻¹) upper; for each column i the weight as updated so far is
 * rounded, err = (w_i − q_i)/U_ii, and w_{i+1:} −= err·U_{i, i+1:}. The error is
 * gptq.py's Losses summed: Σ (w_i − q_i)²/(2·U_ii²). `update: false` rounds every
 * weight where it is (round to nearest).
 */
export function gptqSteps(w: readonly number[], hInv: readonly number[][], grid: readonly number[], update = true) {
  const u = choleskyUpper(hInv);
  const x = [...w];
  const beforeRounding: number[] = [];
  const q: number[] = [];
  const errs: number[] = [];
  for (let i = 0; i < x.length; i++) {
    beforeRounding.push(x[i]);
    q.push(nearest(x[i], grid));
    const err = (x[i] - q[i]) / u[i][i];
    errs.push(err);
    if (update) for (let j = i + 1; j < x.length; j++) x[j] -= err * u[i][j];
  }
  const error = errs.reduce((acc, e) => acc + (e * e) / 2, 0);
  return { steps: { U: u, 'w before rounding': beforeRounding, 'err = (w − q)/U_ii': errs }, output: { q, error } as GptqRow };
}

/** a⁻¹ for a symmetric positive definite a, through its Cholesky factor: a⁻¹ = U⁻¹U⁻ᵀ. */
export function spdInverse(a: readonly number[][]): number[][] {
  const n = a.length;
  const u = choleskyUpper(a);
  // Columns of U⁻¹ by back substitution.
  const uInv = u.map(() => new Array<number>(n).fill(0));
  for (let c = 0; c < n; c++) {
    for (let i = c; i >= 0; i--) {
      let s = i === c ? 1 : 0;
      for (let k = i + 1; k <= c; k++) s -= u[i][k] * uInv[k][c];
      uInv[i][c] = s / u[i][i];
    }
  }
  return uInv.map((ri) => uInv.map((rj) => ri.reduce((acc, v, k) => acc + v * rj[k], 0)));
}

/** gptq.py's H for a layer fed the samples x ([n, d]): (2/n)·Σ x xᵀ, plus percdamp times its mean diagonal on the diagonal. */
export function dampedHessian(x: readonly number[][], percdamp = 0.01): number[][] {
  const d = x[0].length;
  const h = Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (2 / x.length) * x.reduce((acc, row) => acc + row[i] * row[j], 0)));
  const damp = (percdamp * h.reduce((acc, row, i) => acc + row[i], 0)) / d;
  return h.map((row, i) => row.map((v, j) => (i === j ? v + damp : v)));
}

/** The grid gptq's Quantizer (quant.py, asymmetric, per row) gives a row: range [min(w, 0), max(w, 0)], scale = range/(2^bits − 1), zero = round(−min/scale); values scale·(k − zero). */
export function minMaxGrid(w: readonly number[], bits: number): number[] {
  const lo = Math.min(0, ...w);
  const hi = Math.max(0, ...w);
  const maxq = 2 ** bits - 1;
  const scale = (hi - lo) / maxq;
  const zero = Math.round(-lo / scale);
  return Array.from({ length: maxq + 1 }, (_, k) => scale * (k - zero));
}

/**
 * The lesson's layer: 32 activation samples over 8 inputs, each input mixed with its
 * neighbour (x_j = z_j + 0.8·z_{j−1}, so the inputs are correlated), its damped H and
 * H⁻¹, and 4 output rows of weights with a 3-bit min-max grid each.
 */
export function lessonLayer() {
  const rng = new Rng(2023);
  const z = Array.from({ length: 32 }, () => Array.from({ length: 8 }, () => rng.normal()));
  const x = z.map((row) => row.map((v, j) => tidy(v + (j > 0 ? 0.8 * row[j - 1] : 0), 3)));
  const rows = Array.from({ length: 4 }, () => Array.from({ length: 8 }, () => tidy(rng.normal(0, 0.5), 2)));
  const h = dampedHessian(x);
  return { x, h, hInv: spdInverse(h), rows, grids: rows.map((w) => minMaxGrid(w, 3)) };
}
