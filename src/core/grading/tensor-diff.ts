import type { Comparison } from '../authoring/exercise.js';

// What differs between two tensors or sequences, by how much and where. The sentences that say it are in wording.ts.

/**
 * Expected vs got around the worst element of a numeric tensor. For a rank above 2,
 * the window lies within one 2-D slice, the one holding the worst element.
 */
export interface DiffWindow {
  /** Index of the first row and column shown within the slice (rank ≥ 2), or of the first element (rank 1). */
  rowStart: number;
  colStart: number;
  /** The leading indices of the slice shown (rank > 2): `[1]` is the slice `[1, :, :]`. */
  slice?: number[];
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

/** The deepest nesting read as a tensor. */
const MAX_DEPTH = 6;

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

/** The index in a tensor of `shape` of its element number `flat` (row-major). */
export function unravel(flat: number, shape: number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = flat % shape[d];
    flat = Math.floor(flat / shape[d]);
  }
  return index;
}

/** Formats a number compactly for diffs: up to 6 significant digits, NaN and ±Infinity spelt out, −0 as 0. */
export function formatNumber(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return '0';
  const abs = Math.abs(x);
  if (abs >= 1e6 || abs < 1e-4) return x.toExponential(3);
  return String(Number(x.toPrecision(6)));
}

/** The digits after the point that {@link formatNumber} shows for a finite `x` between 1e-4 and 1e6. */
function decimalsOf(x: number): number {
  const text = formatNumber(x);
  const point = text.indexOf('.');
  return point < 0 ? 0 : text.length - point - 1;
}

/** `text` without a minus sign when it reads as zero (`-0.000` → `0.000`). */
const unsignedZero = (text: string) => (/^-0(\.0*)?(e\+0)?$/.test(text) ? text.slice(1) : text);

/**
 * One number format for a group of values shown together (a diff window's
 * expected and got), so that they read at one precision: every finite value
 * with the same count of decimals (enough for 6 significant digits of each),
 * or all in scientific notation with 4 significant digits when one of them
 * is below 1e-4 or from 1e6 (as {@link formatNumber} would write it).
 * NaN and ±Infinity are spelt out; −0 prints as 0.
 */
export function numberFormat(values: readonly number[]): (x: number) => string {
  const finite = values.filter((x) => Number.isFinite(x) && x !== 0).map(Math.abs);
  const scientific = finite.some((abs) => abs >= 1e6 || abs < 1e-4);
  const decimals = Math.max(0, ...finite.map(decimalsOf));
  return (x) => {
    if (!Number.isFinite(x)) return formatNumber(x);
    return unsignedZero(scientific ? x.toExponential(3) : x.toFixed(decimals));
  };
}

/** The greatest |got − want| the tolerance accepts at `want` (0 for `'exact'`). */
export function allowedDifference(tolerance: Comparison, want: number): number {
  return tolerance === 'exact' ? 0 : tolerance.atol + tolerance.rtol * Math.abs(want);
}

function isClose(want: number, got: number, tolerance: Comparison, equalNan: boolean): boolean {
  if (Number.isNaN(want) || Number.isNaN(got)) return equalNan && Number.isNaN(want) && Number.isNaN(got);
  if (tolerance === 'exact' || !Number.isFinite(want) || !Number.isFinite(got)) return Object.is(want, got) || want === got;
  return Math.abs(got - want) <= allowedDifference(tolerance, want);
}

/**
 * Compares two numeric tensors of equal shape element by element; undefined when
 * every element is within tolerance, else the counts, the worst elements, a window and a heatmap.
 */
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
  return {
    shape,
    mismatched,
    total: w.length,
    maxAbs: maxAbsAt >= 0 ? { value: maxAbs, index: unravel(maxAbsAt, shape), allowed: allowedDifference(tolerance, w[maxAbsAt]) } : undefined,
    maxRel: maxRelAt >= 0 ? { value: maxRel, index: unravel(maxRelAt, shape) } : undefined,
    nonFinite,
    nonFiniteCount,
    worst,
    window: makeWindow(w, g, bad, shape, worst),
    heatmap: shape.length === 2 ? makeHeatmap(bad, shape[0], shape[1]) : undefined,
    tolerance,
  };
}

/** Where a window goes in a tensor seen as slices of rows × cols: the slice (flat), and the worst element's row and column in it. */
function windowFrame(shape: number[], worst: number[]) {
  const rank = shape.length;
  const cols = rank === 0 ? 1 : shape[rank - 1];
  const rows = rank <= 1 ? 1 : shape[rank - 2];
  const lead = worst.slice(0, Math.max(0, rank - 2));
  const slice = lead.reduce((acc, i, d) => acc * shape[d] + i, 0);
  return { rows, cols, lead, offset: slice * rows * cols, worstRow: rank <= 1 ? 0 : worst[rank - 2], worstCol: rank === 0 ? 0 : worst[rank - 1] };
}

function makeWindow(w: number[], g: number[], bad: Uint8Array, shape: number[], worst: number[]): DiffWindow {
  // A window is always 2-D: a vector is one row; a tensor of rank > 2 shows rows of the slice that holds the worst element only.
  const { rows, cols, lead, offset, worstRow, worstCol } = windowFrame(shape, worst);
  const halfRows = shape.length <= 1 ? 0 : 2;
  const halfCols = shape.length <= 1 ? 4 : 3;
  const rowStart = Math.max(0, Math.min(worstRow - halfRows, rows - (2 * halfRows + 1)));
  const colStart = Math.max(0, Math.min(worstCol - halfCols, cols - (2 * halfCols + 1)));
  const rowEnd = Math.min(rows, rowStart + 2 * halfRows + 1);
  const colEnd = Math.min(cols, colStart + 2 * halfCols + 1);
  const window: DiffWindow = { rowStart, colStart, ...(shape.length > 2 ? { slice: lead } : {}), expected: [], got: [], mismatch: [] };
  for (let r = rowStart; r < rowEnd; r++) {
    const at = (c: number) => offset + r * cols + c;
    const columns = Array.from({ length: colEnd - colStart }, (_, j) => at(colStart + j));
    window.expected.push(columns.map((i) => w[i]));
    window.got.push(columns.map((i) => g[i]));
    window.mismatch.push(columns.map((i) => bad[i] === 1));
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
