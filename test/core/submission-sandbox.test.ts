import { mkdtempSync, promises as fs, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { defaultLimits, type SandboxRun } from '../../src/sandbox/run-child.js';
import { SubmissionSandbox } from '../../src/sandbox/submission-sandbox.js';

// One submission's files run in turn in one child; anything a file leaves behind gets the next file a fresh process.
const root = mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-submission-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let folders = 0;
/** Writes the files into a fresh folder and runs `f(3)` from each, in order, in one SubmissionSandbox. */
async function runAll(files: Record<string, string>, limits = { ...defaultLimits, timeoutMs: 3000 }): Promise<Record<string, SandboxRun & { bundleError?: string }>> {
  const dir = path.join(root, `s${folders++}`);
  await fs.mkdir(dir);
  const paths = Object.keys(files).map((name) => path.join(dir, `${name}.ts`));
  await Promise.all(Object.entries(files).map(([name, source]) => fs.writeFile(path.join(dir, `${name}.ts`), source)));
  const sandbox = await SubmissionSandbox.open(paths, dir);
  const out: Record<string, SandboxRun & { bundleError?: string }> = {};
  try {
    for (const file of paths) {
      const slot = await sandbox.acquire();
      const bundle = await slot.bundle(file, dir);
      const name = path.basename(file, '.ts');
      if (!bundle.ok) {
        out[name] = { outcomes: [], asyncErrors: [], stdout: '', stderr: '', droppedBytes: 0, durationMs: 0, bundleError: bundle.problem.message };
      } else {
        out[name] = await slot.run('f', [[3]], limits);
      }
      await slot.dispose();
    }
  } finally {
    await sandbox.close();
  }
  return out;
}

const valueOf = (run: SandboxRun) => (run.outcomes[0]?.ok ? run.outcomes[0].value : run.outcomes[0]);
/** A learner file that prints an id of the process it runs in (its time origin: inside bubblewrap every child is pid 2) and returns 2x. */
const honest = (label: string) => `console.log('${label} proc ' + performance.timeOrigin);\nexport function f(x: number) { return 2 * x; }\n`;
const pidOf = (run: SandboxRun, label: string) => new RegExp(`${label} proc ([\\d.]+)`).exec(run.stdout)?.[1];

describe('SubmissionSandbox', () => {
  test('clean files share one process, and each run gets exactly its own output', async () => {
    const runs = await runAll({
      a: `process.stdout.write('no newline from a');\nexport function f(x: number) { console.error('err a'); return x + 1; }\n`,
      b: honest('b'),
      c: honest('c'),
    });
    expect(valueOf(runs.a)).toBe(4);
    expect(runs.a.stdout).toBe('no newline from a');
    expect(runs.a.stderr).toBe('err a\n');
    expect(valueOf(runs.b)).toBe(6);
    expect(runs.b.stdout).toMatch(/^b proc [\d.]+\n$/);
    expect(runs.b.stderr).toBe('');
    expect(pidOf(runs.b, 'b')).toBe(pidOf(runs.c, 'c'));
  });

  test.each([
    ['patches a built-in', `Array.prototype.map = function () { return [42]; } as never;\nexport function f(x: number) { return x; }\n`],
    ['adds a global', `(globalThis as Record<string, unknown>).leaked = 1;\nexport function f(x: number) { return x; }\n`],
    ['leaves a timer that would end the process', `setTimeout(() => process.exit(0), 300);\nexport function f(x: number) { return x; }\n`],
    ['leaves an interval running', `setInterval(() => {}, 1000);\nexport function f(x: number) { return x; }\n`],
    ['listens to the channel', `process.on('message', () => {});\nexport function f(x: number) { return x; }\n`],
    ['freezes a prototype', `Object.freeze(Object.prototype);\nexport function f(x: number) { return x; }\n`],
  ])('a file that %s sends the next file to a fresh process', async (_, source) => {
    const runs = await runAll({ a: `${honest('a')}\n`.replace('export function f(x: number) { return 2 * x; }\n', source), b: honest('b'), c: honest('c') });
    expect(valueOf(runs.b)).toBe(6);
    expect(pidOf(runs.a, 'a')).toBeDefined();
    expect(pidOf(runs.b, 'b')).not.toBe(pidOf(runs.a, 'a'));
    // The fresh process is clean, so the file after it shares it.
    expect(pidOf(runs.c, 'c')).toBe(pidOf(runs.b, 'b'));
  });

  test('using a lazily defined global such as TextEncoder does not cost a fresh process', async () => {
    const runs = await runAll({ a: `console.log('a proc ' + performance.timeOrigin);\nexport function f(x: number) { return new TextEncoder().encode('ab'.repeat(x)).length; }\n`, b: honest('b') });
    expect(valueOf(runs.a)).toBe(6);
    expect(pidOf(runs.b, 'b')).toBe(pidOf(runs.a, 'a'));
  });

  test('a crash after other files ran is run again alone, so it is the crashing file that is reported', async () => {
    const runs = await runAll({ a: honest('a'), b: `export function f(x: number) { process.exit(3); }\n`, c: honest('c') });
    expect(runs.b.crashed).toMatchObject({ code: 3, caseIndex: 0 });
    expect(valueOf(runs.c)).toBe(6);
  });

  test('a file that hangs times out on its own limit and the next file still runs', async () => {
    const runs = await runAll({ a: honest('a'), b: `export function f(x: number) { for (;;) {} }\n`, c: honest('c') }, { ...defaultLimits, timeoutMs: 1500 });
    expect(runs.b.timedOut).toEqual({ caseIndex: 0 });
    expect(valueOf(runs.c)).toBe(6);
    expect(pidOf(runs.c, 'c')).not.toBe(pidOf(runs.a, 'a'));
  });

  test('a file that hangs after other files ran is not run again: its time-out costs its limit once', async () => {
    const hangs = `export function f(x: number) { console.log('b proc ' + performance.timeOrigin); for (;;) {} }\n`;
    const runs = await runAll({ a: honest('a'), b: hangs }, { ...defaultLimits, timeoutMs: 1500 });
    expect(runs.b.timedOut).toEqual({ caseIndex: 0 });
    // The verdict is from the run in the shared process, where it started: no second run in a fresh one.
    expect(pidOf(runs.b, 'b')).toBe(pidOf(runs.a, 'a'));
  });

  test('a file that does not compile gets its own bundle error; the others still share a process', async () => {
    const runs = await runAll({ a: honest('a'), b: `export function f(x: number) { return x +; }\n`, c: honest('c') });
    expect(runs.b.bundleError).toMatch(/Unexpected/);
    expect(valueOf(runs.a)).toBe(6);
    expect(pidOf(runs.c, 'c')).toBe(pidOf(runs.a, 'a'));
  });

  test('a file that throws while loading gets a load error; the next file runs in a fresh process', async () => {
    const runs = await runAll({ a: `throw new Error('top-level boom');\nexport function f(x: number) { return x; }\n`, b: honest('b') });
    expect(runs.a.loadError?.message).toBe('top-level boom');
    expect(valueOf(runs.b)).toBe(6);
  });

  test('an error thrown later by a promise is reported with the run that caused it', async () => {
    const runs = await runAll({
      a: `console.log('a proc ' + performance.timeOrigin);\nexport function f(x: number) { Promise.resolve().then(() => { throw new Error('later'); }); return x; }\n`,
      b: honest('b'),
    });
    expect(valueOf(runs.a)).toBe(3);
    expect(runs.a.asyncErrors.map((e) => e.message)).toContain('later');
    expect(valueOf(runs.b)).toBe(6);
  });
});
