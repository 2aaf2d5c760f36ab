import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { deserialize } from 'node:v8';
import { afterAll, describe, expect, test, vi } from 'vitest';
import { deepFreeze } from '../../src/core/grading/grade.js';
import { bundleFileName, defaultLimits, RunClock, RunRecorder, runInSandbox, runMessage, startLimitMs, startSandboxChild, type SandboxLimits, type SandboxRun } from '../../src/sandbox/run-child.js';
import { MARKER, readChildMessage } from '../../src/sandbox/wire.js';
import { bundledRunDir } from '../helpers/sandbox-runs.js';

// The messages between the tutor and a sandbox child, where they are shaped for speed: the calls of one property check
// (`together`) come back in a few messages, not one per call, and a time-out or crash during any of them is still put
// down to that check; the time limit counts from when the child is up; a frozen list of cases is serialised once.
// Real sandbox children (dist/ must be built).
const root = mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-child-messages-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const bundled = (source: string) => bundledRunDir(root, source);

async function run(source: string, cases: unknown[][], extra: Partial<SandboxLimits> = {}): Promise<SandboxRun> {
  return runInSandbox(await bundled(source), 'f', cases, { ...defaultLimits, timeoutMs: 10_000, ...extra });
}

/** The messages a child sends for one run of `cases`, counted by type. */
async function messagesOf(source: string, cases: unknown[][], extra: Partial<SandboxLimits>): Promise<Record<string, number>> {
  const runDir = await bundled(source);
  const child = await startSandboxChild(runDir, defaultLimits.memoryMb, 30);
  const counts: Record<string, number> = {};
  try {
    await new Promise<void>((resolve, reject) => {
      child.listen((message) => {
        counts[message.type] = (counts[message.type] ?? 0) + 1;
        if (message.type === 'loaded') child.send(runMessage('main', 'f', cases, { ...defaultLimits, ...extra }));
        if (message.type === 'done') resolve();
      }, reject);
      child.send({ type: 'load', url: pathToFileURL(path.join(runDir, bundleFileName)).href });
    });
  } finally {
    child.kill();
  }
  return counts;
}

/** Ten calls of no group, then a group of 3000 calls (a distribution check's), then five more of none. */
const calls = Array.from({ length: 3015 }, (_, i) => [i]);
const together: [number, number][] = [[10, 3010]];

/** The first call without an outcome: where the tutor's reading of a run takes it to have stopped. */
const firstMissing = (r: SandboxRun) => r.outcomes.findIndex((o) => o === undefined);

describe('results sent together', () => {
  test('a group of 3000 small results comes in a few messages; calls of no group still come one by one', async () => {
    const counts = await messagesOf(`export function f(i: number): number {\n  return i;\n}\n`, calls, { together });
    // 15 calls of no group: a start and a result each. The group: announced once, its results in messages of at most 512.
    expect(counts['case-result']).toBe(15);
    expect(counts['case-start']).toBeLessThanOrEqual(15 + 6);
    expect(counts['case-results']).toBeGreaterThanOrEqual(6);
    expect(counts['case-results']).toBeLessThanOrEqual(7);
    const alone = await messagesOf(`export function f(i: number): number {\n  return i;\n}\n`, calls, {});
    expect(alone).toMatchObject({ 'case-start': calls.length, 'case-result': calls.length });
    expect(alone['case-results']).toBeUndefined();
  });

  test('every call of a group has its own result, in order, a throw among them included', async () => {
    const r = await run(`export function f(i: number): number {\n  if (i === 1234) throw new Error('no 1234');\n  return i * 2;\n}\n`, calls, { together });
    expect(r.timedOut).toBeUndefined();
    expect(r.crashed).toBeUndefined();
    expect(r.outcomes).toHaveLength(calls.length);
    r.outcomes.forEach((o, i) => {
      if (i === 1234) expect(o).toMatchObject({ ok: false, error: { message: 'no 1234' } });
      else expect(o).toMatchObject({ ok: true, value: i * 2 });
    });
  });

  test('results of many elements are sent in several messages and all arrive', async () => {
    // 3000 results of 1000 numbers: past what one message holds back (about 256 K elements).
    const r = await run(`export function f(i: number): number[] {\n  return Array.from({ length: 1000 }, (_, k) => i + k);\n}\n`, calls, { together });
    expect(r.outcomes.every((o, i) => o?.ok && Array.isArray(o.value) && o.value.length === 1000 && o.value[999] === i + 999)).toBe(true);
  });

  test('a call that never returns in the middle of a group: the time-out is on a call of that group, where the results stop', async () => {
    const r = await run(`export function f(i: number): number {\n  if (i === 2500) for (;;);\n  return i;\n}\n`, calls, { together, timeoutMs: 3000 });
    expect(r.timedOut).toBeDefined();
    const at = r.timedOut!.caseIndex!;
    expect(at).toBeGreaterThanOrEqual(10);
    expect(at).toBeLessThanOrEqual(2500);
    // The tutor reads the run as stopped at the announced call: every call before it has its result, it has none.
    expect(firstMissing(r)).toBe(at);
    expect(r.outcomes.slice(2500).every((o) => o === undefined)).toBe(true);
  });

  test('a crash in the middle of a group is put down to a call of that group in the same way', async () => {
    const r = await run(`export function f(i: number): number {\n  if (i === 700) process.exit(3);\n  return i;\n}\n`, calls, { together });
    expect(r.crashed).toMatchObject({ code: 3 });
    const at = r.crashed!.caseIndex!;
    expect(at).toBeGreaterThanOrEqual(10);
    expect(at).toBeLessThanOrEqual(700);
    expect(firstMissing(r)).toBe(at);
  });

  test('outside any group nothing changes: a hang is on its own call', async () => {
    const r = await run(`export function f(i: number): number {\n  if (i === 3012) for (;;);\n  return i;\n}\n`, calls, { together, timeoutMs: 3000 });
    expect(r.timedOut?.caseIndex).toBe(3012);
    expect(firstMissing(r)).toBe(3012);
  });
});

