/**
 * The program a sandbox child runs: it starts before any learner code, in a
 * module of its own (learner code is bundled separately and cannot reach this
 * module's scope, not even with a direct eval), takes what it needs from the
 * built-ins, closes the ways out of the process that Node's permission model
 * leaves open (signals to other processes, the network, trace files, V8
 * flags), then loads the learner's bundle when the tutor says so and runs
 * the cases it is sent. It captures the built-ins it relies on first, so a
 * learner file that patches JSON, Array.prototype or structuredClone cannot
 * change how results are read and sent.
 *
 * Over 300 lines on purpose: one program whose guards must run in a fixed
 * order before any learner code (capture the built-ins, then close the ways
 * out, then listen); split over modules, that order would hang on import
 * order. What it shares with the tutor (the arguments, the markers, the
 * protocol) is in args.ts and wire.ts.
 */
import dgram from 'node:dgram';
import dns from 'node:dns';
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import traceEvents from 'node:trace_events';
import v8 from 'node:v8';
import { childReadFd, childWriteFd, FrameReader } from './channel.js';
import { applyCarry, isRowsArg, MARKER, materializeArgs, plainRowsOf, type CallResult, type ChildControl, type ChildMessage, type Marker, type ParentMessage, type RowsArg, type WireError } from './wire.js';

const writeSync = fs.writeSync;
const serialize = v8.serialize;
const deserialize = v8.deserialize;
const SocketCtor = net.Socket;
const exitNow = (process as unknown as { reallyExit: (code: number) => never }).reallyExit.bind(process);
const sleepArray = new Int32Array(new SharedArrayBuffer(4));
// Taken now: learner code could patch Buffer's methods before a later message is framed.
const bufferAlloc = Buffer.allocUnsafe;
const writeUInt32BE = Buffer.prototype.writeUInt32BE;
const bufferCopy = Buffer.prototype.copy;

/** One message as a frame of the channel (see channel.ts), built only with the functions taken above. */
function frameOf(message: unknown): Buffer {
  const body = serialize(message);
  const frame = bufferAlloc(4 + body.length);
  writeUInt32BE.call(frame, body.length, 0);
  bufferCopy.call(body, frame, 4);
  return frame;
}
const wait = Atomics.wait;

/**
 * Writes one message to the tutor and returns once it is written, so it
 * reaches the tutor even if the learner's code then blocks forever. When the
 * tutor is gone the process ends at once: nothing here outlives it.
 */
function send(message: ChildMessage | ChildControl): void {
  let frame: Buffer;
  try {
    frame = frameOf(message);
  } catch (error) {
    frame = frameOf({ type: 'async-error', error: { name: 'Error', message: `a message could not be encoded (${safeString((error as Error).message)})` } });
  }
  let at = 0;
  while (at < frame.length) {
    try {
      at += writeSync(childWriteFd, frame, at, frame.length - at);
    } catch (error) {
      if ((error as { code?: string }).code === 'EAGAIN') {
        wait(sleepArray, 0, 0, 1);
        continue;
      }
      exitNow(0);
    }
  }
}

const blocked = (what: string) =>
  function blockedInSandbox(): never {
    const error = new Error(`${what} is not available in the sandbox: exercises run without the network, other processes or files`) as Error & { code: string };
    error.code = 'ERR_ACCESS_DENIED';
    throw error;
  };

/**
 * Closes what the permission model leaves open: signals to other processes
 * (the tutor's inspector opens on SIGUSR1), the network (TCP, UDP, unix
 * sockets, DNS), trace files and V8 flags. The patched exports are synced to
 * the ESM facades, so `import { connect } from 'node:net'` gets them too.
 */
