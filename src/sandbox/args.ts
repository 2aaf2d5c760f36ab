/**
 * What goes into the learner's function, and the markers of values that are
 * not plain data: read-once lists, typed arrays and row views (model-sized
 * inputs), the markers naming an output that is not plain data, and the
 * carries of a stepwise run. Shared by the tutor and the sandbox child (the
 * harness is bundled with it), so both build a call's arguments the same way.
 */
import { plural } from '../core/common/words.js';

export const MARKER = '__llmtutor';

/** How deep a value from the child may nest before it is named instead of read (the harness stops at 8). */
export const maxDepth = 12;

export type Marker =
  | { [MARKER]: 'undefined' }
  | { [MARKER]: 'function'; name: string }
  | { [MARKER]: 'promise' }
  | { [MARKER]: 'symbol'; description: string }
  | { [MARKER]: 'bigint'; value: string }
  | { [MARKER]: 'typed'; type: string; values: number[] }
  | { [MARKER]: 'object'; className: string }
  | { [MARKER]: 'too-large'; elements: number }
  | { [MARKER]: 'unreadable'; message: string };

export function isMarker(value: unknown): value is Marker {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as Record<string, unknown>)[MARKER] === 'string';
}

/** An argument that reaches the learner's function as an iterable that can be read only once. */
export interface ReadOnceArg {
  [MARKER]: 'read-once';
  items: unknown[];
}

export function isReadOnceArg(value: unknown): value is ReadOnceArg {
  return typeof value === 'object' && value !== null && (value as Record<string, unknown>)[MARKER] === 'read-once' && Array.isArray((value as ReadOnceArg).items);
}

/** An iterable over `items` whose second iteration throws: a one-pass stream of blocks. */
export function readOnceIterable<T>(items: readonly T[]): Iterable<T> {
  let used = false;
  return {
    [Symbol.iterator]() {
      if (used) throw new Error('These blocks can be read only once: make one pass over them (the point of the online algorithm).');
      used = true;
      return items[Symbol.iterator]();
    },
  };
}

// Taken when this module loads (in the child, before any learner code): a learner file that patches
// typed arrays cannot change how its inputs are recognised or cut into rows.
const typedArrayProto = Object.getPrototypeOf(Uint8Array.prototype) as object;
const typedArrayTag = Object.getOwnPropertyDescriptor(typedArrayProto, Symbol.toStringTag)!.get as (this: unknown) => string | undefined;
const typedSubarray = (typedArrayProto as { subarray: (this: unknown, begin: number, end: number) => Float32Array }).subarray;
const freezeValue = Object.freeze;
const frozen = Object.isFrozen;
const keysOf = Object.keys;
const isList = Array.isArray;
const protoOf = Object.getPrototypeOf;
const objectProto = Object.prototype;
const hasOwn = Object.hasOwn;
const defineOwn = Object.defineProperty;

/** A copy of a list, made without Array.prototype (which learner code may have patched). */
function copyList(list: readonly unknown[]): unknown[] {
  const out = new Array<unknown>(list.length);
  for (let i = 0; i < list.length; i++) out[i] = list[i];
  return out;
}

/** A copy of a plain object's own enumerable keys, each defined as its own data property (a "__proto__" key stays a key). */
function copyRecord(record: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keysOf(record)) defineOwn(out, key, { value: (record as Record<string, unknown>)[key], enumerable: true, writable: true, configurable: true });
  return out;
}

/** The kind of typed array `value` is (`Float32Array`...), or undefined for anything else. */
export function typedArrayKind(value: unknown): string | undefined {
  return typeof value === 'object' && value !== null ? typedArrayTag.call(value) : undefined;
}

/**
 * An argument that reaches the learner's function as `rows` Float32Array views
 * of `cols` elements each into `data` (no copy): `w[i][j]` works. Made by
 * `rowsOf` in the authoring API.
 */
export interface RowsArg {
  [MARKER]: 'rows';
  data: Float32Array;
  rows: number;
  cols: number;
  /** Made by `matrixOf`: the function receives plain number[] rows copied from the bytes, not views. */
  plain?: true;
}

const count = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;

export function isRowsArg(value: unknown): value is RowsArg {
  if (typeof value !== 'object' || value === null || (value as Record<string, unknown>)[MARKER] !== 'rows') return false;
  const { data, rows, cols } = value as RowsArg;
  const plain = (value as RowsArg).plain;
  return typedArrayKind(data) === 'Float32Array' && count(rows) && count(cols) && rows * cols === data.length && (plain === undefined || plain === true);
}

/** Whether a case argument is sent as a typed array (flat, or cut into rows): what a preview names instead of listing. */
export function isTensorArg(value: unknown): boolean {
  return typedArrayKind(value) !== undefined || isRowsArg(value);
}