describe('reading a message of results', () => {
  const result = (value: unknown) => ({ ok: true, value, durationMs: 1 });

  test('each entry is read as a case-result is, errors included', () => {
    expect(readChildMessage({ type: 'case-results', from: 4, results: [result(1), { ok: false, error: { name: 'TypeError', message: 'x' }, durationMs: -1 }] })).toEqual({
      type: 'case-results',
      from: 4,
      results: [
        { ok: true, value: 1, mutated: undefined, durationMs: 1 },
        { ok: false, error: { name: 'TypeError', message: 'x' }, durationMs: 0 },
      ],
    });
  });

  test('a malformed one is no message at all', () => {
    expect(readChildMessage({ type: 'case-results', from: -1, results: [] })).toBeUndefined();
    expect(readChildMessage({ type: 'case-results', from: 0, results: { length: 1, 0: result(1) } })).toBeUndefined();
    expect(readChildMessage({ type: 'case-results', from: 0, results: [result(1), null] })).toBeUndefined();
    expect(readChildMessage({ type: 'case-results', from: 0, results: new Array(70_000).fill(result(1)) })).toBeUndefined();
  });

  test('its values share one budget: past it, a value is named as too large', () => {
    const big = new Array(5_000_000).fill(0);
    const read = readChildMessage({ type: 'case-results', from: 0, results: [result(big), result(big)] });
    expect(read?.type).toBe('case-results');
    const [first, second] = (read as { results: { ok: true; value: unknown }[] }).results;
    expect(first.value).toHaveLength(5_000_000);
    expect(second.value).toMatchObject({ [MARKER]: 'too-large' });
  });

  test('the recorder keeps each first result, ignores ones out of range, and forgets the announced call once it has its result', () => {
    const recorder = new RunRecorder(5);
    recorder.take({ type: 'case-start', index: 1 });
    recorder.take({ type: 'case-results', from: 1, results: [{ ok: true, value: 'a', durationMs: 0 }] });
    recorder.take({ type: 'case-start', index: 2 });
    recorder.take({ type: 'case-results', from: 3, results: [{ ok: true, value: 'c', durationMs: 0 }, { ok: true, value: 'd', durationMs: 0 }, { ok: true, value: 'out', durationMs: 0 }] });
    recorder.take({ type: 'case-results', from: 1, results: [{ ok: true, value: 'again', durationMs: 0 }] });
    recorder.timeOut();
    // Call 2 was announced and its result never came: the run stopped there.
    expect(recorder.run.timedOut).toEqual({ caseIndex: 2 });
    expect(recorder.run.outcomes.map((o) => (o?.ok ? o.value : o))).toEqual([undefined, 'a', undefined, 'c', 'd']);
  });
});

