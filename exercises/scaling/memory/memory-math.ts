import type { Tolerance } from 'llm-tutor/pack';
import { close as within } from '../../transformer-core/properties.js';

// Shared pieces of the memory track's definitions (and compute/training-flops):
// the tolerance of byte counts, numbers as messages print them, and the check
// that a learner's outputs are numbers before a property uses them.

/**
 * Byte and FLOP counts are compared relatively, to 1e-9: they are exact in
 * float64 whatever the order of the products, except where Ψ/N is not an
 * integer, and they reach 1e11 bytes and 1e24 FLOPs, where an absolute
 * tolerance means nothing.
 */
export const relative: Tolerance = { atol: 0, rtol: 1e-9 };

/** A number as a message prints it: up to 6 significant digits, exact integers below 1e15 in full with thousands separators. */
export function show(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return x.toLocaleString('en-US');
  return String(Number(x.toPrecision(6)));
}

/** Bytes in GB (10⁹ bytes), as the lessons quote them: `31.40625 GB`. */
export function gb(bytes: number): string {
  return `${Number((bytes / 1e9).toPrecision(8))} GB`;
}

/** Bytes in GiB (2³⁰ bytes), as a GPU's memory is counted: `1.25 GiB`. */
export function gib(bytes: number): string {
  return `${Number((bytes / 2 ** 30).toPrecision(6))} GiB`;
}

export const isNumber = (x: unknown): x is number => typeof x === 'number';

/** Whether got is within the relative tolerance of want. */
export const close = (want: number, got: number, tolerance: Tolerance = relative): boolean => within(want, got, tolerance);

/** The message for outputs that are not all of one kind: `kvCacheBytes must return a number; it returned string.` */
export { wrongKind } from '../../transformer-core/properties.js';
