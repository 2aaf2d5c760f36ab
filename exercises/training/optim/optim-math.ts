// Shared pieces of the optim track's definitions: numbers as messages print
// them, and the shape checks of a learner's outputs in "Check yourself".

/** A number as a message prints it: 6 significant digits. */
export function show(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(6))) : String(x);
}

/** A list of numbers as a message prints it: `[0.1, 0.2]`. */
export function showList(xs: readonly number[]): string {
  return `[${xs.map(show).join(', ')}]`;
}

export const isVector = (x: unknown): x is number[] => Array.isArray(x) && x.every((v) => typeof v === 'number');

/** Whether got is within |got − want| ≤ 1e-5 + 1e-4·|want| of want, the exercises' default tolerance (NaN never is). */
export function close(want: number, got: number): boolean {
  return Math.abs(got - want) <= 1e-5 + 1e-4 * Math.abs(want);
}

/** The L2 norm of all the vectors' entries together: √(Σ_i Σ_j g_ij²). */
export function totalNorm(vectors: readonly number[][]): number {
  return Math.sqrt(vectors.reduce((acc, v) => acc + v.reduce((s, x) => s + x * x, 0), 0));
}
