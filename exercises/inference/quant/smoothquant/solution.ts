/**
 * quant/smoothquant — model solution: SmoothQuant's per-channel smoothing factors,
 * as the authors' smooth_ln_fcs computes them: s_j = max|X_j|^α / max|W_j|^(1−α),
 * the weight maxima and the factors both clamped below at 1e-5.
 */
export function smoothQuantScales(xAbsMax: Vector, wAbsMax: Vector, alpha: number): Vector {
  return xAbsMax.map((x, j) => {
    const w = Math.max(wAbsMax[j], 1e-5);
    return Math.max(x ** alpha / w ** (1 - alpha), 1e-5);
  });
}