function closeWaysOut(): void {
  const proc = process as unknown as Record<string, unknown>;
  const rawKill = proc._kill as (pid: number, signal: number) => number;
  const ownPid = process.pid;
  const sigusr1 = os.constants.signals.SIGUSR1;
  // A learner may end their own process (a test of how crashes are reported), never signal another one.
  // process.kill calls process._kill with the signal's number: guarding that guards both.
  proc._kill = function kill(pid: number, signal: number): number {
    if (pid !== ownPid && pid !== 0) return blocked('Signalling another process')();
    if (signal === sigusr1) return blocked('SIGUSR1 (it opens the inspector)')();
    return rawKill.call(process, ownPid, signal);
  };
  // _getActiveHandles would hand learner code the harness's own pipe to the tutor (to read or feed it).
  for (const name of ['_getActiveHandles', '_getActiveRequests', '_debugProcess', '_debugEnd', '_linkedBinding', 'dlopen', 'setUncaughtExceptionCaptureCallback', '_startProfilerIdleNotifier', '_stopProfilerIdleNotifier']) {
    if (name in proc) proc[name] = blocked(`process.${name}`);
  }
  for (const key of Object.keys(process.env)) delete process.env[key];
  process.on('SIGUSR1', () => {});

  const patch = (object: Record<string, unknown>, names: string[], what: string) => {
    for (const name of names) if (typeof object[name] === 'function') object[name] = blocked(`${what}.${name}`);
  };
  patch(os as unknown as Record<string, unknown>, ['setPriority'], 'os');
  patch(v8 as unknown as Record<string, unknown>, ['setFlagsFromString', 'setHeapSnapshotNearHeapLimit', 'writeHeapSnapshot'], 'v8');
  patch(traceEvents as unknown as Record<string, unknown>, ['createTracing'], 'trace_events');
  patch(net as unknown as Record<string, unknown>, ['connect', 'createConnection', 'createServer'], 'net');
  patch(net.Socket.prototype as unknown as Record<string, unknown>, ['connect'], 'net.Socket');
  patch(net.Server.prototype as unknown as Record<string, unknown>, ['listen'], 'net.Server');
  patch(dgram as unknown as Record<string, unknown>, ['createSocket'], 'dgram');
  patch(dgram.Socket.prototype as unknown as Record<string, unknown>, ['bind', 'connect', 'send'], 'dgram.Socket');
  const dnsNames = Object.keys(dns).filter((k) => typeof (dns as unknown as Record<string, unknown>)[k] === 'function' && /^(lookup|resolve|reverse)/.test(k));
  patch(dns as unknown as Record<string, unknown>, dnsNames, 'dns');
  patch(dns.promises as unknown as Record<string, unknown>, dnsNames, 'dns.promises');
  patch(dns.Resolver.prototype as unknown as Record<string, unknown>, Object.getOwnPropertyNames(dns.Resolver.prototype).filter((k) => /^(resolve|reverse|setServers)/.test(k)), 'dns.Resolver');
  patch(dns.promises.Resolver.prototype as unknown as Record<string, unknown>, Object.getOwnPropertyNames(dns.promises.Resolver.prototype).filter((k) => /^(resolve|reverse|setServers)/.test(k)), 'dns.Resolver');
  syncBuiltinESMExports();
}

// A copy through V8's serializer, as the channel makes one: a typed array is one copy of its own
// elements (structuredClone copies the whole buffer under a view, and takes several times as long).
const clone = <T>(value: T): T => deserialize(serialize(value)) as T;
const isArray = Array.isArray;
const isView = ArrayBuffer.isView;
const objectKeys = Object.keys;
const getPrototypeOf = Object.getPrototypeOf;
const objectProto = Object.prototype;
const objectIs = Object.is;
const freeze = Object.freeze;
const isFrozen = Object.isFrozen;
const defineProperty = Object.defineProperty;
const PromiseCtor = Promise;
const ErrorCtor = Error;
const StringCtor = String;
const now = performance.now.bind(performance);
const arrayFrom = Array.from;
const immediate = setImmediate;
const Int32ArrayCtor = Int32Array;

/** Above this many elements a returned value is named, not copied. */
const ELEMENT_BUDGET = 4_000_000;
/** Above this many characters a returned string is named, not copied. */
const STRING_BUDGET = 16 * 1024 * 1024;

function safeString(value: unknown): string {
  try {
    return StringCtor(value);
  } catch {
    return '[a value whose toString throws]';
  }
}

/** Characters kept of an error's message or stack: the tutor shows a few lines of them, and a huge one must not swamp the channel. */
const ERROR_TEXT_BUDGET = 16_384;
const stringSlice = String.prototype.slice;

function capText(text: string): string {
  return text.length > ERROR_TEXT_BUDGET ? `${stringSlice.call(text, 0, ERROR_TEXT_BUDGET)}… (${text.length - ERROR_TEXT_BUDGET} more characters)` : text;
}