describe('the time limit counts from when the child is up', () => {
  test('the harness says it is up before anything else, and before any learner code runs', async () => {
    const runDir = await bundled(`console.log('top level');\nexport function f(): number {\n  return 1;\n}\n`);
    const child = await startSandboxChild(runDir, defaultLimits.memoryMb, 30);
    const seen: string[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        child.listen((message) => {
          seen.push(message.type);
          if (message.type === 'up') child.send({ type: 'load', url: pathToFileURL(path.join(runDir, bundleFileName)).href });
          if (message.type === 'loaded') child.send(runMessage('main', 'f', [[]], defaultLimits));
          if (message.type === 'done') resolve();
        }, reject);
      });
    } finally {
      child.kill();
    }
    expect(seen).toEqual(['up', 'loaded', 'ready', 'case-start', 'case-result', 'done']);
  });

  test('before the child is up only the start limit runs; once up, the run limit starts, once', () => {
    vi.useFakeTimers();
    try {
      const recorder = new RunRecorder(1);
      const kill = vi.fn();
      const clock = new RunClock(1000, recorder, kill);
      vi.advanceTimersByTime(startLimitMs - 1);
      expect(kill).not.toHaveBeenCalled();
      clock.start();
      vi.advanceTimersByTime(999);
      clock.start();
      expect(kill).not.toHaveBeenCalled();
      vi.advanceTimersByTime(1);
      expect(kill).toHaveBeenCalledTimes(1);
      expect(recorder.run.timedOut).toEqual({ caseIndex: undefined });
    } finally {
      vi.useRealTimers();
    }
  });

  test('a child that never comes up is reported as not started, neither a time-out of the learner\'s code nor a crash', () => {
    vi.useFakeTimers();
    try {
      const recorder = new RunRecorder(1);
      const kill = vi.fn(() => recorder.crash(null, 'SIGKILL', ''));
      new RunClock(1000, recorder, kill);
      vi.advanceTimersByTime(startLimitMs);
      expect(kill).toHaveBeenCalledTimes(1);
      expect(recorder.run.timedOut).toBeUndefined();
      expect(recorder.run.crashed).toBeUndefined();
      expect(recorder.run.loadError?.message).toMatch(/^the sandbox did not start within 30 s/);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('a frozen list of cases is serialised once', () => {
  test('every run message of it carries the same bytes; an unfrozen list goes as it is', () => {
    const frozen = deepFreeze([[1, [2, 3]], [new Float32Array([0.5, 1.5])]]) as unknown[][];
    const first = runMessage('main', 'f', frozen, defaultLimits);
    const second = runMessage('other', 'g', frozen, { ...defaultLimits, readOnlyInputs: true });
    expect(first.cases).toEqual([]);
    expect(first.casesBytes).toBeInstanceOf(Uint8Array);
    expect(second.casesBytes).toBe(first.casesBytes);
    expect(first.live).toEqual([false, true]);
    expect(deserialize(first.casesBytes!)).toEqual([[1, [2, 3]], [new Float32Array([0.5, 1.5])]]);
    const loose = [[1]];
    const inline = runMessage('main', 'f', loose, defaultLimits);
    expect(inline.casesBytes).toBeUndefined();
    expect(inline.cases).toBe(loose);
  });

  test('a child runs cases sent as bytes as it runs them inline, typed arrays and a group included', async () => {
    const source = `export function f(x: unknown): string {\n  return Object.prototype.toString.call(x) + JSON.stringify(Array.from(x as ArrayLike<number>));\n}\n`;
    const cases = [[[1, 2]], [new Float64Array([3, 4])], [[5]], [[6]]];
    const limits = { together: [[2, 4]] as [number, number][] };
    const inline = await run(source, cases, limits);
    const bytes = await run(source, deepFreeze(cases.map((c) => [...c])) as unknown[][], limits);
    expect(inline.outcomes.map((o) => (o?.ok ? o.value : o))).toEqual(['[object Array][1,2]', '[object Float64Array][3,4]', '[object Array][5]', '[object Array][6]']);
    expect(bytes.outcomes).toEqual(inline.outcomes.map((o) => ({ ...o, durationMs: expect.any(Number) })));
  });
});
