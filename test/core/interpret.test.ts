import { describe, expect, test } from 'vitest';
import { cleanDrawing, interpretRun, type InterpretInput } from '../../src/core/grading/interpret.js';
import type { SandboxRun } from '../../src/sandbox/run-child.js';

// interpretRun is pure: these runs are made up, no child process is started.
const file = '/ws/exercises/p/e.ts';

function input(over: Partial<InterpretInput> = {}): InterpretInput {
  return {
    definition: { entry: 'f', signature: 'f(x: number): number' },
    cases: [
      { name: 'one', args: [1] },
      { name: 'two', args: [2] },
      { name: 'three', args: [3] },
    ],
    propertyCases: [],
    firstCall: [0, 1, 2],
    tolerance: { atol: 1e-6, rtol: 0 },
    timeoutMs: 2000,
    memoryMb: 256,
    expected: [10, 20, 30],
    learnerFiles: [file],
    ...over,
  };
}

function run(over: Partial<SandboxRun> = {}): SandboxRun {
  return { exports: ['f'], outcomes: [], asyncErrors: [], stdout: '', stderr: '', droppedBytes: 0, durationMs: 5, ...over };
}

const value = (v: unknown) => ({ ok: true as const, value: v, durationMs: 1 });

describe('interpretRun', () => {
  test('compares each case with its expected output; the first failure and the graded cases come back', () => {
    const out = interpretRun(input(), run({ outcomes: [value(10), value(21), value(30)] }));
    expect(out.stopped).toBe(false);
    if (out.stopped) return;
    expect(out.results.map((r) => r.status)).toEqual(['pass', 'fail', 'pass']);
    expect(out.results[1].message).toBe('Expected 20, got 21 (allowed 1.000e-6).');
    expect(out.results[1].input).toBe('2');
    expect(out.graded.map((g) => [g.index, g.passed])).toEqual([[0, true], [1, false], [2, true]]);
    expect(out.firstError).toBeUndefined();
  });

  test('a thrown error is located in the learner file and is the first error', () => {
    const thrown = { ok: false as const, error: { name: 'RangeError', message: 'bad', stack: `RangeError: bad\n    at f (${file}:7:3)` }, durationMs: 1 };
    const out = interpretRun(input(), run({ outcomes: [value(10), thrown, value(30)] }));
    if (out.stopped) throw new Error('stopped');
    expect(out.results[1]).toMatchObject({ status: 'error', message: 'Your function threw RangeError: bad (e.ts:7).' });
    expect(out.firstError).toMatchObject({ kind: 'throw', location: { file, line: 7, column: 3 } });
  });

  test('a time-out is put on the case that was running; later cases did not run', () => {
    const out = interpretRun(input(), run({ outcomes: [value(10)], timedOut: { caseIndex: 1 } }));
    if (out.stopped) throw new Error('stopped');
    expect(out.results.map((r) => r.status)).toEqual(['pass', 'error', 'not-run']);
    expect(out.results[1].message).toBe('Timed out after 2.0 s on case "two" (an infinite loop, or far too much work).');
    expect(out.firstError?.kind).toBe('timeout');
  });

  test('a crash with no case index is put on the first case without an outcome', () => {
    const out = interpretRun(input(), run({ outcomes: [value(10)], crashed: { code: null, signal: 'SIGKILL', outOfMemory: true } }));
    if (out.stopped) throw new Error('stopped');
    expect(out.results.map((r) => r.status)).toEqual(['pass', 'error', 'not-run']);
    expect(out.firstError).toEqual({ kind: 'memory', message: 'Ran out of memory during case "two" (the limit is 256 MiB).' });
  });

  test('a load error or a missing export stops the run before any case', () => {
    const load = interpretRun(input(), run({ exports: undefined, loadError: { name: 'SyntaxError', message: 'x', stack: `at ${file}:2:1` } }));
    expect(load).toMatchObject({ stopped: true, error: { kind: 'load', message: 'Loading your file threw SyntaxError: x', location: { line: 2 } } });
    const missing = interpretRun(input(), run({ exports: ['g'] }));
    expect(missing).toMatchObject({ stopped: true, error: { kind: 'missing-export', message: 'Your file does not export a function named f. It exports: g. Expected: export function f(x: number): number' } });
    if (missing.stopped) expect(missing.results.every((r) => r.status === 'not-run')).toBe(true);
  });

  test('a wrong return type is an error of kind type', () => {
    const out = interpretRun(input(), run({ outcomes: [value('10'), value(20), value(30)] }));
    if (out.stopped) throw new Error('stopped');
    expect(out.results[0].status).toBe('error');
    expect(out.firstError).toEqual({ kind: 'type', message: 'Wrong return type: Expected a number, got string.' });
  });

  test('notes: code that threw later, and an input changed in place', () => {
    const out = interpretRun(input(), run({ outcomes: [{ ...value(10), mutated: 'argument 1' }, value(20), value(30)], asyncErrors: [{ name: 'Error', message: 'late' }] }));
    if (out.stopped) throw new Error('stopped');
    expect(out.notes).toEqual(['Code that ran later (a timer or a promise) threw Error: late.', 'Your function changes its input in place (argument 1, case "one"); callers may not expect that.']);
  });
});