function toWireError(thrown: unknown): WireError {
  if (thrown instanceof ErrorCtor) {
    let stack: string | undefined;
    let message = '';
    let name = 'Error';
    try {
      stack = typeof thrown.stack === 'string' ? capText(thrown.stack) : undefined;
      message = capText(typeof thrown.message === 'string' ? thrown.message : safeString(thrown.message));
      name = typeof thrown.name === 'string' ? stringSlice.call(thrown.name, 0, 200) : 'Error';
    } catch {
      message = '[an Error whose fields throw when read]';
    }
    return { name, message, stack };
  }
  const thrownType = thrown === null ? 'null' : typeof thrown;
  const message = capText(typeof thrown === 'symbol' ? (thrown.description ?? 'Symbol()') : safeString(thrown));
  return { name: 'NonError', message, thrownType };
}

/** Copies a returned value into plain data, reading every property once. */
function toPlain(value: unknown, budget: { left: number }, depth = 0): unknown {
  if (budget.left-- <= 0) return { [MARKER]: 'too-large', elements: ELEMENT_BUDGET } satisfies Marker;
  switch (typeof value) {
    case 'number':
    case 'boolean':
      return value;
    case 'string':
      if ((value as string).length > STRING_BUDGET) return { [MARKER]: 'unreadable', message: `a string of ${(value as string).length} characters (the limit is ${STRING_BUDGET})` } satisfies Marker;
      budget.left -= (value as string).length >> 4;
      return value;
    case 'undefined':
      return { [MARKER]: 'undefined' } satisfies Marker;
    case 'function':
      return { [MARKER]: 'function', name: safeString((value as { name?: unknown }).name ?? '') } satisfies Marker;
    case 'symbol':
      return { [MARKER]: 'symbol', description: (value as symbol).description ?? '' } satisfies Marker;
    case 'bigint':
      return { [MARKER]: 'bigint', value: (value as bigint).toString() } satisfies Marker;
  }
  if (value === null) return null;
  if (depth > 8) return { [MARKER]: 'unreadable', message: 'nested more than 8 levels deep' } satisfies Marker;
  try {
    if (value instanceof PromiseCtor || typeof (value as { then?: unknown }).then === 'function') return { [MARKER]: 'promise' } satisfies Marker;
    if (isView(value)) {
      const view = value as unknown as ArrayLike<number>;
      if (view.length > budget.left) return { [MARKER]: 'too-large', elements: ELEMENT_BUDGET } satisfies Marker;
      budget.left -= view.length;
      return { [MARKER]: 'typed', type: safeString(getPrototypeOf(value)?.constructor?.name), values: arrayFrom(view, Number) } satisfies Marker;
    }
    if (isArray(value)) {
      const length = value.length;
      if (length > budget.left) return { [MARKER]: 'too-large', elements: ELEMENT_BUDGET } satisfies Marker;
      const out = new Array<unknown>(length);
      for (let i = 0; i < length; i++) out[i] = toPlain(value[i], budget, depth + 1);
      return out;
    }
    const proto = getPrototypeOf(value);
    if (proto !== objectProto && proto !== null) {
      return { [MARKER]: 'object', className: safeString(proto?.constructor?.name ?? 'an unknown class') } satisfies Marker;
    }
    const keys = objectKeys(value as object);
    if (keys.includes(MARKER)) return { [MARKER]: 'unreadable', message: `an object with the key "${MARKER}", which the tutor keeps for itself` } satisfies Marker;
    const out: Record<string, unknown> = {};
    for (const key of keys) out[key] = toPlain((value as Record<string, unknown>)[key], budget, depth + 1);
    return out;
  } catch (error) {
    return { [MARKER]: 'unreadable', message: toWireError(error).message } satisfies Marker;
  }
}

/** Freezes a value and everything reachable from it but typed arrays (which cannot be frozen); returns it. */
function freezeDeep<T>(value: T): T {
  if (value && typeof value === 'object' && !isView(value) && !isFrozen(value)) {
    freeze(value);
    for (const key of objectKeys(value)) freezeDeep((value as Record<string, unknown>)[key]);
  }
  return value;
}

const isPlainRows = (value: unknown): value is RowsArg => isRowsArg(value) && value.plain === true;

