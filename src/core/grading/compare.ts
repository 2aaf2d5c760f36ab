import { defaultTolerance, type Comparison, type Tolerance } from '../authoring/exercise.js';
import { isMarker, MARKER, type Marker } from '../../sandbox/wire.js';

/** Expected vs got around the worst element of a numeric tensor. */
export interface DiffWindow {
  /** Index of the first row and column shown (rank 2) or first element (rank 1). */
  rowStart: number;
  colStart: number;
  expected: number[][];
  got: number[][];
  mismatch: boolean[][];
}

/** Where the mismatches are in a matrix, downsampled to at most 16 × 48 cells; each cell is the fraction mismatched. */
export interface Heatmap {
  rows: number;
  cols: number;
  /** Elements of the tensor per heatmap cell, along rows and columns. */
  cellRows: number;
  cellCols: number;
  cells: number[][];
}

export interface TensorDiff {
  shape: number[];
  mismatched: number;
  total: number;
  /** Greatest |got − want| over finite pairs, with its index. */
  maxAbs?: { value: number; index: number[]; allowed: number };
  /** Greatest |got − want| / |want| over finite pairs with want ≠ 0. */
  maxRel?: { value: number; index: number[] };
  /** Positions where NaN or ±Infinity appear in one but not the other. */
  nonFinite: { index: number[]; expected: number; got: number }[];
  nonFiniteCount: number;
  /** The element the window is centred on. */
  worst: number[];
  window: DiffWindow;
  heatmap?: Heatmap;
  tolerance: Comparison;
}

export interface SequenceDiff {
  /** `chars` for strings, `items` for lists. */
  unit: 'chars' | 'items';
  index: number;
  expectedLength: number;
  gotLength: number;
  /** Context around the first difference, already formatted. */
  expectedContext: string;
  gotContext: string;
}

export type Mismatch =
  | { kind: 'type'; path: string; expected: string; got: string; message: string }
  | { kind: 'shape'; path: string; expected: number[]; got: number[]; message: string }
  | { kind: 'values'; path: string; diff: TensorDiff; message: string }
  | { kind: 'sequence'; path: string; diff: SequenceDiff; message: string }
  | { kind: 'scalar'; path: string; expected: string; got: string; message: string };

export type CompareResult = { ok: true } | { ok: false; mismatch: Mismatch };

const MAX_DEPTH = 6;

/** Describes a value's type and shape the way a learner writes it: `number[][] [3, 4]`, `string`, `Promise`. */
export function describeType(value: unknown): string {
  if (isMarker(value)) return describeMarker(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    const shape = numericShape(value);
    if (shape) return `number${'[]'.repeat(shape.length)} of shape [${shape.join(', ')}]`;
    if (value.length === 0) return 'an empty array';
    if (value.every((v) => typeof v === 'string')) return `string[] of length ${value.length}`;
    const nested = value.every((v) => Array.isArray(v));
    if (nested && value.every((row) => (row as unknown[]).every((x) => typeof x === 'number'))) {
      const lengths = value.map((row) => (row as unknown[]).length);
      return `a jagged number[][] (row lengths ${summariseList(lengths)})`;
    }
    return `an array of ${value.length} mixed elements (${summariseList(value.slice(0, 4).map((v) => shortType(v)))})`;
  }
  if (typeof value === 'object') return `an object with fields {${Object.keys(value as object).join(', ')}}`;
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

/**
 * The shape of a rectangular nested array of numbers (`[]` for a number),
 * or undefined when it is not one (jagged, holds other types, or is empty at depth > 0).
 */
export function numericShape(value: unknown): number[] | undefined {
  if (typeof value === 'number') return [];
  if (!Array.isArray(value)) return undefined;
  const shape: number[] = [];
  let level: unknown[] = [value];
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const first = level[0];
    if (!Array.isArray(first)) {
      return level.every((v) => typeof v === 'number') ? shape : undefined;
    }
    const length = first.length;
    const next: unknown[] = [];
    for (const item of level) {
      if (!Array.isArray(item) || item.length !== length) return undefined;
      for (const x of item) next.push(x);
    }
    shape.push(length);
    if (length === 0) return level.every((v) => Array.isArray(v) && v.length === 0) ? shape : undefined;
    level = next;
  }
  return undefined;
}