/** A typed array or row-view argument in a few words: `Float32Array(1000000)`, `1000 rows × 1000 of Float32Array(1000000)`. */
export function describeTensorArg(value: unknown): string {
  if (isRowsArg(value)) return value.plain ? `number[${value.rows}][${value.cols}], sent as float32 (${(value.data.length * 4).toLocaleString('en-US')} bytes)` : `${plural(value.rows, 'row')} × ${value.cols} of Float32Array(${value.data.length})`;
  const kind = typedArrayKind(value);
  return kind === undefined ? typeof value : `${kind}(${(value as ArrayLike<number>).length})`;
}

/** The rows of a plain marker as `rows` new number[] (about 15 ms per million elements). */
export function plainRowsOf(arg: RowsArg): number[][] {
  const { data, rows, cols } = arg;
  const matrix = new Array<number[]>(rows);
  for (let i = 0; i < rows; i++) {
    // A loop, not Array.from: several times faster on a typed array.
    const row = new Array<number>(cols);
    for (let j = 0, at = i * cols; j < cols; j++) row[j] = data[at + j];
    matrix[i] = row;
  }
  // Numbers only: nothing in it is ever live, and a walk over it would read (and box) every one.
  liveness.set(matrix, false);
  return matrix;
}

/**
 * `rows` views of `cols` elements into `data`, or for a plain marker `rows`
 * new number[] copies; the list is frozen when the marker is. The rows of a
 * plain marker are not: freezing an array of numbers boxes every one (a
 * model's weights several times slower to copy and to read), and as copies
 * made for this call, a change to them reaches no other call (the sandbox
 * compares them with the bytes after a call with read-only inputs).
 */
function rowViews(arg: RowsArg): Float32Array[] | number[][] {
  const { data, rows, cols } = arg;
  const freeze = frozen(arg);
  if (arg.plain) {
    const matrix = plainRowsOf(arg);
    return freeze ? (freezeValue(matrix) as number[][]) : matrix;
  }
  const views = new Array<Float32Array>(rows);
  for (let i = 0; i < rows; i++) views[i] = typedSubarray.call(data, i * cols, (i + 1) * cols);
  return freeze ? (freezeValue(views) as Float32Array[]) : views;
}

/** How deep {@link materializeArgs} looks for markers inside arrays and plain objects. */
const materializeDepth = 16;

function materialize(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null || depth > materializeDepth || typedArrayKind(value) !== undefined || liveness.get(value) === false) return value;
  if (isReadOnceArg(value)) return readOnceIterable(materialize(value.items, depth + 1) as unknown[]);
  if (isRowsArg(value)) return rowViews(value);
  let copy: unknown[] | Record<string, unknown> | undefined;
  if (isList(value)) {
    let list: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      // Numbers and strings, most of a big input, are skipped without a call.
      if (typeof item !== 'object' || item === null) continue;
      const got = materialize(item, depth + 1);
      if (got !== item) (list ??= copyList(value))[i] = got;
    }
    copy = list;
  } else {
    const proto = protoOf(value);
    if (proto !== objectProto && proto !== null) return value;
    let record: Record<string, unknown> | undefined;
    for (const key of keysOf(value)) {
      const item = (value as Record<string, unknown>)[key];
      const got = materialize(item, depth + 1);
      if (got !== item) defineOwn((record ??= copyRecord(value)), key, { value: got, enumerable: true, writable: true, configurable: true });
    }
    copy = record;
  }
  if (!copy) return value;
  return frozen(value) ? freezeValue(copy) : copy;
}

/**
 * The arguments as a function receives them: read-once markers become
 * one-pass iterables and row-view markers arrays of Float32Array views, at
 * any depth inside arrays and plain objects. The arguments themselves are
 * not changed: the containers on the way to a marker are copied (frozen
 * when the original was).
 */
export function materializeArgs(args: unknown[]): unknown[] {
  return hasLiveArgs(args) ? (materialize(args, -1) as unknown[]) : args;
}

/**
 * Frozen argument lists already looked at: a case's arguments never change, and a 50k-entry vocabulary is walked once, not per call.
 * And the rows made of a plain marker, which hold numbers only.
 */
const liveness = new WeakMap<object, boolean>();

function findLive(value: unknown, depth: number): boolean {
  if (typeof value !== 'object' || value === null || depth > materializeDepth) return false;
  if (typedArrayKind(value) !== undefined || isReadOnceArg(value) || isRowsArg(value)) return true;
  const known = liveness.get(value);
  if (known !== undefined) return known;
  let live = false;
  let size: number;
  if (isList(value)) {
    size = value.length;
    for (let i = 0; i < size && !live; i++) {
      const item = value[i];
      if (typeof item === 'object' && item !== null) live = findLive(item, depth + 1);
    }
  } else {
    const proto = protoOf(value);
    if (proto !== objectProto && proto !== null) return false;
    const keys = keysOf(value);
    size = keys.length;
    for (let i = 0; i < size && !live; i++) live = findLive((value as Record<string, unknown>)[keys[i]], depth + 1);
  }
  // Big frozen containers (a vocabulary shared by every case) are remembered; small ones are cheaper to walk again.
  if (size >= 64 && frozen(value)) liveness.set(value, live);
  return live;
}