/**
 * `value` (frozen) with a copy of each typed array in it, for one call with
 * read-only inputs: typed arrays cannot be frozen, so a call gets its own and
 * they are compared with the originals afterwards. So are the rows of a
 * matrix sent as bytes to arrive as number[][] (matrixOf), made here (in a
 * frozen list) so that they can be compared with the bytes: frozen, their
 * numbers would be boxed, a model's weights several times slower to copy and
 * to read. The frozen containers on the way to one are copied (and frozen);
 * the rest is shared, not copied.
 */
function withTypedCopies(value: unknown): unknown {
  return copyOnWrite(value, (node) => (isView(node) ? clone(node) : isPlainRows(node) ? freeze(plainRowsOf(node)) : walkInto), true);
}

type Place = (string | number)[];

/** What copyOnWrite's visitor returns to have a plain array or object looked into rather than replaced. */
const walkInto: unique symbol = Symbol('walk into');

/**
 * A copy-on-write walk of plain data, down to 16 levels: `visit` is given
 * every object with its place and depth, and returns what stands there
 * instead, or walkInto to look inside (plain arrays and objects only; other
 * objects are kept as they are). The containers on the way to a replaced
 * value are copied (and frozen, with `freezeCopies`); everything else is
 * shared. `at` is reused as the walk goes: `at.slice(0, depth)`, copied, is
 * the node's place.
 */
function copyOnWrite(value: unknown, visit: (node: object, at: Place, depth: number) => unknown, freezeCopies: boolean, at: Place = [], depth = 0): unknown {
  if (typeof value !== 'object' || value === null || depth > 16) return value;
  const seen = visit(value, at, depth);
  if (seen !== walkInto) return seen;
  let copy: unknown[] | Record<string, unknown> | undefined;
  if (isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      if (typeof item !== 'object' || item === null) continue;
      at[depth] = i;
      const got = copyOnWrite(item, visit, freezeCopies, at, depth + 1);
      if (got === item) continue;
      if (!copy) {
        copy = new Array<unknown>(value.length);
        for (let j = 0; j < value.length; j++) copy[j] = value[j];
      }
      (copy as unknown[])[i] = got;
    }
  } else {
    const proto = getPrototypeOf(value);
    if (proto !== objectProto && proto !== null) return value;
    const keys = objectKeys(value);
    for (const key of keys) {
      const item = (value as Record<string, unknown>)[key];
      at[depth] = key;
      const got = copyOnWrite(item, visit, freezeCopies, at, depth + 1);
      if (got === item) continue;
      if (!copy) {
        copy = {};
        for (const k of keys) defineProperty(copy, k, { value: (value as Record<string, unknown>)[k], enumerable: true, writable: true, configurable: true });
      }
      defineProperty(copy, key, { value: got, enumerable: true, writable: true, configurable: true });
    }
  }
  return copy && freezeCopies ? freeze(copy) : (copy ?? value);
}

/**
 * `value` with each matrix sent as bytes replaced by null (the containers on
 * the way copied), and where each was. A list whose first element is not an
 * object is taken for numbers and not looked into (reading every number of a
 * big one would box it): a matrix this misses is copied with the rest, and
 * made into rows by materializeArgs.
 */
function withoutPlainRows(value: unknown, places: { at: Place; marker: RowsArg }[]): unknown {
  return copyOnWrite(
    value,
    (node, at, depth) => {
      if (isPlainRows(node)) {
        const place: Place = new Array(depth);
        for (let i = 0; i < depth; i++) place[i] = at[i];
        places[places.length] = { at: place, marker: node };
        return null;
      }
      if (isView(node)) return node;
      if (depth > 0 && isArray(node) && (typeof node[0] !== 'object' || node[0] === null)) return node;
      return walkInto;
    },
    false,
  );
}

/**
 * A fresh copy of `value` for one call (changing it reaches no other call).
 * A matrix sent as bytes becomes its rows at once: its bytes, which the call
 * never sees, are not copied first.
 */
function copyForCall(value: unknown[]): unknown[] {
  const places: { at: Place; marker: RowsArg }[] = [];
  const skeleton = withoutPlainRows(value, places);
  if (places.length === 0) return clone(value);
  const copy = clone(skeleton) as unknown[];
  for (const { at, marker } of places) {
    let container = copy as unknown as Record<string | number, unknown>;
    for (let i = 0; i < at.length - 1; i++) container = container[at[i]] as Record<string | number, unknown>;
    defineProperty(container, at[at.length - 1], { value: plainRowsOf(marker), enumerable: true, writable: true, configurable: true });
  }
  return copy;
}

