import { defaultTolerance, describeType, type Rng, type Tolerance } from 'llm-tutor/pack';

// Shared pieces of the "Check yourself" properties: checks of the shape of a
// learner's outputs, comparisons within a tolerance, and numbers as the
// messages print them. Each property's own statement stays in its exercise.

/** A number as a property's message prints it: 6 significant digits. */
export function show(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(6))) : String(x);
}

/** A list of numbers as a message prints it: `[0.1, 0.2]`. */
export function showList(xs: readonly number[]): string {
  return `[${xs.map(show).join(', ')}]`;
}

export const isVector = (x: unknown): x is number[] => Array.isArray(x) && x.every((v) => typeof v === 'number');
export const isMatrix = (x: unknown): x is number[][] => Array.isArray(x) && x.length > 0 && x.every(isVector);

/** Whether got is within the tolerance of want: |got − want| ≤ atol + rtol·|want| (NaN never is). */
export function close(want: number, got: number, tolerance: Tolerance = defaultTolerance): boolean {
  return Math.abs(got - want) <= tolerance.atol + tolerance.rtol * Math.abs(want);
}

/** The message for outputs that are not all of one kind: `attention must return a matrix; it returned number[] of shape [3].` */
export function wrongKind(entry: string, kind: string, outputs: readonly unknown[], is: (x: unknown) => boolean): string | undefined {
  const odd = outputs.find((o) => !is(o));
  return odd === undefined ? undefined : `${entry} must return ${kind}; it returned ${describeType(odd)}.`;
}

/** The index of the first entry where two lists of one length differ beyond the tolerance, or −1. */
function firstMismatch(first: readonly number[], second: readonly number[], tolerance: Tolerance): number {
  return first.findIndex((x, i) => !close(x, second[i], tolerance));
}

/**
 * Where two lists of numbers first differ beyond the tolerance, in words
 * (`entry 2 is 0.41 in the first and 0.37 in the second`), or their lengths
 * when those differ; undefined when they agree.
 */
export function listDifference(first: readonly number[], second: readonly number[], tolerance: Tolerance = defaultTolerance): string | undefined {
  if (first.length !== second.length) return `the lengths differ: ${first.length} and ${second.length}`;
  const i = firstMismatch(first, second, tolerance);
  return i < 0 ? undefined : `entry ${i} is ${show(first[i])} in the first and ${show(second[i])} in the second`;
}

/**
 * Where two matrices first differ beyond the tolerance, in words
 * (`[1][0] is 0.41 in the first and 0.37 in the second`), or their shapes when
 * those differ; undefined when they agree.
 */
export function matrixDifference(first: number[][], second: number[][], tolerance: Tolerance = defaultTolerance): string | undefined {
  const shape = (m: number[][]) => `[${m.length}, ${m[0]?.length ?? 0}]`;
  if (first.length !== second.length || first.some((row, i) => row.length !== second[i].length)) return `the shapes differ: ${shape(first)} and ${shape(second)}`;
  for (let i = 0; i < first.length; i++) {
    const j = firstMismatch(first[i], second[i], tolerance);
    if (j >= 0) return `[${i}][${j}] is ${show(first[i][j])} in the first and ${show(second[i][j])} in the second`;
  }
  return undefined;
}

/**
 * A property's `holds` for a function that returns a matrix: `pair` picks the
 * two matrices that must agree, from the outputs and the calls. When they do
 * not, the message is `explain` of where they differ (`[1][0] is 0.41 in the
 * first and 0.37 in the second`).
 */
export function matricesAgree<Args extends unknown[]>(
  entry: string,
  pair: (outputs: number[][][], calls: Args[]) => [number[][], number[][]],
  explain: (difference: string, calls: Args[]) => string,
): (outputs: number[][][], calls: Args[]) => string | undefined {
  return (outputs, calls) => {
    const odd = wrongKind(entry, 'a matrix', outputs, isMatrix);
    if (odd) return odd;
    const difference = matrixDifference(...pair(outputs, calls));
    return difference === undefined ? undefined : explain(difference, calls);
  };
}

/** A random permutation of 0..n−1 that moves at least one index (n ≥ 2). */
export function shuffled(rng: Rng, n: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order.every((x, i) => x === i) ? [...order.slice(1), order[0]] : order;
}