function flatten(value: unknown, out: number[] = []): number[] {
  if (Array.isArray(value)) for (const v of value) flatten(v, out);
  else out.push(value as number);
  return out;
}

function unravel(flat: number, shape: number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = flat % shape[d];
    flat = Math.floor(flat / shape[d]);
  }
  return index;
}

/** Formats an index as `[2, 1]` (or `[]` for a scalar). */
export function formatIndex(index: number[]): string {
  return `[${index.join(', ')}]`;
}

/** Formats a number compactly for diffs: up to 6 significant digits, NaN and ±Infinity spelt out. */
export function formatNumber(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const abs = Math.abs(x);
  if (abs >= 1e6 || abs < 1e-4) return x.toExponential(3);
  return String(Number(x.toPrecision(6)));
}

function isClose(want: number, got: number, tolerance: Comparison, equalNan: boolean): boolean {
  if (Number.isNaN(want) || Number.isNaN(got)) return equalNan && Number.isNaN(want) && Number.isNaN(got);
  if (tolerance === 'exact' || !Number.isFinite(want) || !Number.isFinite(got)) return Object.is(want, got) || want === got;
  return Math.abs(got - want) <= tolerance.atol + tolerance.rtol * Math.abs(want);
}

/** Compares two numeric tensors of equal shape element by element. */
export function diffTensors(want: unknown, got: unknown, shape: number[], tolerance: Comparison, equalNan = true): TensorDiff | undefined {
  const w = flatten(want);
  const g = flatten(got);
  let mismatched = 0;
  let maxAbs = -1;
  let maxAbsAt = -1;
  let maxRel = -1;
  let maxRelAt = -1;
  let firstNonFinite = -1;
  const nonFinite: TensorDiff['nonFinite'] = [];
  let nonFiniteCount = 0;
  const bad = new Uint8Array(w.length);
  for (let i = 0; i < w.length; i++) {
    if (isClose(w[i], g[i], tolerance, equalNan)) continue;
    mismatched++;
    bad[i] = 1;
    if (!Number.isFinite(w[i]) || !Number.isFinite(g[i])) {
      nonFiniteCount++;
      if (firstNonFinite < 0) firstNonFinite = i;
      if (nonFinite.length < 5) nonFinite.push({ index: unravel(i, shape), expected: w[i], got: g[i] });
      continue;
    }
    const abs = Math.abs(g[i] - w[i]);
    if (abs > maxAbs) {
      maxAbs = abs;
      maxAbsAt = i;
    }
    if (w[i] !== 0) {
      const rel = abs / Math.abs(w[i]);
      if (rel > maxRel) {
        maxRel = rel;
        maxRelAt = i;
      }
    }
  }
  if (mismatched === 0) return undefined;
  const worstFlat = firstNonFinite >= 0 ? firstNonFinite : maxAbsAt;
  const worst = unravel(worstFlat, shape);
  const allowedAt = (i: number) => (tolerance === 'exact' ? 0 : tolerance.atol + tolerance.rtol * Math.abs(w[i]));
  return {
    shape,
    mismatched,
    total: w.length,
    maxAbs: maxAbsAt >= 0 ? { value: maxAbs, index: unravel(maxAbsAt, shape), allowed: allowedAt(maxAbsAt) } : undefined,
    maxRel: maxRelAt >= 0 ? { value: maxRel, index: unravel(maxRelAt, shape) } : undefined,
    nonFinite,
    nonFiniteCount,
    worst,
    window: makeWindow(w, g, bad, shape, worst),
    heatmap: shape.length === 2 ? makeHeatmap(bad, shape[0], shape[1]) : undefined,
    tolerance,
  };
}