/** The first element where typed array `after` differs from `before`, as `[i]`, or `[i][j]` for a row-view input of `cols` columns. */
function findTypedMutation(before: ArrayLike<number>, after: unknown, path: string, cols?: number): string | undefined {
  if (!isView(after) || (after as unknown as ArrayLike<number>).length !== before.length) return path || 'value';
  const now = after as unknown as ArrayLike<number>;
  for (let i = 0; i < before.length; i++) {
    const a = before[i];
    const b = now[i];
    if (a !== b && !objectIs(a, b)) return cols ? `${path}[${(i - (i % cols)) / cols}][${i % cols}]` : `${path}[${i}]`;
  }
  return undefined;
}

/** The first column where `row` differs from `cols` numbers of `data` from `at`, or -1. Small, so that it is optimised after a few rows. */
function rowChange(data: Float32Array, at: number, row: number[], cols: number): number {
  for (let j = 0; j < cols; j++) {
    const a = data[at + j];
    const b = row[j];
    // Unequal and not both NaN (as Object.is, which would box every number read here).
    if (a !== b && (a === a || b === b)) return j;
  }
  return -1;
}

/** The first place where the rows a call received of a matrix sent as bytes (`before`) differ from its bytes, as `[i][j]`. */
function findRowsMutation(before: { data: Float32Array; rows: number; cols: number }, after: unknown[], path: string): string | undefined {
  const { data, rows, cols } = before;
  if (after.length !== rows) return path || 'value';
  for (let i = 0; i < rows; i++) {
    const row = after[i];
    if (!isArray(row) || row.length !== cols) return `${path}[${i}]`;
    const j = rowChange(data, i * cols, row as number[], cols);
    if (j >= 0) return `${path}[${i}][${j}]`;
  }
  return undefined;
}

/**
 * The first place where `after` differs from `before`, as `[1][2]`, or
 * undefined. The rows made of a matrix sent as bytes are compared with its
 * bytes when `rows` is set (they were made for this call either way).
 */
