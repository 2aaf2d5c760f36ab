import { defaultTolerance, type Comparison } from '../authoring/exercise.js';
import { isMarker } from '../../sandbox/wire.js';
import { diffSequences, diffTensors, numericShape, type SequenceDiff, type TensorDiff } from './tensor-diff.js';
import {
  arrayOfShape,
  describeType,
  expectedGotMessage,
  missingFieldMessage,
  numberArrayType,
  numberMessage,
  objectWithFields,
  rankMessage,
  sequenceMessage,
  shapeMessage,
  tensorMessage,
  typeWords,
} from './wording.js';

/** The first difference between an expected output and a learner's, with the sentence that explains it. */
export type Mismatch =
  | { kind: 'type'; path: string; expected: string; got: string; message: string }
  | { kind: 'shape'; path: string; expected: number[]; got: number[]; message: string }
  | { kind: 'values'; path: string; diff: TensorDiff; message: string }
  | { kind: 'sequence'; path: string; diff: SequenceDiff; message: string }
  | { kind: 'scalar'; path: string; expected: string; got: string; message: string };

export type CompareResult = { ok: true } | { ok: false; mismatch: Mismatch };

const fail = (mismatch: Mismatch): CompareResult => ({ ok: false, mismatch });

/** A value of another type than expected; the message says `Expected <expected>, got <describeType(got)>.` unless given. */
function typeMismatch(path: string, expected: string, got: unknown, message?: string): CompareResult {
  return fail({ kind: 'type', path, expected, got: describeType(got), message: message ?? expectedGotMessage(expected, describeType(got), path) });
}

function sequenceMismatch(path: string, diff: SequenceDiff): CompareResult {
  return fail({ kind: 'sequence', path, diff, message: sequenceMessage(diff, path) });
}

/**
 * Compares a learner's output with the expected one: type and shape exactly first
 * (no broadcasting), then NaN/Infinity positions, then values within tolerance,
 * or exactly for `'exact'`. Returns the first mismatch, described for a learner.
 */
export function compareOutputs(want: unknown, got: unknown, tolerance: Comparison = defaultTolerance, path = ''): CompareResult {
  if (isMarker(got)) return typeMismatch(path, describeType(want), got);

  if (typeof want === 'number') {
    if (typeof got !== 'number') return typeMismatch(path, typeWords.number(), got);
    const diff = diffTensors(want, got, [], tolerance);
    return diff ? fail({ kind: 'values', path, diff, message: numberMessage(want, got, tolerance, path) }) : { ok: true };
  }
  if (typeof want === 'string') {
    if (typeof got !== 'string') return typeMismatch(path, typeWords.string(), got);
    const diff = diffSequences(want, got);
    return diff ? sequenceMismatch(path, diff) : { ok: true };
  }
  if (typeof want === 'boolean' || want === null) {
    if (got === want) return { ok: true };
    return typeof got === typeof want
      ? fail({ kind: 'scalar', path, expected: String(want), got: String(got), message: expectedGotMessage(String(want), String(got), path) })
      : typeMismatch(path, want === null ? 'null' : typeWords.boolean(), got);
  }
  if (Array.isArray(want)) return compareArrays(want, got, tolerance, path);
  if (typeof want === 'object') return compareObjects(want, got, tolerance, path);
  return typeMismatch(path, typeof want, got);
}

/** Field by field, in the expected object's order; extra fields of the learner's object are allowed. */
function compareObjects(want: object, got: unknown, tolerance: Comparison, path: string): CompareResult {
  if (typeof got !== 'object' || got === null || Array.isArray(got)) return typeMismatch(path, objectWithFields(want), got);
  for (const key of Object.keys(want)) {
    const sub = path ? `${path}.${key}` : key;
    if (!(key in got)) return fail({ kind: 'type', path: sub, expected: typeWords.field(), got: typeWords.nothing(), message: missingFieldMessage(key, Object.keys(want)) });
    const result = compareOutputs((want as Record<string, unknown>)[key], (got as Record<string, unknown>)[key], tolerance, sub);
    if (!result.ok) return result;
  }
  return { ok: true };
}

/** Exact lists of integers or of short tuples (token ids, merge pairs) read best as sequences. */
function listLike(tolerance: Comparison, shape: number[]): boolean {
  return tolerance === 'exact' && (shape.length === 1 || (shape.length === 2 && shape[1] <= 4));
}

function compareArrays(want: unknown[], got: unknown, tolerance: Comparison, path: string): CompareResult {
  // An empty list has no element type: [] against [[1, 2]] or ['a'] is a list of the wrong length, not of the wrong type.
  if (Array.isArray(got) && (want.length === 0 || got.length === 0)) {
    if (want.length === got.length) return { ok: true };
    const item = (v: unknown) => (typeof v === 'number' ? v : JSON.stringify(v));
    return sequenceMismatch(path, diffSequences(want.map(item), got.map(item))!);
  }
  const wantShape = numericShape(want);
  if (wantShape) return compareTensors(want, wantShape, got, tolerance, path);
  if (!Array.isArray(got)) return typeMismatch(path, describeType(want), got);
  if (want.every((v) => typeof v === 'string')) {
    if (!got.every((v) => typeof v === 'string')) return typeMismatch(path, 'string[]', got);
    const diff = diffSequences(want, got);
    return diff ? sequenceMismatch(path, diff) : { ok: true };
  }
  if (got.length !== want.length) {
    return sequenceMismatch(path, diffSequences(want.map((v) => JSON.stringify(v)), got.map((v) => JSON.stringify(v)))!);
  }
  for (let i = 0; i < want.length; i++) {
    const result = compareOutputs(want[i], got[i], tolerance, `${path}[${i}]`);
    if (!result.ok) return result;
  }
  return { ok: true };
}

/** A non-empty rectangular number array against the learner's value: rank, then shape, then elements. */
function compareTensors(want: unknown[], wantShape: number[], got: unknown, tolerance: Comparison, path: string): CompareResult {
  const expected = arrayOfShape(wantShape);
  if (!Array.isArray(got)) return typeMismatch(path, expected, got);
  const gotShape = numericShape(got);
  if (!gotShape) return typeMismatch(path, expected, got);
  if (gotShape.length !== wantShape.length) {
    return typeMismatch(path, numberArrayType(wantShape.length), got, rankMessage(wantShape, gotShape, path));
  }
  if (gotShape.join() !== wantShape.join()) {
    if (listLike(tolerance, wantShape) && gotShape.slice(1).join() === wantShape.slice(1).join()) return sequenceMismatch(path, diffSequences(want, got)!);
    return fail({ kind: 'shape', path, expected: wantShape, got: gotShape, message: shapeMessage(wantShape, gotShape, path) });
  }
  const diff = diffTensors(want, got, wantShape, tolerance);
  if (!diff) return { ok: true };
  if (listLike(tolerance, wantShape)) return sequenceMismatch(path, diffSequences(want, got)!);
  return fail({ kind: 'values', path, diff, message: tensorMessage(diff, path) });
}
