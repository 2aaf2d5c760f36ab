/**
 * The protocol between the tutor and its sandbox child: the messages each
 * sends, and the parent's reading of what the child sends (checked field by
 * field: learner code shares the child's process). The values themselves,
 * and the markers for what is not plain data, are in args.ts.
 */
export * from './args.js';
import { MARKER, maxDepth, type Carry, type Marker } from './args.js';
import { plural } from '../core/common/words.js';

/** Messages from the sandbox child to the parent. */
export type ChildMessage =
  | { type: 'ready'; exports: string[] }
  | { type: 'load-error'; error: WireError }
  | { type: 'case-start'; index: number }
  | ({ type: 'case-result'; index: number } & CallResult)
  /** The results of calls `from`, `from + 1`, ... of one group (see `together`), sent in one message. */
  | { type: 'case-results'; from: number; results: CallResult[] }
  | { type: 'async-error'; error: WireError }
  | { type: 'done'; /** Set in a shared child: whether the process is as the harness found it (no globals changed, no timers left). */ clean?: boolean };

/**
 * The harness's own messages, outside any run: `up` once it is set up and
 * listening (no learner code has run yet), `loaded` once a bundle is imported.
 */
export type ChildControl = { type: 'up' } | { type: 'loaded' };

/** What one call gave: its output as plain data (and where it changed its arguments), or what it threw. */
export type CallResult = { ok: true; value: unknown; mutated?: string; durationMs: number } | { ok: false; error: WireError; durationMs: number };

/** The most results a `case-results` message may carry (the harness sends at most 512). */
const maxResultsPerMessage = 65_536;

/** Messages from the parent to the child. */
export interface ParentMessage {
  type: 'run';
  /** Which learner module of the bundle to run (a bundle for class grading holds all of a submission's files). */
  module: string;
  entry: string;
  cases: unknown[][];
  /** When set, the cases are these bytes (V8's serialisation of the list, made once per exercise) and `cases` is empty. */
  casesBytes?: Uint8Array;
  /** Freeze the inputs instead of copying them per call: changing them then throws. */
  readOnly?: boolean;
  /** Per case: whether its arguments hold read-once lists, typed arrays or row views (see `hasLiveArgs`); the others are passed as they arrive. */
  live?: boolean[];
  /**
   * Stepwise runs, one entry per case: for a case with carries, its arguments
   * are built from `cases[i]` with values from call i-1's output put in (see
   * {@link applyCarry}); when that call threw, was not run or lacks a value,
   * this one is not run either.
   */
  links?: (Carry[] | null)[];
  /** Per case, the name of the learner's export it calls instead of `entry` (null: `entry`). */
  entries?: (string | null)[];
  /**
   * Ranges of calls `[from, end)` whose results may be sent together (the
   * calls of one property check): a time-out or crash during any of them
   * belongs to the same check. Only the first call of a range, and the first
   * after each message of results, is announced with `case-start`.
   */
  together?: [from: number, end: number][];
  /**
   * Set when the child is kept for further runs: written to stdout and stderr
   * after the run, so the parent can tell whose output is whose, before a
   * `done` that says whether the process is still clean.
   */
  boundary?: string;
}

/** An error as the child describes it; `stack` is source-mapped to the learner's files. */
export interface WireError {
  name: string;
  message: string;
  stack?: string;
  /** How the thrown value looked when it was not an Error (a string, a symbol...). */
  thrownType?: string;
}

/** Elements of a value from the child the parent reads (the harness names values past 4 million). */
const maxChildElements = 8_000_000;
/** Characters kept of a string field of a message (messages, stacks, names). */
const maxTextChars = 16_384;

function text(value: unknown, fallback = ''): string {
  if (typeof value !== 'string') return fallback;
  return value.length > maxTextChars ? `${value.slice(0, maxTextChars)}… (${plural(value.length - maxTextChars, 'more character')})` : value;
}

function unreadable(message: string): Marker {
  return { [MARKER]: 'unreadable', message };
}

const finite = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n);

/** A marker exactly as the harness writes it, or undefined for anything else with the marker key. */
function readMarker(value: Record<string, unknown>, budget: { left: number }): Marker | undefined {
  const kind = value[MARKER];
  const keys = Object.keys(value).sort().join(',');
  const only = (...names: string[]) => keys === [MARKER, ...names].sort().join(',');
  switch (kind) {
    case 'undefined':
    case 'promise':
      return only() ? ({ [MARKER]: kind } as Marker) : undefined;
    case 'function':
      return only('name') && typeof value.name === 'string' ? { [MARKER]: kind, name: text(value.name) } : undefined;
    case 'symbol':
      return only('description') && typeof value.description === 'string' ? { [MARKER]: kind, description: text(value.description) } : undefined;
    case 'bigint':
      return only('value') && typeof value.value === 'string' && /^-?\d{1,4096}$/.test(value.value) ? { [MARKER]: kind, value: value.value } : undefined;
    case 'object':
      return only('className') && typeof value.className === 'string' ? { [MARKER]: kind, className: text(value.className) } : undefined;
    case 'too-large':
      return only('elements') && finite(value.elements) ? { [MARKER]: kind, elements: value.elements } : undefined;
    case 'unreadable':
      return only('message') && typeof value.message === 'string' ? unreadable(text(value.message)) : undefined;
    case 'typed': {
      const values = value.values;
      if (!only('type', 'values') || typeof value.type !== 'string' || !Array.isArray(values) || values.length > budget.left) return undefined;
      budget.left -= values.length;
      for (let i = 0; i < values.length; i++) if (typeof values[i] !== 'number') return undefined;
      return { [MARKER]: kind, type: text(value.type), values: values as number[] };
    }
    default:
      return undefined;
  }
}

