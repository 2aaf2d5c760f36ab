/**
 * A bounded, serialisable preview of a value (a case's argument, a
 * reference's intermediate value) for showing it by name: its kind, its full
 * shape, and the elements kept for display, elided in the middle so that the
 * first and the last ones show. A verdict carries previews of the first
 * failing case only, and a class's results file carries them too: each stays
 * a few kilobytes whatever the value's size.
 */
import { isReadOnceArg, isRowsArg, typedArrayKind } from '../../sandbox/wire.js';
import { tensorArgText } from './explain.js';
import { unravel } from './tensor-diff.js';
import { t } from '../../i18n/i18n.js';

/** A number as JSON holds it: NaN and ±Infinity as strings. */
export type PreviewNumber = number | 'NaN' | 'Infinity' | '-Infinity';

/** A string, or the two ends of a long one (`tail` is empty when nothing was elided); `length` in code points. */
export interface PreviewText {
  head: string;
  tail: string;
  length: number;
}

/** One 2-D slice of a tensor: the indices kept along its rows and columns, and the elements at them. */
export interface PreviewSlice {
  /** The leading indices of the slice (empty for a vector or a matrix). */
  at: number[];
  rows: number[];
  cols: number[];
  /** `cells[i][j]` is the element at row `rows[i]`, column `cols[j]`. */
  cells: (PreviewNumber | boolean)[][];
}

export type ValuePreview =
  | { kind: 'number'; value: PreviewNumber }
  | { kind: 'boolean'; value: boolean }
  | ({ kind: 'string' } & PreviewText)
  /** Numbers or booleans of any rank ≥ 1: a vector is one slice of one row. A rank above {@link previewLimits.rank} keeps its shape only. */
  | { kind: 'tensor'; element: 'number' | 'boolean'; shape: number[]; slices: PreviewSlice[]; receivedAs?: string }
  /** A list of strings (tokens, pieces of text). */
  | { kind: 'strings'; length: number; items: ({ index: number } & PreviewText)[] }
  | { kind: 'list'; length: number; items: { index: number; value: ValuePreview }[]; readOnce?: boolean }
  | { kind: 'object'; fields: { name: string; value: ValuePreview }[]; size: number }
  /** Anything else, in a few words (null, undefined, a value nested too deep). */
  | { kind: 'other'; text: string };

/** A preview with the name it is shown under (an argument's, an intermediate value's). */
export interface NamedPreview {
  name: string;
  value: ValuePreview;
}

/** What a preview keeps at most. */
export const previewLimits = { rows: 12, cols: 12, slices: 4, rank: 6, items: 12, fields: 12, chars: 200, tokenChars: 40, depth: 4 };

/** At most `most` of the indices `0..length-1`: all of them, or the first ⌈most/2⌉ and the last ⌊most/2⌋. */
export function keptIndices(length: number, most: number): number[] {
  if (length <= most) return Array.from({ length }, (_, i) => i);
  const head = Math.ceil(most / 2);
  const tail = most - head;
  return [...Array.from({ length: head }, (_, i) => i), ...Array.from({ length: tail }, (_, i) => length - tail + i)];
}

export function previewNumber(x: number): PreviewNumber {
  if (Number.isFinite(x)) return x;
  return Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity';
}

/** The number a preview holds (NaN and ±Infinity back from their strings). */
export function numberOf(x: PreviewNumber): number {
  return typeof x === 'number' ? x : Number(x);
}

/** A string kept whole up to `most` code points, else its two ends. */
export function previewText(text: string, most: number): PreviewText {
  const points = Array.from(text);
  if (points.length <= most) return { head: text, tail: '', length: points.length };
  const head = Math.ceil(most / 2);
  return { head: points.slice(0, head).join(''), tail: points.slice(points.length - (most - head)).join(''), length: points.length };
}

type Element = 'number' | 'boolean';

/** The shape of a rectangular nested array of numbers or of booleans (never mixed), and which; undefined otherwise. */
function tensorShape(value: unknown[]): { shape: number[]; element: Element } | undefined {
  const shape: number[] = [];
  let first: unknown = value;
  for (; Array.isArray(first); first = first[0]) {
    if (shape.length > previewLimits.rank + 2) return undefined;
    shape.push(first.length);
  }
  const element: Element = typeof first === 'boolean' ? 'boolean' : 'number';
  const last = shape.length - 1;
  const fits = (v: unknown, depth: number): boolean => {
    if (!Array.isArray(v) || v.length !== shape[depth]) return false;
    if (depth === last) {
      for (let i = 0; i < v.length; i++) if (typeof v[i] !== element) return false;
    } else {
      for (let i = 0; i < v.length; i++) if (!fits(v[i], depth + 1)) return false;
    }
    return true;
  };
  return fits(value, 0) ? { shape, element } : undefined;
}

/** Reads the element at `index` of a nested array. */
type Reader = (index: number[]) => number | boolean;

const nestedReader = (value: unknown[]): Reader => (index) => index.reduce<unknown>((v, i) => (v as unknown[])[i], value) as number | boolean;

