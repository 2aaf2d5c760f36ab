import { defaultTolerance, describeType, matmul, transpose, type Tolerance } from 'llm-tutor/pack';

// The backprop track's float64 helpers: matrix arithmetic for the wrong
// variants, and the shape checks and wording of its "Check yourself" properties.

export { matmul, transpose };

export const sum = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0);
export const mean = (xs: readonly number[]): number => sum(xs) / xs.length;

/** The sum of each column of a `[rows, cols]` matrix: a vector of `cols` numbers. */
export function columnSums(a: number[][]): number[] {
  return a[0].map((_, j) => sum(a.map((row) => row[j])));
}

/** Every entry multiplied by `s`. */
export function scaled(a: number[][], s: number): number[][] {
  return a.map((row) => row.map((x) => x * s));
}

/** The entry-wise product of two matrices of one shape. */
export function hadamard(a: number[][], b: number[][]): number[][] {
  return a.map((row, i) => row.map((x, j) => x * b[i][j]));
}

/** A stable softmax of one row. */
export function softmaxRow(z: readonly number[]): number[] {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = sum(e);
  return e.map((x) => x / s);
}

/** A number as a property's message prints it: 6 significant digits. */
export function show(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(6))) : String(x);
}

/** Whether got is within the tolerance of want: |got − want| ≤ atol + rtol·|want| (NaN never is). */
export function close(want: number, got: number, tolerance: Tolerance = defaultTolerance): boolean {
  return Math.abs(got - want) <= tolerance.atol + tolerance.rtol * Math.abs(want);
}

export const isVector = (x: unknown): x is number[] => Array.isArray(x) && x.every((v) => typeof v === 'number');
export const isMatrix = (x: unknown): x is number[][] => Array.isArray(x) && x.length > 0 && x.every(isVector);

/** A record whose named fields are matrices or vectors as `kinds` says, e.g. `{ dx: 'matrix', db: 'vector' }`. */
export function hasFields(o: unknown, kinds: Record<string, 'matrix' | 'vector'>): boolean {
  if (typeof o !== 'object' || o === null) return false;
  const record = o as Record<string, unknown>;
  return Object.entries(kinds).every(([name, kind]) => (kind === 'matrix' ? isMatrix : isVector)(record[name]));
}

/** The message for outputs that are not all of one kind, or undefined when they all are. */
export function wrongKind(entry: string, kind: string, outputs: readonly unknown[], is: (x: unknown) => boolean): string | undefined {
  const odd = outputs.find((o) => !is(o));
  return odd === undefined ? undefined : `${entry} must return ${kind}; it returned ${describeType(odd)}.`;
}

/** `[rows, cols]` of a matrix, as messages print a shape. */
export function shapeOf(a: number[][]): string {
  return `[${a.length}, ${a[0]?.length ?? 0}]`;
}

/** erf to about 1.5e-7 (Abramowitz & Stegun 7.1.26): the exact GELU of a wrong variant. */
export function erf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const poly = ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t;
  return Math.sign(x) * (1 - poly * Math.exp(-x * x));
}