function makeWindow(w: number[], g: number[], bad: Uint8Array, shape: number[], worst: number[]): DiffWindow {
  // View any tensor as rows × cols, the last axis being the columns, so a window is always 2-D.
  const cols = shape.length === 0 ? 1 : shape[shape.length - 1];
  const rows = cols === 0 ? 0 : w.length / cols;
  const worstFlat = worst.reduce((acc, i, d) => acc * shape[d] + i, 0);
  const worstRow = Math.floor(worstFlat / Math.max(cols, 1));
  const worstCol = worstFlat % Math.max(cols, 1);
  const halfRows = shape.length <= 1 ? 0 : 2;
  const halfCols = shape.length <= 1 ? 4 : 3;
  const rowStart = Math.max(0, Math.min(worstRow - halfRows, rows - (2 * halfRows + 1)));
  const colStart = Math.max(0, Math.min(worstCol - halfCols, cols - (2 * halfCols + 1)));
  const rowEnd = Math.min(rows, rowStart + 2 * halfRows + 1);
  const colEnd = Math.min(cols, colStart + 2 * halfCols + 1);
  const window: DiffWindow = { rowStart, colStart, expected: [], got: [], mismatch: [] };
  for (let r = rowStart; r < rowEnd; r++) {
    const e: number[] = [];
    const gg: number[] = [];
    const m: boolean[] = [];
    for (let c = colStart; c < colEnd; c++) {
      const i = r * cols + c;
      e.push(w[i]);
      gg.push(g[i]);
      m.push(bad[i] === 1);
    }
    window.expected.push(e);
    window.got.push(gg);
    window.mismatch.push(m);
  }
  return window;
}

function makeHeatmap(bad: Uint8Array, rows: number, cols: number): Heatmap {
  const cellRows = Math.max(1, Math.ceil(rows / 16));
  const cellCols = Math.max(1, Math.ceil(cols / 48));
  const outRows = Math.ceil(rows / cellRows);
  const outCols = Math.ceil(cols / cellCols);
  const cells: number[][] = [];
  for (let R = 0; R < outRows; R++) {
    const line: number[] = [];
    for (let C = 0; C < outCols; C++) {
      let count = 0;
      let n = 0;
      for (let r = R * cellRows; r < Math.min(rows, (R + 1) * cellRows); r++) {
        for (let c = C * cellCols; c < Math.min(cols, (C + 1) * cellCols); c++) {
          count += bad[r * cols + c];
          n++;
        }
      }
      line.push(n === 0 ? 0 : count / n);
    }
    cells.push(line);
  }
  return { rows, cols, cellRows, cellCols, cells };
}

function tensorMessage(diff: TensorDiff, path: string): string {
  const where = path ? ` in ${path}` : '';
  const pct = ((100 * diff.mismatched) / diff.total).toFixed(1);
  const parts = [`Mismatched elements${where}: ${diff.mismatched} / ${diff.total} (${pct}%).`];
  if (diff.nonFiniteCount > 0) {
    const first = diff.nonFinite[0];
    parts.push(
      `${formatNumber(first.got)} where ${formatNumber(first.expected)} was expected at ${formatIndex(first.index)}` +
        (diff.nonFiniteCount > 1 ? ` (and ${diff.nonFiniteCount - 1} more non-finite mismatches).` : '.'),
    );
  }
  if (diff.maxAbs) {
    const allowed = diff.tolerance === 'exact' ? 'exact match required' : `allowed ${formatNumber(diff.maxAbs.allowed)}`;
    parts.push(`Greatest absolute difference ${formatNumber(diff.maxAbs.value)} at ${formatIndex(diff.maxAbs.index)} (${allowed}).`);
  }
  if (diff.maxRel) parts.push(`Greatest relative difference ${formatNumber(diff.maxRel.value)} at ${formatIndex(diff.maxRel.index)}.`);
  return parts.join(' ');
}

function sequenceContext(items: string[], index: number, unit: 'chars' | 'items'): string {
  const before = unit === 'chars' ? 12 : 4;
  const start = Math.max(0, index - before);
  const end = Math.min(items.length, index + before + 1);
  const body = unit === 'chars' ? JSON.stringify(items.slice(start, end).join('')) : `[${items.slice(start, end).join(', ')}]`;
  return `${start > 0 ? '…' : ''}${body}${end < items.length ? '…' : ''}`;
}

