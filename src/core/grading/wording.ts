import type { Comparison } from '../authoring/exercise.js';
import { plural } from '../common/words.js';
import { isMarker, MARKER, type Marker } from '../../sandbox/wire.js';
import { allowedDifference, formatNumber, numericShape, type SequenceDiff, type TensorDiff } from './tensor-diff.js';

// The sentences a learner reads about a mismatch. compare.ts decides what differs; this file says it.

/** Describes a value's type and shape the way a learner writes it: `number[][] of shape [3, 4]`, `string`, `a Promise (…)`. */
export function describeType(value: unknown): string {
  if (isMarker(value)) return describeMarker(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    const shape = numericShape(value);
    if (shape) return arrayOfShape(shape);
    if (value.length === 0) return 'an empty array';
    if (value.every((v) => typeof v === 'string')) return `string[] of length ${value.length}`;
    const nested = value.every((v) => Array.isArray(v));
    if (nested && value.every((row) => (row as unknown[]).every((x) => typeof x === 'number'))) {
      const lengths = value.map((row) => (row as unknown[]).length);
      return `a jagged number[][] (row lengths ${summariseList(lengths)})`;
    }
    return `an array of ${value.length} mixed elements (${summariseList(value.slice(0, 4).map((v) => shortType(v)))})`;
  }
  if (typeof value === 'object') return objectWithFields(value as object);
  return typeof value;
}

function shortType(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (isMarker(value)) return describeMarker(value);
  return value === null ? 'null' : typeof value;
}

function summariseList(items: (string | number)[]): string {
  return items.length > 6 ? `${items.slice(0, 6).join(', ')}, …` : items.join(', ');
}

function describeMarker(marker: Marker): string {
  switch (marker[MARKER]) {
    case 'undefined':
      return 'undefined (did the function forget to return?)';
    case 'function':
      return `a function${marker.name ? ` (${marker.name})` : ''}`;
    case 'promise':
      return 'a Promise (the function must be synchronous: remove async/await)';
    case 'symbol':
      return 'a symbol';
    case 'bigint':
      return 'a bigint';
    case 'typed':
      return `a ${marker.type} of length ${marker.values.length} (use a plain array: Array.from(...))`;
    case 'object':
      return `an instance of ${marker.className}`;
    case 'too-large':
      return `a structure with more than ${marker.elements.toLocaleString('en-US')} elements`;
    case 'unreadable':
      return `a value that could not be read (${marker.message})`;
  }
}

/** The type of a nested number array of this rank: `number[][]` for rank 2, `number` for a scalar. */
export function numberArrayType(rank: number): string {
  return `number${'[]'.repeat(rank)}`;
}

/** `number[][] of shape [3, 4]`. */
export function arrayOfShape(shape: number[]): string {
  return `${numberArrayType(shape.length)} of shape ${formatIndex(shape)}`;
}

/** `an object with fields {a, b}`: the type an object of these fields is named by. */
export function objectWithFields(value: object): string {
  return `an object with fields {${Object.keys(value).join(', ')}}`;
}

/** Formats an index as `[2, 1]` (or `[]` for a scalar); shapes are written the same way. */
export function formatIndex(index: number[]): string {
  return `[${index.join(', ')}]`;
}

/** ` for out.logits`, or nothing at the top level: where a mismatch is, as a sentence puts it after what was expected. */
function forPath(path: string): string {
  return path ? ` for ${path}` : '';
}

/** `Expected a number for x, got a string.` */
export function expectedGotMessage(expected: string, got: string, path: string): string {
  return `Expected ${expected}${forPath(path)}, got ${got}.`;
}

/** `exact match required`, or `allowed 0.0001` for the greatest difference the tolerance lets through. */
function allowedText(tolerance: Comparison, allowed: number): string {
  return tolerance === 'exact' ? 'exact match required' : `allowed ${formatNumber(allowed)}`;
}

/** `Expected 0.5, got 0.6 (allowed 1.5e-5).` for one number out of tolerance. */
export function numberMessage(want: number, got: number, tolerance: Comparison, path: string): string {
  return `Expected ${formatNumber(want)}${forPath(path)}, got ${formatNumber(got)} (${allowedText(tolerance, allowedDifference(tolerance, want))}).`;
}

/** A nested number array of another rank than expected, with both shapes. */
export function rankMessage(wantShape: number[], gotShape: number[], path: string): string {
  return `Expected ${numberArrayType(wantShape.length)}${forPath(path)}, got ${numberArrayType(gotShape.length)} (shape ${formatIndex(gotShape)} instead of ${formatIndex(wantShape)}).`;
}

/** Same rank, other shape; a swapped matrix is pointed out. */
export function shapeMessage(wantShape: number[], gotShape: number[], path: string): string {
  const transposed = wantShape.length === 2 && gotShape[0] === wantShape[1] && gotShape[1] === wantShape[0];
  return `Expected shape ${formatIndex(wantShape)}${forPath(path)}, got ${formatIndex(gotShape)}${transposed ? ' (transposed?)' : ''}.`;
}

/** A field of the expected object that the learner's object lacks. */
export function missingFieldMessage(key: string, expectedFields: string[]): string {
  return `The returned object has no field "${key}" (expected fields: ${expectedFields.join(', ')}).`;
}

/** How many elements of a tensor differ, the first non-finite one, and the greatest absolute and relative differences. */
export function tensorMessage(diff: TensorDiff, path: string): string {
  const where = path ? ` in ${path}` : '';
  const pct = ((100 * diff.mismatched) / diff.total).toFixed(1);
  const parts = [`Mismatched elements${where}: ${diff.mismatched} / ${diff.total} (${pct}%).`];
  if (diff.nonFiniteCount > 0) {
    const first = diff.nonFinite[0];
    parts.push(
      `${formatNumber(first.got)} where ${formatNumber(first.expected)} was expected at ${formatIndex(first.index)}` +
        (diff.nonFiniteCount > 1 ? ` (and ${plural(diff.nonFiniteCount - 1, 'more non-finite mismatch', 'more non-finite mismatches')}).` : '.'),
    );
  }
  if (diff.maxAbs) {
    parts.push(`Greatest absolute difference ${formatNumber(diff.maxAbs.value)} at ${formatIndex(diff.maxAbs.index)} (${allowedText(diff.tolerance, diff.maxAbs.allowed)}).`);
  }
  if (diff.maxRel) parts.push(`Greatest relative difference ${formatNumber(diff.maxRel.value)} at ${formatIndex(diff.maxRel.index)}.`);
  return parts.join(' ');
}

/** Where two strings or lists first differ, and their lengths when those differ. */
export function sequenceMessage(diff: SequenceDiff, path: string): string {
  const what = diff.unit === 'chars' ? 'Strings' : 'Lists';
  const where = path ? ` (${path})` : '';
  const lengths = diff.expectedLength !== diff.gotLength ? ` Expected length ${diff.expectedLength}, got ${diff.gotLength}.` : '';
  return `${what} differ${where} first at ${diff.unit === 'chars' ? 'character' : 'index'} ${diff.index}.${lengths}`;
}
