/**
 * backprop/layer-norm-backward — model solution, as llm.c's layernorm.py.
 * Per row: recompute the mean, rstd and n; dn = dy·γ; then
 * dx = rstd·(dn − mean(dn) − n·mean(dn·n)). dγ and dβ sum over the rows.
 */
function mean(xs: Vector): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

export function layerNormBackward(x: Matrix, gamma: Vector, dy: Matrix, eps: number): { dx: Matrix; dgamma: Vector; dbeta: Vector } {
  const dgamma = gamma.map(() => 0);
  const dbeta = gamma.map(() => 0);
  const dx = x.map((row, i) => {
    const mu = mean(row);
    const rstd = 1 / Math.sqrt(mean(row.map((v) => (v - mu) ** 2)) + eps);
    const n = row.map((v) => (v - mu) * rstd);
    const dn = dy[i].map((g, j) => g * gamma[j]);
    const meanDn = mean(dn);
    const meanDnN = mean(dn.map((g, j) => g * n[j]));
    dy[i].forEach((g, j) => {
      dgamma[j] += g * n[j];
      dbeta[j] += g;
    });
    return dn.map((g, j) => rstd * (g - meanDn - n[j] * meanDnN));
  });
  return { dx, dgamma, dbeta };
}