/** The first position where two strings or lists differ, with context. */
export function diffSequences(want: string | unknown[], got: string | unknown[]): SequenceDiff | undefined {
  const unit = typeof want === 'string' ? 'chars' : 'items';
  const show = (v: unknown) => (typeof v === 'number' ? formatNumber(v) : JSON.stringify(v));
  const w = typeof want === 'string' ? Array.from(want) : want.map(show);
  const g = typeof got === 'string' ? Array.from(got) : (got as unknown[]).map(show);
  let index = 0;
  while (index < w.length && index < g.length && w[index] === g[index]) index++;
  if (index === w.length && index === g.length) return undefined;
  return {
    unit,
    index,
    expectedLength: w.length,
    gotLength: g.length,
    expectedContext: sequenceContext(w, index, unit),
    gotContext: sequenceContext(g, index, unit),
  };
}

function sequenceMessage(diff: SequenceDiff, path: string): string {
  const what = diff.unit === 'chars' ? 'Strings' : 'Lists';
  const where = path ? ` (${path})` : '';
  const lengths = diff.expectedLength !== diff.gotLength ? ` Expected length ${diff.expectedLength}, got ${diff.gotLength}.` : '';
  return `${what} differ${where} first at ${diff.unit === 'chars' ? 'character' : 'index'} ${diff.index}.${lengths}`;
}

/**
 * Compares a learner's output with the expected one: type and shape exactly first
 * (no broadcasting), then NaN/Infinity positions, then values within tolerance,
 * or exactly for `'exact'`. Returns the first mismatch, described for a learner.
 */
export function compareOutputs(want: unknown, got: unknown, tolerance: Comparison = defaultTolerance, path = ''): CompareResult {
  const fail = (mismatch: Mismatch): CompareResult => ({ ok: false, mismatch });
  const typeMismatch = (expected: string, message?: string) =>
    fail({
      kind: 'type',
      path,
      expected,
      got: describeType(got),
      message: message ?? `Expected ${expected}${path ? ` for ${path}` : ''}, got ${describeType(got)}.`,
    });

  if (isMarker(got)) return typeMismatch(describeType(want));

  if (typeof want === 'number') {
    if (typeof got !== 'number') return typeMismatch('a number');
    const diff = diffTensors(want, got, [], tolerance);
    if (!diff) return { ok: true };
    const allowed = tolerance === 'exact' ? 'exact match required' : `allowed ${formatNumber(tolerance.atol + tolerance.rtol * Math.abs(want))}`;
    return fail({ kind: 'values', path, diff, message: `Expected ${formatNumber(want)}${path ? ` for ${path}` : ''}, got ${formatNumber(got)} (${allowed}).` });
  }
  if (typeof want === 'string') {
    if (typeof got !== 'string') return typeMismatch('a string');
    const diff = diffSequences(want, got);
    return diff ? fail({ kind: 'sequence', path, diff, message: sequenceMessage(diff, path) }) : { ok: true };
  }
  if (typeof want === 'boolean' || want === null) {
    if (got === want) return { ok: true };
    return typeof got === typeof want
      ? fail({ kind: 'scalar', path, expected: String(want), got: String(got), message: `Expected ${String(want)}${path ? ` for ${path}` : ''}, got ${String(got)}.` })
      : typeMismatch(want === null ? 'null' : 'a boolean');
  }
  if (Array.isArray(want)) return compareArrays(want, got, tolerance, path, typeMismatch);
  if (typeof want === 'object') {
    if (typeof got !== 'object' || got === null || Array.isArray(got)) return typeMismatch(`an object with fields {${Object.keys(want).join(', ')}}`);
    for (const key of Object.keys(want)) {
      const sub = path ? `${path}.${key}` : key;
      if (!(key in got)) {
        return fail({ kind: 'type', path: sub, expected: 'a field', got: 'nothing', message: `The returned object has no field "${key}" (expected fields: ${Object.keys(want).join(', ')}).` });
      }
      const result = compareOutputs((want as Record<string, unknown>)[key], (got as Record<string, unknown>)[key], tolerance, sub);
      if (!result.ok) return result;
    }
    return { ok: true };
  }
  return typeMismatch(typeof want);
}