describe('interpretRun: schedules', () => {
  const drawing = { rowTitle: 'rank', colTitle: 'step', rows: ['0', '1'], cols: ['1'], cells: [['→0'], ['']], marks: [[0, 0]] as [number, number][] };
  const schedule = {
    check: (plan: unknown) => {
      if (!Array.isArray(plan)) throw new Error('plan.forEach is not a function');
      return plan.length === 1 ? undefined : { property: 'one step', message: `it takes ${plan.length}.`, drawing };
    },
  };
  const one = (over: Partial<InterpretInput> = {}) =>
    input({ definition: { entry: 'f', signature: 'f()', schedule }, cases: [{ name: 'plan', args: [2] }], firstCall: [0], expected: [[1]], ...over });

  test('a plan passes when its check finds nothing, whatever the reference plan', () => {
    const out = interpretRun(one(), run({ outcomes: [value(['another plan'])] }));
    if (out.stopped) throw new Error('stopped');
    expect(out.results[0].status).toBe('pass');
  });

  test('a violated property fails the case with its message and drawing', () => {
    const out = interpretRun(one(), run({ outcomes: [value([1, 2])] }));
    if (out.stopped) throw new Error('stopped');
    expect(out.results[0]).toMatchObject({ status: 'fail', message: 'one step: it takes 2.', plan: drawing });
  });

  test('a plan the check cannot simulate fails with what went wrong', () => {
    const out = interpretRun(one(), run({ outcomes: [value({ steps: 1 })] }));
    if (out.stopped) throw new Error('stopped');
    expect(out.results[0]).toMatchObject({ status: 'fail', message: 'Your plan could not be simulated: plan.forEach is not a function' });
  });
});

test('a drawing is kept as strings within bounds, marks inside the grid', () => {
  const wild = { rowTitle: 'rank', colTitle: 'step', rows: Array.from({ length: 100 }, (_, i) => i), cols: [1, 2], cells: [[7, null], 'x'], marks: [[0, 1], [500, 0], ['a', 1], [1, -1]] };
  const clean = cleanDrawing(wild as never)!;
  expect(clean.rows).toHaveLength(64);
  expect(clean.rows[3]).toBe('3');
  expect(clean.cols).toEqual(['1', '2']);
  expect(clean.cells[0]).toEqual(['7', '']);
  expect(clean.cells[1]).toEqual(['', '']);
  expect(clean.marks).toEqual([[0, 1]]);
  expect(cleanDrawing({ rows: 'no' } as never)).toBeUndefined();
});

describe('interpretRun: stepwise trajectories', () => {
  const steps = [[0, 1], [null, 2], [null, 3], [null, 4]];
  const one = (learner: number[], expected: number[]) => {
    const args = [steps[0], ...learner.slice(0, -1).map((prev, t) => [prev, steps[t + 1][1]])];
    return {
      input: input({ cases: [{ name: 'sum', args: steps[0], steps }], firstCall: [0], expected: [expected[0]], steps: new Map([[0, { args, expected }]]) }),
      run: run({ outcomes: learner.map(value) }),
    };
  };

  test('all steps agree: the case passes', () => {
    const { input: i, run: r } = one([1, 3, 6, 10], [1, 3, 6, 10]);
    const out = interpretRun(i, r);
    if (out.stopped) throw new Error('stopped');
    expect(out.results[0]).toMatchObject({ status: 'pass', input: '0, 1' });
  });

  test('the first step that diverges is named, with the state it was given', () => {
    const { input: i, run: r } = one([1, 3, 7, 11], [1, 3, 6, 11]);
    const out = interpretRun(i, r);
    if (out.stopped) throw new Error('stopped');
    expect(out.results[0]).toMatchObject({ status: 'fail', step: { index: 2, of: 4 }, input: '3, 3' });
    expect(out.results[0].message).toBe('Step 3 of 4 diverges (fed your own step 2 output): Expected 6, got 7 (allowed 1.000e-6).');
    expect(out.graded).toEqual([{ args: [3, 3], expected: 6, got: 7, passed: false }]);
  });

  test('a step that throws is an error on that step', () => {
    const i = one([1, 3, 6, 10], [1, 3, 6, 10]).input;
    const out = interpretRun(i, run({ outcomes: [value(1), { ok: false, error: { name: 'Error', message: 'boom' }, durationMs: 1 }] }));
    if (out.stopped) throw new Error('stopped');
    expect(out.results[0]).toMatchObject({ status: 'error', message: 'Step 2 of 4: Your function threw Error: boom.', step: { index: 1, of: 4 } });
    expect(out.firstError?.message).toBe('Step 2 of 4: Your function threw Error: boom.');
  });
});

