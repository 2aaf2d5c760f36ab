import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { matrixOf, readOnce, rowsOf } from '../../src/pack-api.js';
import { deepFreeze } from '../../src/core/grading/grade.js';
import { defaultLimits, runInSandbox, type CaseOutcome, type SandboxLimits, type SandboxRun } from '../../src/sandbox/run-child.js';
import { SubmissionSandbox } from '../../src/sandbox/submission-sandbox.js';
import { applyCarry, MARKER, readChildValue, type Carry } from '../../src/sandbox/wire.js';
import { bundledRunDir } from '../helpers/sandbox-runs.js';

// Model-sized inputs (typed arrays, row views) and stepwise runs, graded in a real sandbox child (dist/ must be built).
const root = mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-model-inputs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const limits: SandboxLimits = { ...defaultLimits, timeoutMs: 10_000 };

/** Bundles `source` as a learner file and runs `entry` on `cases` in a fresh child. */
async function run(source: string, entry: string, cases: unknown[][], extra: Partial<SandboxLimits> = {}): Promise<SandboxRun> {
  return runInSandbox(await bundledRunDir(root, source), entry, cases, { ...limits, ...extra });
}

const values = (r: SandboxRun) => r.outcomes.map((o) => (o?.ok ? o.value : o));
const ok = (value: unknown): Partial<CaseOutcome> => ({ ok: true, value });