/**
 * A value from the sandbox child as plain data the parent can compare:
 * numbers, strings, booleans, null, dense arrays, plain objects and the
 * markers above, nested at most 12 deep and with at most `budget` elements.
 * Anything else (a forged marker, a Map or Date from a forged message, a
 * sparse array, deeper nesting) becomes an `unreadable` marker; nothing the
 * child sends can make the parent throw here.
 */
export function readChildValue(value: unknown, budget = { left: maxChildElements }, depth = 0): unknown {
  if (budget.left-- <= 0) return { [MARKER]: 'too-large', elements: maxChildElements } satisfies Marker;
  switch (typeof value) {
    case 'number':
    case 'boolean':
      return value;
    case 'string':
      budget.left -= value.length >> 4;
      return value;
    case 'object':
      break;
    default:
      return unreadable(`a value of type ${typeof value} came back from the sandbox`);
  }
  if (value === null) return null;
  if (depth >= maxDepth) return unreadable(`nested more than ${maxDepth} levels deep`);
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) return unreadable('an array-like object came back from the sandbox');
    const length = value.length;
    if (length > budget.left) return { [MARKER]: 'too-large', elements: maxChildElements } satisfies Marker;
    const out = new Array<unknown>(length);
    for (let i = 0; i < length; i++) {
      if (!(i in value)) return unreadable('an array with holes came back from the sandbox');
      out[i] = readChildValue(value[i], budget, depth + 1);
    }
    return out;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return unreadable('an object that is not plain data came back from the sandbox');
  const record = value as Record<string, unknown>;
  if (Object.hasOwn(record, MARKER)) return readMarker(record, budget) ?? unreadable(`an object with the key "${MARKER}", which the tutor keeps for itself`);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(record)) {
    // Defined as own data properties: a "__proto__" key stays a key.
    Object.defineProperty(out, key, { value: readChildValue(record[key], budget, depth + 1), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function readWireError(value: unknown): WireError {
  if (typeof value !== 'object' || value === null) return { name: 'Error', message: '(the sandbox sent an error the tutor could not read)' };
  const e = value as Record<string, unknown>;
  return {
    name: text(e.name, 'Error').slice(0, 200),
    message: text(e.message),
    ...(typeof e.stack === 'string' ? { stack: text(e.stack) } : {}),
    ...(typeof e.thrownType === 'string' ? { thrownType: text(e.thrownType).slice(0, 40) } : {}),
  };
}

/** One call's result, read from the fields of a `case-result` message or of an entry of `case-results`. */
function readCallResult(m: Record<string, unknown>, budget: { left: number }): CallResult {
  const durationMs = finite(m.durationMs) && m.durationMs >= 0 ? m.durationMs : 0;
  if (m.ok === true) return { ok: true, value: readChildValue(m.value, budget), mutated: typeof m.mutated === 'string' ? text(m.mutated).slice(0, 200) : undefined, durationMs };
  return { ok: false, error: readWireError(m.error), durationMs };
}

const index = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;

/**
 * A message from the sandbox child, checked field by field: the harness
 * writes it, but learner code shares the child's process and may forge one.
 * Returns undefined for anything that is not a well-formed message.
 */
export function readChildMessage(raw: unknown): ChildMessage | ChildControl | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const m = raw as Record<string, unknown>;
  switch (m.type) {
    case 'up':
      return { type: 'up' };
    case 'loaded':
      return { type: 'loaded' };
    case 'ready':
      return { type: 'ready', exports: Array.isArray(m.exports) ? m.exports.filter((e): e is string => typeof e === 'string').slice(0, 1000).map((e) => text(e).slice(0, 200)) : [] };
    case 'load-error':
      return { type: 'load-error', error: readWireError(m.error) };
    case 'case-start':
      return index(m.index) ? { type: 'case-start', index: m.index } : undefined;
    case 'case-result':
      return index(m.index) ? { type: 'case-result', index: m.index, ...readCallResult(m, { left: maxChildElements }) } : undefined;
    case 'case-results': {
      const results = m.results;
      if (!index(m.from) || !Array.isArray(results) || Object.getPrototypeOf(results) !== Array.prototype || results.length > maxResultsPerMessage) return undefined;
      // One budget for the whole message, as for one value.
      const budget = { left: maxChildElements };
      const out: CallResult[] = [];
      for (let i = 0; i < results.length; i++) {
        const r: unknown = results[i];
        if (typeof r !== 'object' || r === null || Array.isArray(r)) return undefined;
        out.push(readCallResult(r as Record<string, unknown>, budget));
      }
      return { type: 'case-results', from: m.from, results: out };
    }
    case 'async-error':
      return { type: 'async-error', error: readWireError(m.error) };
    case 'done':
      return { type: 'done', clean: m.clean === true };
    default:
      return undefined;
  }
}
