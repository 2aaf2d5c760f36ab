import type { Comparison } from '../authoring/exercise.js';
import { plural, sentences, tidySpaces } from '../common/words.js';
import { t } from '../../i18n/i18n.js';
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
    if (value.length === 0) return t('an empty array');
    if (value.every((v) => typeof v === 'string')) return t`string[] of length ${value.length}`;
    const nested = value.every((v) => Array.isArray(v));
    if (nested && value.every((row) => (row as unknown[]).every((x) => typeof x === 'number'))) {
      const lengths = value.map((row) => (row as unknown[]).length);
      return t`a jagged number[][] (row lengths ${summariseList(lengths)})`;
    }
    return t`an array of ${value.length} mixed elements (${summariseList(value.slice(0, 4).map((v) => shortType(v)))})`;
  }
  if (typeof value === 'object') return objectWithFields(value as object);
  return typeof value;
}

function shortType(value: unknown): string {
  if (Array.isArray(value)) return t('array');
  if (isMarker(value)) return describeMarker(value);
  return value === null ? 'null' : typeof value;
}

function summariseList(items: (string | number)[]): string {
  return items.length > 6 ? `${items.slice(0, 6).join(', ')}, …` : items.join(', ');
}

function describeMarker(marker: Marker): string {
  switch (marker[MARKER]) {
    case 'undefined':
      return t('undefined (did the function forget to return?)');
    case 'function':
      return marker.name ? t`a function (${marker.name})` : t('a function');
    case 'promise':
      return t('a Promise (the function must be synchronous: remove async/await)');
    case 'symbol':
      return t('a symbol');
    case 'bigint':
      return t('a bigint');
    case 'typed':
      return t`a ${marker.type} of length ${marker.values.length} (use a plain array: Array.from(...))`;
    case 'object':
      return t`an instance of ${marker.className}`;
    case 'too-large':
      return t`a structure with more than ${marker.elements.toLocaleString('en-US')} elements`;
    case 'unreadable':
      return t`a value that could not be read (${marker.message})`;
  }
}

/** The type of a nested number array of this rank: `number[][]` for rank 2, `number` for a scalar. */
export function numberArrayType(rank: number): string {
  return `number${'[]'.repeat(rank)}`;
}

/** `number[][] of shape [3, 4]`. */
export function arrayOfShape(shape: number[]): string {
  return t`${numberArrayType(shape.length)} of shape ${formatIndex(shape)}`;
}

/** `an object with fields {a, b}`: the type an object of these fields is named by. */
export function objectWithFields(value: object): string {
  return t`an object with fields {${Object.keys(value).join(', ')}}`;
}

/** Formats an index as `[2, 1]` (or `[]` for a scalar); shapes are written the same way. */
export function formatIndex(index: number[]): string {
  return `[${index.join(', ')}]`;
}

/** What `a` or `b` names, as the types of compare.ts say it: `a number`, `a string`, `a boolean`, `a field`, `nothing`. */
export const typeWords = {
  number: () => t('a number'),
  string: () => t('a string'),
  boolean: () => t('a boolean'),
  field: () => t('a field'),
  nothing: () => t('nothing'),
};

/** `Expected a number for x, got a string.` */
export function expectedGotMessage(expected: string, got: string, path: string): string {
  return tidySpaces(path ? t`Expected ${expected} for ${path}, got ${got}.` : t`Expected ${expected}, got ${got}.`);
}

/** `exact match required`, or `allowed 0.0001` for the greatest difference the tolerance lets through. */
function allowedText(tolerance: Comparison, allowed: number): string {
  return tolerance === 'exact' ? t('exact match required') : t`allowed ${formatNumber(allowed)}`;
}

/** `Expected 0.5, got 0.6 (allowed 1.5e-5).` for one number out of tolerance. */
export function numberMessage(want: number, got: number, tolerance: Comparison, path: string): string {
  const allowed = allowedText(tolerance, allowedDifference(tolerance, want));
  return path ? t`Expected ${formatNumber(want)} for ${path}, got ${formatNumber(got)} (${allowed}).` : t`Expected ${formatNumber(want)}, got ${formatNumber(got)} (${allowed}).`;
}

/** A nested number array of another rank than expected, with both shapes. */
export function rankMessage(wantShape: number[], gotShape: number[], path: string): string {
  const [want, got] = [numberArrayType(wantShape.length), numberArrayType(gotShape.length)];
  const [gotAs, wantAs] = [formatIndex(gotShape), formatIndex(wantShape)];
  return path ? t`Expected ${want} for ${path}, got ${got} (shape ${gotAs} instead of ${wantAs}).` : t`Expected ${want}, got ${got} (shape ${gotAs} instead of ${wantAs}).`;
}

/** Same rank, other shape; a swapped matrix is pointed out. */
export function shapeMessage(wantShape: number[], gotShape: number[], path: string): string {
  const transposed = wantShape.length === 2 && gotShape[0] === wantShape[1] && gotShape[1] === wantShape[0];
  const [want, got] = [formatIndex(wantShape), formatIndex(gotShape)];
  if (transposed) return path ? t`Expected shape ${want} for ${path}, got ${got} (transposed?).` : t`Expected shape ${want}, got ${got} (transposed?).`;
  return path ? t`Expected shape ${want} for ${path}, got ${got}.` : t`Expected shape ${want}, got ${got}.`;
}

/** A field of the expected object that the learner's object lacks. */
export function missingFieldMessage(key: string, expectedFields: string[]): string {
  return t`The returned object has no field "${key}" (expected fields: ${expectedFields.join(', ')}).`;
}

/** How many elements of a tensor differ, the first non-finite one, and the greatest absolute and relative differences. */
export function tensorMessage(diff: TensorDiff, path: string): string {
  const pct = ((100 * diff.mismatched) / diff.total).toFixed(1);
  const parts = [path ? t`Mismatched elements in ${path}: ${diff.mismatched} / ${diff.total} (${pct}%).` : t`Mismatched elements: ${diff.mismatched} / ${diff.total} (${pct}%).`];
  if (diff.nonFiniteCount > 0) {
    const first = diff.nonFinite[0];
    const [got, expected, at] = [formatNumber(first.got), formatNumber(first.expected), formatIndex(first.index)];
    parts.push(
      diff.nonFiniteCount > 1
        ? t`${got} where ${expected} was expected at ${at} (and ${plural(diff.nonFiniteCount - 1, 'more non-finite mismatch', 'more non-finite mismatches')}).`
        : t`${got} where ${expected} was expected at ${at}.`,
    );
  }
  if (diff.maxAbs) {
    parts.push(t`Greatest absolute difference ${formatNumber(diff.maxAbs.value)} at ${formatIndex(diff.maxAbs.index)} (${allowedText(diff.tolerance, diff.maxAbs.allowed)}).`);
  }
  if (diff.maxRel) parts.push(t`Greatest relative difference ${formatNumber(diff.maxRel.value)} at ${formatIndex(diff.maxRel.index)}.`);
  return sentences(parts);
}

/** Where two strings or lists first differ, and their lengths when those differ. */
export function sequenceMessage(diff: SequenceDiff, path: string): string {
  const i = diff.index;
  const differ =
    diff.unit === 'chars'
      ? path
        ? t`Strings differ (${path}) first at character ${i}.`
        : t`Strings differ first at character ${i}.`
      : path
        ? t`Lists differ (${path}) first at index ${i}.`
        : t`Lists differ first at index ${i}.`;
  return diff.expectedLength !== diff.gotLength ? sentences([differ, t`Expected length ${diff.expectedLength}, got ${diff.gotLength}.`]) : differ;
}