describe('typed-array and row-view inputs', () => {
  const data = deepFreeze(Float32Array.from({ length: 12 }, (_, i) => i / 4));

  test('arrive intact: a Float32Array as it was sent, rows as Float32Array views of one buffer', async () => {
    const r = await run(
      `export function f(x: Float32Array, w: Float32Array[], nested: { w: Float32Array[] }) {
  let sum = 0;
  for (const v of x) sum += v;
  return {
    kind: Object.prototype.toString.call(x), length: x.length, sum, last: x[11],
    rows: w.length, cols: w[0].length, w12: w[1][2], views: w.every((row) => row instanceof Float32Array),
    oneBuffer: w[0].buffer === w[2].buffer, nestedRows: nested.w.length, nested01: nested.w[0][1],
  };
}\n`,
      'f',
      deepFreeze([[data, rowsOf(data, 3, 4), { w: rowsOf(new Float32Array([1, 2, 3, 4]), 2, 2) }]]),
    );
    expect(r.outcomes[0]).toMatchObject(
      ok({ kind: '[object Float32Array]', length: 12, sum: 16.5, last: 2.75, rows: 3, cols: 4, w12: 1.5, views: true, oneBuffer: true, nestedRows: 2, nested01: 2 }),
    );
    expect(r.outcomes[0]).not.toHaveProperty('mutated', expect.any(String));
  });

  test('matrixOf arrives as a plain number[][] built from the bytes: array methods return arrays, and a change to it leaves the next call unchanged', async () => {
    const source = `export function f(w: number[][], write: boolean) {
  const shape = { plain: Array.isArray(w) && w.every((row) => Array.isArray(row)), rows: w.length, cols: w[0].length, w12: w[1][2], mapped: Array.isArray(w[0].map((v) => v * 2)) };
  const before = w[2][3];
  if (write) w[2][3] = 99;
  return { ...shape, before };
}\n`;
    const m = matrixOf(data, 3, 4);
    const r = await run(source, 'f', deepFreeze([[m, true], [m, false]]));
    expect(values(r)).toEqual([
      { plain: true, rows: 3, cols: 4, w12: 1.5, mapped: true, before: 2.75 },
      { plain: true, rows: 3, cols: 4, w12: 1.5, mapped: true, before: 2.75 },
    ]);
    // Each call gets rows of its own, made from the bytes: a call that throws after writing into them changes no other.
    const thrown = await run(`export function f(w: number[][], write: boolean) {\n  const before = w[2][3];\n  if (write) { w[2][3] = 99; throw new Error('after writing'); }\n  return before;\n}\n`, 'f', deepFreeze([[m, true], [m, false]]));
    expect(thrown.outcomes[0]).toMatchObject({ ok: false, error: { message: 'after writing' } });
    expect(thrown.outcomes[1]).toMatchObject({ ok: true, value: 2.75 });
    // With read-only inputs the list is frozen, and a change to a row (each call's own copy) is found after the call.
    const readOnly = await run(source, 'f', deepFreeze([[m, true], [m, false]]), { readOnlyInputs: true });
    expect(readOnly.outcomes[0]).toMatchObject({ ok: true, value: { before: 2.75 }, mutated: 'argument 1 at [2][3]' });
    expect(readOnly.outcomes[1]).toMatchObject({ ok: true, value: { plain: true, rows: 3, cols: 4, w12: 1.5, mapped: true, before: 2.75 } });
    expect(readOnly.outcomes[1]?.ok && readOnly.outcomes[1].mutated).toBeFalsy();
    const grown = await run(`export function f(w: number[][]) { w.push([1]); return 0; }\n`, 'f', deepFreeze([[m]]), { readOnlyInputs: true });
    expect(grown.outcomes[0]).toMatchObject({ ok: false, error: { name: 'TypeError' } });
  });

  const writer = `export function f(x: Float32Array, w: Float32Array[], write: boolean) {
  const seen = [x[3], w[1][2]];
  if (write) { x[3] = 99; w[1][2] = -1; }
  return seen;
}\n`;
  const cases = () => {
    const x = Float32Array.from([0, 1, 2, 3]);
    const w = rowsOf(Float32Array.from({ length: 6 }, (_, i) => 10 + i), 2, 3);
    // The same arrays in both cases: a change made by the first call must not reach the second.
    return deepFreeze([
      [x, w, true],
      [x, w, false],
    ]);
  };

  test('a changed element is reported as a mutation, and the next call gets the inputs unchanged', async () => {
    const r = await run(writer, 'f', cases());
    expect(r.outcomes[0]).toMatchObject({ ok: true, value: [3, 15], mutated: 'argument 1 at [3]' });
    expect(r.outcomes[1]).toMatchObject({ ok: true, value: [3, 15] });
    expect(r.outcomes[1]?.ok && r.outcomes[1].mutated).toBeFalsy();
  });

  test('a change through a row view is reported at its row and column', async () => {
    const r = await run(`export function f(w: Float32Array[]) { w[1][2] = 7; return 0; }\n`, 'f', [[rowsOf(new Float32Array(6), 2, 3)]]);
    expect(r.outcomes[0]).toMatchObject({ ok: true, value: 0, mutated: 'argument 1 at [1][2]' });
  });

  test('with read-only inputs (typed arrays cannot be frozen) a change is found after the call, and the next call gets them unchanged', async () => {
    const r = await run(writer, 'f', cases(), { readOnlyInputs: true });
    expect(r.outcomes[0]).toMatchObject({ ok: true, value: [3, 15], mutated: 'argument 1 at [3]' });
    expect(r.outcomes[1]).toMatchObject({ ok: true, value: [3, 15] });
    expect(r.outcomes[1]?.ok && r.outcomes[1].mutated).toBeFalsy();
  });

  test('with read-only inputs the list of row views and the objects around them are frozen', async () => {
    const r = await run(
      `export function f(w: Float32Array[], o: { a: number[] }) {
  const tries = [() => { w[0] = new Float32Array(2); }, () => { o.a.push(1); }, () => { (o as { b?: number }).b = 1; }];
  return tries.map((t) => { try { t(); return 'changed'; } catch (e) { return (e as Error).name; } });
}\n`,
      'f',
      deepFreeze([[rowsOf(new Float32Array(4), 2, 2), { a: [1] }]]),
      { readOnlyInputs: true },
    );
    expect(values(r)).toEqual([['TypeError', 'TypeError', 'TypeError']]);
  });

  test('a one-pass iterable of typed arrays', async () => {
    const r = await run(`export function f(blocks: Iterable<Float32Array>) { const out = []; for (const b of blocks) out.push(b.length); return out; }\n`, 'f', deepFreeze([[readOnce([new Float32Array(2), new Float32Array(3)])]]));
    expect(values(r)).toEqual([[2, 3]]);
  });

  test('a typed array returned comes back as the typed marker', async () => {
    const r = await run(`export function f(x: Float32Array) { return x.map((v) => v * 2); }\n`, 'f', [[new Float32Array([1, 2])]]);
    expect(values(r)).toEqual([{ [MARKER]: 'typed', type: 'Float32Array', values: [2, 4] }]);
  });
});