function findMutation(before: unknown, after: unknown, rows: boolean, path = ''): string | undefined {
  if (typeof before === 'number' && typeof after === 'number') return objectIs(before, after) || before === after ? undefined : path || 'value';
  if (typeof before !== 'object' || before === null) return before === after ? undefined : path || 'value';
  // What the call got as it was (frozen, or beyond the copies' depth) is itself: nothing to find, however big.
  if (before === after) return undefined;
  if (isView(before)) return findTypedMutation(before as unknown as ArrayLike<number>, after, path);
  if (isRowsArg(before)) {
    if (before.plain && isArray(after)) return rows ? findRowsMutation(before, after, path) : undefined;
    return isRowsArg(after) ? findTypedMutation(before.data, after.data, path, before.cols) : path || 'value';
  }
  if (isArray(before)) {
    if (!isArray(after) || after.length !== before.length) return path || 'value';
    for (let i = 0; i < before.length; i++) {
      const b = before[i];
      const a = after[i];
      // Numbers (most of a big input) compared here: no call, and no path made for an element that is unchanged.
      if (typeof b === 'number' && typeof a === 'number') {
        if (a !== b && (a === a || b === b)) return `${path}[${i}]`;
        continue;
      }
      const found = findMutation(b, a, rows, `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof after !== 'object' || after === null) return path || 'value';
  const beforeKeys = objectKeys(before as object);
  if (beforeKeys.length !== objectKeys(after as object).length) return path || 'value';
  for (const key of beforeKeys) {
    const found = findMutation((before as Record<string, unknown>)[key], (after as Record<string, unknown>)[key], rows, `${path}.${key}`);
    if (found) return found;
  }
  return undefined;
}

/** The objects whose own properties a learner file could change for the files run after it. */
function watchedObjects(): object[] {
  const typedArrayProto = getPrototypeOf(Int8Array.prototype) as object;
  const iteratorProto = getPrototypeOf(getPrototypeOf([][Symbol.iterator]())) as object;
  return [
    globalThis, Object, Object.prototype, Function.prototype, Array, Array.prototype, String, String.prototype, Number, Number.prototype,
    Boolean.prototype, Symbol, Symbol.prototype, BigInt.prototype, Math, JSON, Reflect, Promise, Promise.prototype, Map.prototype, Set.prototype,
    WeakMap.prototype, Error, Error.prototype, TypeError.prototype, RangeError.prototype, Date, Date.prototype, RegExp.prototype,
    iteratorProto, getPrototypeOf([][Symbol.iterator]()) as object, typedArrayProto, Float32Array.prototype, Float64Array.prototype,
    Int32Array.prototype, Uint8Array.prototype, ArrayBuffer.prototype, process, console,
  ];
}

const ownKeys = Reflect.ownKeys;
const describeProperty = Object.getOwnPropertyDescriptor;
const isExtensible = Object.isExtensible;

interface Snapshot {
  objects: { object: object; extensible: boolean; properties: Map<string | symbol, PropertyDescriptor> }[];
  listeners: Map<string | symbol, number>;
}

/** Every own property (value or accessor, with its flags) of the watched objects, and the process's event listeners. */
function snapshot(objects: object[]): Snapshot {
  const listeners = new Map<string | symbol, number>();
  for (const name of process.eventNames()) listeners.set(name, process.listenerCount(name));
  return {
    objects: objects.map((object) => ({
      object,
      extensible: isExtensible(object),
      properties: new Map(ownKeys(object).map((key) => [key, describeProperty(object, key)!])),
    })),
    listeners,
  };
}

function sameDescriptor(a: PropertyDescriptor, b: PropertyDescriptor): boolean {
  return objectIs(a.value, b.value) && a.get === b.get && a.set === b.set && a.writable === b.writable && a.enumerable === b.enumerable && a.configurable === b.configurable;
}

/**
 * Whether nothing watched changed. Node defines some globals (TextEncoder,
 * fetch...) as getters that turn into plain values on first use; such a
 * global still holding what its original getter gives is not a change.
 */
function unchanged(before: Snapshot, after: Snapshot): boolean {
  if (before.listeners.size !== after.listeners.size) return false;
  for (const [name, count] of before.listeners) if (after.listeners.get(name) !== count) return false;
  for (let i = 0; i < before.objects.length; i++) {
    const was = before.objects[i];
    const now = after.objects[i];
    if (was.extensible !== now.extensible || was.properties.size !== now.properties.size) return false;
    for (const [key, d] of was.properties) {
      const current = now.properties.get(key);
      if (!current) return false;
      if (sameDescriptor(d, current)) continue;
      const resolvedLazyGlobal = was.object === globalThis && d.get !== undefined && current.get === undefined && objectIs(current.value, d.get.call(globalThis));
      if (!resolvedLazyGlobal) return false;
    }
  }
  return true;
}

const activeResources = process.getActiveResourcesInfo.bind(process);
/** Timers and immediates still pending: code of a finished run that would run during the next. */
function pendingTimers(): number {
  let n = 0;
  for (const kind of activeResources()) if (kind === 'Timeout' || kind === 'Immediate') n++;
  return n;
}

type LearnerModule = Record<string, unknown>;
type ModuleLoaders = Record<string, () => Promise<LearnerModule>>;
type IncomingMessage = ParentMessage | { type: 'load'; url: string };

/**
 * The child's main loop. Waits for the tutor's messages and handles them one
 * at a time: `load` imports the learner's bundle (which exports `modules`, a
 * loader per learner file); `run` loads the learner module named, calls its
 * entry function once per case and reports each result as plain data. A
 * bundle for one exercise has one module; a bundle for class grading has all
 * of a submission's, run in turn in one process while it stays clean (see
 * {@link ParentMessage.boundary}). The process ends when the tutor closes
 * its end of the pipe.
 */
function main(): void {
  const writeOut = process.stdout.write.bind(process.stdout);
  const writeErr = process.stderr.write.bind(process.stderr);
  process.on('uncaughtException', (error) => {
    send({ type: 'async-error', error: toWireError(error) });
  });
  process.on('unhandledRejection', (reason) => {
    send({ type: 'async-error', error: toWireError(reason) });
  });
  closeWaysOut();
  let modules: ModuleLoaders = {};
  // Taken before the first learner module loads (modules load inside a run), only in a shared child.
  let watched: object[] = [];
  let baseline: Snapshot | undefined;
  let baselineTimers = 0;
  let queue: Promise<void> = PromiseCtor.resolve();
  const handle = async (message: IncomingMessage): Promise<void> => {
    if (message.type === 'load') {
      try {
        const bundle = (await import(message.url)) as { modules?: ModuleLoaders };
        modules = bundle.modules ?? {};
        send({ type: 'loaded' });
      } catch (error) {
        send({ type: 'load-error', error: toWireError(error) });
        send({ type: 'done' });
      }
      return;
    }
    if (message.boundary !== undefined && baseline === undefined) {
      watched = watchedObjects();
      baseline = snapshot(watched);
      baselineTimers = pendingTimers();
    }
    // Cases the tutor serialised once for all runs of them come as bytes inside the message.
    if (message.casesBytes) message.cases = deserialize(message.casesBytes) as unknown[][];
    const loaded = await run(message, modules[message.module]);
    // One turn of the event loop, so a promise the run left rejected is reported with this run.
    await new PromiseCtor((resolve) => immediate(resolve));
    if (message.boundary === undefined) {
      send({ type: 'done' });
      return;
    }
    const clean = loaded && pendingTimers() <= baselineTimers && unchanged(baseline!, snapshot(watched));
    const mark = `\n${message.boundary}\n`;
    // Written (and flushed) before "done", so the parent has the output of this run before it reads the next.
    await new PromiseCtor<void>((resolve) => {
      let left = 2;
      const one = () => --left === 0 && resolve();
      try {
        writeOut(mark, one);
        writeErr(mark, one);
      } catch {
        resolve();
      }
    });
    send({ type: 'done', clean });
  };
  const reader = new FrameReader(
    (raw) => {
      const message = raw as IncomingMessage;
      if (typeof message !== 'object' || message === null) return;
      queue = queue.then(() => handle(message));
    },
    () => exitNow(70),
    Number.MAX_SAFE_INTEGER,
    deserialize,
  );
  const input = new SocketCtor({ fd: childReadFd, readable: true, writable: false });
  input.on('data', (chunk: Buffer) => reader.push(chunk));
  // The tutor is gone (or done with this child): end now, whatever the learner's code left running.
  input.on('end', () => exitNow(0));
  input.on('close', () => exitNow(0));
  input.on('error', () => exitNow(0));
  // Up and listening, before any learner code: the time limits of learner code count from here, not from the
  // process's start (which a busy machine can make take seconds).
  send({ type: 'up' });
}

/** Runs one message's cases. Returns false when the module failed to load. */
async function run(message: ParentMessage, load: (() => Promise<LearnerModule>) | undefined): Promise<boolean> {
  let learner: LearnerModule;
  try {
    if (!load) throw new ErrorCtor(`no module "${message.module}" in this bundle`);
    learner = await load();
  } catch (error) {
    send({ type: 'load-error', error: toWireError(error) });
    return false;
  }
  const exports = objectKeys(learner);
  send({ type: 'ready', exports });
  const entryFn = learner[message.entry];
  if (typeof entryFn !== 'function') return true;
  // What the previous call gave, for a stepwise case that carries a value from it.
  let previous: { ok: true; value: unknown } | { ok: false; why: string } | undefined;
  const report = resultSender(message);
  for (let index = 0; index < message.cases.length; index++) {
    let args = message.cases[index];
    const carry = message.links?.[index];
    if (carry) {
      let built: ReturnType<typeof applyCarry>;
      try {
        built = !previous ? { ok: false, missing: 'there is no previous call' } : previous.ok ? applyCarry(args, previous.value, carry) : { ok: false, missing: previous.why };
      } catch (error) {
        built = { ok: false, missing: `its arguments could not be built (${toWireError(error).message})` };
      }
      if (!built.ok) {
        report.result(index, { ok: false, error: { name: 'Error', message: `not run: ${built.missing}` }, durationMs: 0 });
        previous = { ok: false, why: 'the previous call was not run' };
        continue;
      }
      args = built.args;
    }
    // A carried value is plain data: a call is live (needs materialising, copies of typed arrays) only when its case is.
    const live = message.live?.[index] !== false;
    let given: unknown[];
    try {
      // A fresh copy for each call: cases of one message may share objects (one vocabulary for all).
      // Read-only inputs are frozen instead (no copy): changing them throws. Typed arrays cannot be
      // frozen: each call gets copies of those, compared after the call.
      given = message.readOnly ? (live ? (withTypedCopies(freezeDeep(args)) as unknown[]) : freezeDeep(args)) : live ? copyForCall(args) : clone(args);
    } catch (error) {
      report.result(index, { ok: false, error: toWireError(error), durationMs: 0 });
      previous = { ok: false, why: 'the previous call was not run' };
      continue;
    }
    // A case may call another export of the file than the entry (an exercise of two functions).
    const other = message.entries?.[index];
    const fn = typeof other === 'string' ? learner[other] : entryFn;
    if (typeof fn !== 'function') {
      report.result(index, { ok: false, error: { name: 'Error', message: `Your file does not export a function named ${String(other)}.` }, durationMs: 0 });
      previous = { ok: false, why: 'the previous call was not run' };
      continue;
    }
    report.starting(index);
    const started = now();
    try {
      const output = (fn as (...a: unknown[]) => unknown)(...(live ? materializeArgs(given) : given));
      const durationMs = now() - started;
      const budget = { left: ELEMENT_BUDGET };
      const value = toPlain(output, budget);
      // Read-only inputs are compared only where they were copied (typed arrays, rows); the rest is frozen.
      // Otherwise a change is only reported, and the rows of a matrix, this call's own, are not looked at.
      const mutatedAt = message.readOnly && given === args ? undefined : findMutation(args, given, message.readOnly === true);
      const mutated = mutatedAt ? describeArgumentPath(mutatedAt) : undefined;
      report.result(index, { ok: true, value, mutated, durationMs }, ELEMENT_BUDGET - budget.left);
      previous = { ok: true, value };
    } catch (error) {
      report.result(index, { ok: false, error: toWireError(error), durationMs: now() - started });
      previous = { ok: false, why: 'the previous call threw' };
    }
  }
  report.flush();
  return true;
}

/** Results held back in one message: at most this many... */
const heldResults = 512;
/** ...holding at most about this many elements (the result that passes it is the last one held). */
const heldElements = 262_144;

/**
 * Sends the calls' results. A call of no group is announced (`case-start`)
 * and its result sent alone. The results of a group (`together`: the calls
 * of one property check, thousands for a distribution) are held and sent
 * together: framing a message costs far more than a small result does. A
 * call of a group is announced only when nothing is held, so the call the
 * tutor takes as running is the group's first one not reported yet: a
 * time-out or crash during any held call is put down to the same check.
 */
function resultSender(message: ParentMessage): { starting(index: number): void; result(index: number, result: CallResult, elements?: number): void; flush(): void } {
  const count = message.cases.length;
  // Per call, the end (exclusive) of its group; 0 for a call of none. Filled by index: prototypes may be patched by now.
  const endOf = new Int32ArrayCtor(count);
  const together = message.together ?? [];
  for (let k = 0; k < together.length; k++) {
    const from = together[k][0];
    const end = together[k][1];
    if (!(from >= 0 && end <= count && end - from > 1)) continue;
    for (let i = from; i < end; i++) endOf[i] = end;
  }
  let held: CallResult[] = [];
  let heldFrom = 0;
  let elementsHeld = 0;
  const flush = () => {
    if (held.length === 0) return;
    send({ type: 'case-results', from: heldFrom, results: held });
    held = [];
    elementsHeld = 0;
  };
  const result = (index: number, result: CallResult, elements = 0) => {
    if (endOf[index] === 0) {
      flush();
      send({ type: 'case-result', index, ...result });
      return;
    }
    if (held.length === 0) heldFrom = index;
    held[held.length] = result;
    elementsHeld += elements;
    // An error is sent at once: its message and stack are the largest part of a result, and errors are rare.
    if (!result.ok || index + 1 >= endOf[index] || held.length >= heldResults || elementsHeld >= heldElements) flush();
  };
  const starting = (index: number) => {
    if (endOf[index] === 0 || held.length === 0) send({ type: 'case-start', index });
  };
  return { starting, result, flush };
}

/** `[1][2]` (argument 1, element 2) becomes "argument 2 at [2]". */
function describeArgumentPath(path: string): string {
  const match = /^\[(\d+)\](.*)$/.exec(path);
  if (!match) return path;
  return `argument ${Number(match[1]) + 1}${match[2] ? ` at ${match[2]}` : ''}`;
}

main();