/**
 * Whether arguments hold anything the function receives in another form
 * than they are sent (a read-once list, a typed array, row views): only
 * those need {@link materializeArgs} and per-call copies of typed arrays.
 * Remembered for frozen argument lists (the tutor's cases).
 */
export function hasLiveArgs(args: unknown[]): boolean {
  const known = liveness.get(args);
  if (known !== undefined) return known;
  const live = findLive(args, -1);
  if (frozen(args)) liveness.set(args, live);
  return live;
}

/**
 * A stepwise link: the value at path `from` inside the previous call's output
 * goes into this call's arguments at `to` (the argument's index, then a path
 * inside it).
 */
export interface Carry {
  from: (string | number)[];
  to: [argIndex: number, ...path: (string | number)[]];
}

/** A path as `.state[0].m`. */
function pathText(path: readonly unknown[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `.${String(p)}`;
  return out;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (typeof value !== 'object' || value === null || isList(value)) return false;
  const proto = protoOf(value);
  return (proto === objectProto || proto === null) && !hasOwn(value, MARKER);
};

/** Whether `value` is an array and `key` one of its indices, or a plain object (not a marker) and `key` one of its own keys. */
function hasStep(value: unknown, key: unknown): key is string | number {
  if (isList(value)) return typeof key === 'number' && Number.isInteger(key) && key >= 0 && key < value.length;
  return typeof key === 'string' && isPlainObject(value) && hasOwn(value, key);
}

/** The first marker inside `value` (a value the learner's function returned that is not plain data), or undefined. */
function findMarker(value: unknown, depth = 0): Marker | undefined {
  if (typeof value !== 'object' || value === null || depth > maxDepth) return undefined;
  if (isMarker(value)) return value;
  const list = isList(value);
  const keys = list ? undefined : keysOf(value);
  const n = list ? value.length : keys!.length;
  for (let i = 0; i < n; i++) {
    const item = list ? value[i] : (value as Record<string, unknown>)[keys![i]];
    if (typeof item !== 'object' || item === null) continue;
    const found = findMarker(item, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** A copy of `container` with `value` at `path`, copying each array or object on the way; undefined when the path is not there. */
function setAt(container: unknown, path: readonly unknown[], at: number, value: unknown): { value: unknown } | undefined {
  if (at === path.length) return { value };
  const key = path[at];
  const last = at === path.length - 1;
  // The last step may add a key to an object; every other step must exist.
  if (!hasStep(container, key) && !(last && typeof key === 'string' && isPlainObject(container))) return undefined;
  const inner = setAt((container as Record<string | number, unknown>)[key as string | number], path, at + 1, value);
  if (!inner) return undefined;
  if (isList(container)) {
    const copy = copyList(container);
    copy[key as number] = inner.value;
    return { value: copy };
  }
  const copy = copyRecord(container as object);
  defineOwn(copy, key as string, { value: inner.value, enumerable: true, writable: true, configurable: true });
  return { value: copy };
}

/** A marker's kind in a few words, for a step that could not be built from it. */
function markerText(marker: Marker): string {
  if (marker[MARKER] === 'typed') return `a ${(marker as { type: string }).type}`;
  if (marker[MARKER] === 'undefined') return 'undefined';
  return `a ${marker[MARKER]} value`;
}

/**
 * The arguments of one step of a stepwise run: `template` (the case's
 * arguments) with, for each carry, the value at `carry.from` inside
 * `previous` (the previous step's output as plain data) put at `carry.to`.
 * The template is not changed (it may be frozen): the arrays and objects on
 * the way to each place are copied. Not ok when the output lacks a path,
 * holds a value there that is not plain data (a marker, at any depth), or the
 * template has no such place; `missing` says which, in words.
 */
export function applyCarry(template: unknown[], previous: unknown, carry: Carry[]): { ok: true; args: unknown[] } | { ok: false; missing: string } {
  let args: unknown = template;
  for (let c = 0; c < carry.length; c++) {
    const { from, to } = carry[c];
    let value = previous;
    for (let i = 0; i < from.length; i++) {
      const step = from[i];
      if (isMarker(value)) return { ok: false, missing: `the previous output${pathText(from.slice(0, i))} is ${markerText(value)}` };
      if (!hasStep(value, step)) return { ok: false, missing: `the previous output has no ${pathText(from.slice(0, i + 1))}` };
      value = (value as Record<string | number, unknown>)[step];
    }
    const marker = findMarker(value);
    if (marker) return { ok: false, missing: `the previous output${pathText(from)} ${marker === value ? 'is' : 'holds'} ${markerText(marker)}` };
    // `to` starts with an argument's index: the top level is the list of arguments.
    const placed = to.length > 0 && typeof to[0] === 'number' ? setAt(args, to, 0, value) : undefined;
    if (!placed) return { ok: false, missing: to.length > 0 ? `the case has no place ${pathText(to)} for the carried value` : 'the carry names no argument to put the value in' };
    args = placed.value;
  }
  return { ok: true, args: args as unknown[] };
}