describe('a hostile learner and the markers', () => {
  test('a forged row-view or typed marker in an output is read as unreadable, never as an input or a crash', async () => {
    const r = await run(
      `export function f(kind: number) {
  if (kind === 0) return { __llmtutor: 'rows', data: new Float32Array(4), rows: 2, cols: 2 };
  if (kind === 1) return { __llmtutor: 'typed', type: 'Float32Array', values: new Float32Array(3) };
  if (kind === 2) return { state: { __llmtutor: 'rows', data: new Float32Array(4), rows: 2, cols: 2 } };
  return { __llmtutor: 'read-once', items: [1] };
}\n`,
      'f',
      [[0], [1], [2], [3]],
    );
    const unreadable = { [MARKER]: 'unreadable', message: `an object with the key "${MARKER}", which the tutor keeps for itself` };
    expect(values(r)).toEqual([unreadable, unreadable, { state: unreadable }, unreadable]);
  });

  test('a forged message holding real typed arrays and markers is read without throwing', () => {
    const rows = { [MARKER]: 'rows', data: new Float32Array(4), rows: 2, cols: 2 };
    for (const forged of [rows, { state: rows }, new Float32Array(3), { [MARKER]: 'typed', type: 'Float32Array', values: new Float32Array(3) }, { [MARKER]: 'read-once', items: [rows] }]) {
      const read = readChildValue(forged);
      expect(JSON.stringify(read)).toContain('unreadable');
      // The parent rebuilds the next step's arguments from what it read: a forged marker never becomes an input.
      expect(applyCarry([0], read, [{ from: [], to: [0] }])).toMatchObject({ ok: false });
    }
  });
});

describe('stepwise runs', () => {
  const step = `export function step(state: number, g: number) {
  if (g === 3 && state < 0) throw new Error('no');
  return g === 30 ? undefined : { state: state + g };
}\n`;
  const carryState: Carry[] = [{ from: ['state'], to: [0] }];
  const chain = (gs: number[]) => ({ cases: deepFreeze(gs.map((g) => [0, g])), links: gs.map((_, i) => (i === 0 ? null : carryState)) });

  test('each step gets the previous output: running sums', async () => {
    const { cases, links } = chain([1, 2, 3, 4, 5]);
    const r = await run(step, 'step', cases, { links });
    expect(values(r)).toEqual([{ state: 1 }, { state: 3 }, { state: 6 }, { state: 10 }, { state: 15 }]);
  });

  test('a step that returns undefined: the steps after it are not run', async () => {
    const { cases, links } = chain([1, 2, 30, 4, 5]);
    const r = await run(step, 'step', cases, { links });
    expect(values(r).slice(0, 3)).toEqual([{ state: 1 }, { state: 3 }, { [MARKER]: 'undefined' }]);
    expect(r.outcomes.slice(3)).toEqual([
      { ok: false, error: { name: 'Error', message: 'not run: the previous output is undefined' }, durationMs: 0 },
      { ok: false, error: { name: 'Error', message: 'not run: the previous call was not run' }, durationMs: 0 },
    ]);
    // The parent can rebuild each step's arguments from what it read, as the child did.
    expect(applyCarry(cases[1], r.outcomes[0]!.ok ? r.outcomes[0]!.value : undefined, carryState)).toEqual({ ok: true, args: [1, 2] });
    expect(applyCarry(cases[3], r.outcomes[2]!.ok ? r.outcomes[2]!.value : undefined, carryState)).toEqual({ ok: false, missing: 'the previous output is undefined' });
  });

  test('a step that throws, and a step whose output lacks the path', async () => {
    const cases = deepFreeze([[-5, 1], [0, 3], [0, 1], [0, 1]]);
    const links = [null, carryState, carryState, [{ from: ['nothing'], to: [0] }] as Carry[]];
    const r = await run(step, 'step', cases, { links });
    expect(r.outcomes[0]).toMatchObject(ok({ state: -4 }));
    expect(r.outcomes[1]).toMatchObject({ ok: false, error: { message: 'no' } });
    expect(r.outcomes[2]).toMatchObject({ ok: false, error: { message: 'not run: the previous call threw' } });
    expect(r.outcomes[3]).toMatchObject({ ok: false, error: { message: 'not run: the previous call was not run' } });
  });

  test('a carried typed array returned by the learner is not fed on', async () => {
    const r = await run(`export function step(w: number[]) { return { w: Float32Array.from(w) }; }\n`, 'step', deepFreeze([[[1]], [[0]]]), { links: [null, [{ from: ['w'], to: [0] }]] });
    expect(r.outcomes[1]).toMatchObject({ ok: false, error: { message: 'not run: the previous output.w is a Float32Array' } });
  });

  test('in a shared child of class grading too', async () => {
    const dir = path.join(root, 'shared');
    mkdirSync(dir);
    const file = path.join(dir, 'step.ts');
    writeFileSync(file, step);
    const sandbox = await SubmissionSandbox.open([file], dir);
    try {
      const slot = await sandbox.acquire();
      expect((await slot.bundle(file, dir)).ok).toBe(true);
      const { cases, links } = chain([1, 2, 3]);
      const r = await slot.run('step', cases, { ...limits, links });
      expect(values(r)).toEqual([{ state: 1 }, { state: 3 }, { state: 6 }]);
      await slot.dispose();
    } finally {
      await sandbox.close();
    }
  });
});