/** A tensor's preview: up to `slices` 2-D slices (a vector is one slice of one row) of up to rows × cols elements each. */
function tensorPreview(shape: number[], element: Element, read: Reader, receivedAs?: string): ValuePreview {
  // Keys in the order of the results schema, so that a results file read back and written again is the same text.
  const preview = (slices: PreviewSlice[]): ValuePreview => ({ kind: 'tensor', element, shape, slices, ...(receivedAs ? { receivedAs } : {}) });
  if (shape.length > previewLimits.rank) return preview([]);
  const cell = (index: number[]) => {
    const x = read(index);
    return typeof x === 'boolean' ? x : previewNumber(x);
  };
  if (shape.length === 1) {
    const cols = keptIndices(shape[0], previewLimits.cols);
    return preview([{ at: [], rows: [0], cols, cells: [cols.map((j) => cell([j]))] }]);
  }
  const lead = shape.slice(0, -2);
  const count = lead.reduce((n, d) => n * d, 1);
  const rows = keptIndices(shape[shape.length - 2], previewLimits.rows);
  const cols = keptIndices(shape[shape.length - 1], previewLimits.cols);
  const slices = keptIndices(count, previewLimits.slices).map((flat) => {
    const at = unravel(flat, lead);
    return { at, rows, cols, cells: rows.map((i) => cols.map((j) => cell([...at, i, j]))) };
  });
  return preview(slices);
}

/** A typed array (flat) or a row view, as the tensor it holds, with what the learner's function receives. */
function typedPreview(value: unknown): ValuePreview | undefined {
  if (isRowsArg(value)) {
    const { data, cols } = value;
    return tensorPreview([value.rows, cols], 'number', ([i, j]) => data[i * cols + j], tensorArgText(value));
  }
  if (typedArrayKind(value) === undefined) return undefined;
  const data = value as ArrayLike<number | bigint>;
  return tensorPreview([data.length], 'number', ([i]) => Number(data[i]), tensorArgText(value));
}

function listPreview(value: unknown[], depth: number, readOnce: boolean): ValuePreview {
  const indices = keptIndices(value.length, previewLimits.items);
  if (value.length > 0 && value.every((v) => typeof v === 'string')) {
    return { kind: 'strings', length: value.length, items: indices.map((index) => ({ index, ...previewText(value[index] as string, previewLimits.tokenChars) })) };
  }
  const items = indices.map((index) => ({ index, value: previewAt(value[index], depth + 1) }));
  return { kind: 'list', length: value.length, items, ...(readOnce ? { readOnce } : {}) };
}

function objectPreview(value: object, depth: number): ValuePreview {
  const fields: { name: string; value: ValuePreview }[] = [];
  let size = 0;
  // Keys are read one at a time and only counted past the limit (a 50k-entry vocabulary is not copied).
  for (const name in value) {
    if (!Object.hasOwn(value, name)) continue;
    if (size++ < previewLimits.fields) fields.push({ name, value: previewAt((value as Record<string, unknown>)[name], depth + 1) });
  }
  return { kind: 'object', fields, size };
}

function previewAt(value: unknown, depth: number): ValuePreview {
  if (typeof value === 'number') return { kind: 'number', value: previewNumber(value) };
  if (typeof value === 'boolean') return { kind: 'boolean', value };
  if (typeof value === 'string') return { kind: 'string', ...previewText(value, previewLimits.chars) };
  if (typeof value !== 'object' || value === null) return { kind: 'other', text: value === null ? 'null' : typeof value === 'bigint' ? `${value}n` : typeof value };
  const typed = typedPreview(value);
  if (typed) return typed;
  if (depth >= previewLimits.depth) return { kind: 'other', text: Array.isArray(value) ? `[… ${value.length}]` : '{…}' };
  if (isReadOnceArg(value)) return listPreview(value.items, depth, true);
  if (Array.isArray(value)) {
    const tensor = tensorShape(value);
    return tensor ? tensorPreview(tensor.shape, tensor.element, nestedReader(value)) : listPreview(value, depth, false);
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return { kind: 'other', text: (proto?.constructor?.name as string | undefined) ?? 'object' };
  return objectPreview(value, depth);
}

/**
 * The preview of a value: numbers, booleans and strings (long ones cut in the
 * middle); rectangular arrays of numbers or booleans as tensors with their
 * full shape and at most 12 × 12 elements of at most 4 slices; lists of
 * strings as tokens; other lists and plain objects item by item (12 at most,
 * 4 levels deep); typed arrays and row views as the tensors they hold.
 */
export function previewValue(value: unknown): ValuePreview {
  return previewAt(value, 0);
}

/** Each value previewed under its name, in order. */
export function previewNamed(names: readonly string[], values: readonly unknown[]): NamedPreview[] {
  return values.map((value, i) => ({ name: names[i], value: previewValue(value) }));
}

/** The type of a preview in a few characters: `boolean[4][6]`, `number[]`, `string[20]`, `{ A, B }`. */
export function previewType(preview: ValuePreview): string {
  switch (preview.kind) {
    case 'tensor':
      return `${preview.element}${preview.shape.map((d) => `[${d}]`).join('')}`;
    case 'strings':
      return `string[${preview.length}]`;
    case 'list':
      return preview.readOnce ? t`read-once list[${preview.length}]` : `list[${preview.length}]`;
    case 'object':
      return `{ ${preview.fields.map((f) => f.name).join(', ')}${preview.size > preview.fields.length ? ', …' : ''} }`;
    case 'other':
      return preview.text;
    default:
      return preview.kind;
  }
}
