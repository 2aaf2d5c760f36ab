/**
 * Plain-data encoding of whatever a learner's function returned, made in the
 * sandbox child and read in the parent. Values that structured clone cannot
 * carry, or that should be named rather than compared, become markers.
 */
export const MARKER = '__llmtutor';

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

/** The arguments as a function receives them: read-once markers become one-pass iterables. */
export function materializeArgs(args: unknown[]): unknown[] {
  return args.map((arg) => (isReadOnceArg(arg) ? readOnceIterable(arg.items) : arg));
}

/** Messages from the sandbox child to the parent. */
export type ChildMessage =
  | { type: 'ready'; exports: string[] }
  | { type: 'load-error'; error: WireError }
  | { type: 'case-start'; index: number }
  | { type: 'case-result'; index: number; ok: true; value: unknown; mutated?: string; durationMs: number }
  | { type: 'case-result'; index: number; ok: false; error: WireError; durationMs: number }
  | { type: 'async-error'; error: WireError }
  | { type: 'done'; /** Set in a shared child: whether the process is as the harness found it (no globals changed, no timers left). */ clean?: boolean };

/** Messages from the parent to the child. */
export interface ParentMessage {
  type: 'run';
  /** Which learner module of the bundle to run (a bundle for class grading holds all of a submission's files). */
  module: string;
  entry: string;
  cases: unknown[][];
  /** Freeze the inputs instead of copying them per call: changing them then throws. */
  readOnly?: boolean;
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