/** Exact lists of integers or of short tuples (token ids, merge pairs) read best as sequences. */
function listLike(tolerance: Comparison, shape: number[]): boolean {
  return tolerance === 'exact' && (shape.length === 1 || (shape.length === 2 && shape[1] <= 4));
}

function compareArrays(
  want: unknown[],
  got: unknown,
  tolerance: Comparison,
  path: string,
  typeMismatch: (expected: string, message?: string) => CompareResult,
): CompareResult {
  // An empty list has no element type: [] against [[1, 2]] or ['a'] is a list of the wrong length, not of the wrong type.
  if (Array.isArray(got) && (want.length === 0 || got.length === 0)) {
    if (want.length === got.length) return { ok: true };
    const diff = diffSequences(want.map((v) => (typeof v === 'number' ? v : JSON.stringify(v))), got.map((v) => (typeof v === 'number' ? v : JSON.stringify(v))))!;
    return { ok: false, mismatch: { kind: 'sequence', path, diff, message: sequenceMessage(diff, path) } };
  }
  const wantShape = numericShape(want);
  if (wantShape) {
    const rank = `number${'[]'.repeat(wantShape.length)}`;
    if (!Array.isArray(got)) return typeMismatch(`${rank} of shape [${wantShape.join(', ')}]`);
    const gotShape = numericShape(got);
    if (!gotShape) {
      return typeMismatch(`${rank} of shape [${wantShape.join(', ')}]`, `Expected ${rank} of shape [${wantShape.join(', ')}]${path ? ` for ${path}` : ''}, got ${describeType(got)}.`);
    }
    const gotRank = `number${'[]'.repeat(gotShape.length)}`;
    if (gotShape.length !== wantShape.length && !(want.length === 0 && got.length === 0)) {
      return typeMismatch(rank, `Expected ${rank}${path ? ` for ${path}` : ''}, got ${gotRank} (shape [${gotShape.join(', ')}] instead of [${wantShape.join(', ')}]).`);
    }
    if (gotShape.join() !== wantShape.join()) {
      if (listLike(tolerance, wantShape) && gotShape.slice(1).join() === wantShape.slice(1).join()) {
        const diff = diffSequences(want, got)!;
        return { ok: false, mismatch: { kind: 'sequence', path, diff, message: sequenceMessage(diff, path) } };
      }
      const transposed = wantShape.length === 2 && gotShape[0] === wantShape[1] && gotShape[1] === wantShape[0];
      return {
        ok: false,
        mismatch: {
          kind: 'shape',
          path,
          expected: wantShape,
          got: gotShape,
          message: `Expected shape [${wantShape.join(', ')}]${path ? ` for ${path}` : ''}, got [${gotShape.join(', ')}]${transposed ? ' (transposed?)' : ''}.`,
        },
      };
    }
    const diff = diffTensors(want, got, wantShape, tolerance);
    if (!diff) return { ok: true };
    if (listLike(tolerance, wantShape)) {
      const seq = diffSequences(want, got)!;
      return { ok: false, mismatch: { kind: 'sequence', path, diff: seq, message: sequenceMessage(seq, path) } };
    }
    return { ok: false, mismatch: { kind: 'values', path, diff, message: tensorMessage(diff, path) } };
  }
  if (!Array.isArray(got)) return typeMismatch(describeType(want));
  if (want.every((v) => typeof v === 'string')) {
    const diff = diffSequences(want, got);
    if (!got.every((v) => typeof v === 'string')) return typeMismatch('string[]');
    return diff ? { ok: false, mismatch: { kind: 'sequence', path, diff, message: sequenceMessage(diff, path) } } : { ok: true };
  }
  if (got.length !== want.length) {
    const diff = diffSequences(want.map((v) => JSON.stringify(v)), got.map((v) => JSON.stringify(v)))!;
    return { ok: false, mismatch: { kind: 'sequence', path, diff, message: `${sequenceMessage(diff, path)}` } };
  }
  for (let i = 0; i < want.length; i++) {
    const result = compareOutputs(want[i], got[i], tolerance, `${path}[${i}]`);
    if (!result.ok) return result;
  }
  return { ok: true };
}