describe('interpretRun: properties', () => {
  test('a property is judged on all its calls', () => {
    const holds = (outs: unknown[]) => (outs[0] === outs[1] ? undefined : `${outs[0]} ≠ ${outs[1]}`);
    const i = input({ cases: [{ name: 'one', args: [1] }], firstCall: [0], expected: [10], propertyCases: [{ name: 'same twice', calls: [[1], [1]], holds }] });
    const out = interpretRun(i, run({ outcomes: [value(10), value(10), value(11)] }));
    if (out.stopped) throw new Error('stopped');
    expect(out.results[1]).toMatchObject({ index: 1, name: 'same twice', status: 'fail', message: '10 ≠ 11', input: '1' });
  });
});

describe('interpretRun: the first failing case by name', () => {
  test("only the first case that does not pass carries its arguments, named from the signature, and gives them for the reference's trace", () => {
    const i = input({ definition: { entry: 'f', signature: 'f(x: number): number' } });
    const out = interpretRun(i, run({ outcomes: [value(10), value(21), value(31)] }));
    if (out.stopped) throw new Error('stopped');
    expect(out.results.map((r) => r.args)).toEqual([undefined, [{ name: 'x', value: { kind: 'number', value: 2 } }], undefined]);
    expect(out.results[1].input).toBe('2');
    expect(out.firstFailureArgs).toEqual([2]);
  });

  test('a signature that does not parse names the arguments arg1, arg2…; an error counts as failing', () => {
    const i = input({ definition: { entry: 'f', signature: 'f' }, cases: [{ name: 'one', args: [1, 'a'] }], firstCall: [0], expected: [10] });
    const thrown = { ok: false as const, error: { name: 'Error', message: 'x' }, durationMs: 1 };
    const out = interpretRun(i, run({ outcomes: [thrown] }));
    if (out.stopped) throw new Error('stopped');
    expect(out.results[0].args?.map((a) => a.name)).toEqual(['arg1', 'arg2']);
    expect(out.results[0].args?.[1].value).toEqual({ kind: 'string', head: 'a', tail: '', length: 1 });
  });

  test('every case passing: no arguments shown, nothing to trace', () => {
    const out = interpretRun(input(), run({ outcomes: [value(10), value(20), value(30)] }));
    if (out.stopped) throw new Error('stopped');
    expect(out.results.some((r) => r.args)).toBe(false);
    expect(out.firstFailureArgs).toBeUndefined();
  });

  test('a stepwise case shows the arguments of the step that diverged', () => {
    const steps = [[0, 1], [null, 2], [null, 3]];
    const args = [[0, 1], [1, 2], [3, 3]];
    const i = input({ definition: { entry: 'f', signature: 'f(total: number | null, x: number): number' }, cases: [{ name: 'sum', args: steps[0], steps }], firstCall: [0], expected: [1], steps: new Map([[0, { args, expected: [1, 3, 6] }]]) });
    const out = interpretRun(i, run({ outcomes: [value(1), value(3), value(7)] }));
    if (out.stopped) throw new Error('stopped');
    expect(out.results[0].args).toEqual([
      { name: 'total', value: { kind: 'number', value: 3 } },
      { name: 'x', value: { kind: 'number', value: 3 } },
    ]);
    expect(out.firstFailureArgs).toEqual([3, 3]);
  });

  test('a property check that fails first shows its first call, but has no trace', () => {
    const holds = () => 'differs';
    const i = input({ cases: [{ name: 'one', args: [1] }], firstCall: [0], expected: [10], propertyCases: [{ name: 'p', calls: [[5], [6]], holds }] });
    const out = interpretRun(i, run({ outcomes: [value(10), value(1), value(2)] }));
    if (out.stopped) throw new Error('stopped');
    expect(out.results[1].args).toEqual([{ name: 'x', value: { kind: 'number', value: 5 } }]);
    expect(out.firstFailureArgs).toBeUndefined();
  });
});

describe('previewArgs', () => {
  test('short lists in full; a long list as its first items and its length, so later arguments still show', async () => {
    const { previewArgs } = await import('../../src/core/grading/explain.js');
    expect(previewArgs([[1, 2], 3])).toBe('[1, 2], 3');
    expect(previewArgs([Array.from({ length: 128 }, (_, i) => i), 'next'])).toBe('[0, 1, 2, 3, 4, 5, … 128 in all], "next"');
    expect(previewArgs([new Float32Array(4)])).toBe('Float32Array(4)');
    const vocab = Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`t${i}`, i]));
    expect(previewArgs(['hi', { vocab }])).toBe('"hi", { vocab: { t0: 0, t1: 1, t2: 2, t3: 3, t4: 4, t5: 5, … } }');
  });
});
