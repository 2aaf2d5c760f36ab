import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test, vi } from 'vitest';
import { requestIsolation } from '../../src/sandbox/isolation.js';
import { coldSlot, defaultLimits, startSandboxChild } from '../../src/sandbox/run-child.js';
import { processesNaming, repoRoot } from '../helpers/cli.js';
import { isolations, needsIsolation } from '../helpers/tools.js';

for (const isolation of isolations) describe(`a sandbox child killed as soon as it starts (${isolation})`, needsIsolation(isolation), () => {
  // bubblewrap forks before its sandbox is set up; a fork whose parent is killed at that moment used to
  // wait forever, holding the tutor's pipes (and so the tutor) open. Cold checks do this whenever a file fails to bundle.
  test('leaves no process behind and no pipe open, forty times over', { timeout: 60_000 }, async () => {
    requestIsolation(isolation);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-killed-early-'));
    const children = [];
    for (let i = 0; i < 40; i++) {
      const child = await startSandboxChild(dir, 64, 10);
      // Killed at once, or after a turn or two of the event loop: the moments bubblewrap is still setting up.
      if (i % 3 === 1) await new Promise((resolve) => setImmediate(resolve));
      if (i % 3 === 2) await new Promise((resolve) => setTimeout(resolve, i % 7));
      child.kill();
      children.push(child);
    }
    const deadline = Date.now() + 20_000;
    while ((processesNaming(dir).length > 0 || children.some((c) => c.process.stdio.some((s) => s && !s.destroyed))) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(processesNaming(dir)).toEqual([]);
    expect(children.filter((c) => c.process.stdio.some((s) => s && !s.destroyed))).toHaveLength(0);
    requestIsolation('auto');
  });
});

describe('after a run', () => {
  // A cold check ends when its event loop is empty: nothing of a finished child may keep it waiting.
  // Measured in a process of its own, where nothing else holds the loop (vitest does).
  test('nothing of the finished child keeps the event loop alive', { timeout: 30_000 }, async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-after-run-'));
    const script = path.join(dir, 'probe.mjs');
    writeFileSync(
      script,
      `import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
const dist = (p) => ${JSON.stringify(path.join(repoRoot, 'dist'))} + '/' + p;
console.log('start');
const baseline = process.getActiveResourcesInfo().sort().join();
const { bundleLearnerFile } = await import(dist('sandbox/bundle.js'));
const { runInSandbox, bundleFileName } = await import(dist('sandbox/run-child.js'));
const dir = ${JSON.stringify(dir)};
mkdirSync(path.join(dir, 'exercises'));
mkdirSync(path.join(dir, 'run'));
writeFileSync(path.join(dir, 'exercises', 'f.ts'), 'export function f(): number {\\n  return 1;\\n}\\n');
await bundleLearnerFile(path.join(dir, 'exercises', 'f.ts'), path.join(dir, 'exercises'), path.join(dir, 'run', bundleFileName));
const run = await runInSandbox(path.join(dir, 'run'), 'f', [[]]);
// Wait for the child's pipes to see their end (they close right after it exits), then look.
const deadline = Date.now() + 5000;
const pipes = () => process.getActiveResourcesInfo().filter((k) => k === 'PipeWrap' || k === 'ProcessWrap').length;
const basePipes = baseline.split(',').filter((k) => k === 'PipeWrap' || k === 'ProcessWrap').length;
while (pipes() > basePipes && Date.now() < deadline) await new Promise((r) => setImmediate(r));
console.log(JSON.stringify({ value: run.outcomes[0]?.value, baseline, keeping: process.getActiveResourcesInfo().sort().join() }));
`,
    );
    const out = execFileSync(process.execPath, [script], { encoding: 'utf8', env: { ...process.env, CI: '' } });
    const { value, baseline, keeping } = JSON.parse(out.trim().split('\n').pop()!);
    expect(value).toBe(1);
    // Only what the script itself holds (its stdout and stderr pipes), as before the run: no timer, no pipe of the child's.
    const lasting = (list: string) => list.split(',').filter((kind) => kind !== 'CloseReq');
    expect(lasting(keeping)).toEqual(lasting(baseline));
  });
});

describe('a cancelled run', () => {
  test('kills the child at once, and comes back as aborted (neither a crash nor a time-out)', { timeout: 30_000 }, async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-cancelled-'));
    const file = path.join(dir, 'exercises', 'f.ts');
    mkdirSync(path.dirname(file));
    writeFileSync(file, 'export function f(): number {\n  while (true) {}\n}\n');
    // The child's folder is made under TMPDIR: this test's own tells its processes from any other.
    const tmpdir = process.env.TMPDIR;
    process.env.TMPDIR = dir;
    try {
      const slot = await coldSlot(20_000);
      expect((await slot.bundle(file, path.dirname(file), 20_000)).ok).toBe(true);
      const cancel = new AbortController();
      const started = performance.now();
      const running = slot.run('f', [[]], { ...defaultLimits, timeoutMs: 20_000 }, cancel.signal);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(processesNaming(dir).length).toBeGreaterThan(0);
      cancel.abort();
      const run = await running;
      expect(performance.now() - started).toBeLessThan(15_000);
      expect(run).toMatchObject({ aborted: true, outcomes: [undefined] });
      expect(run.timedOut).toBeUndefined();
      expect(run.crashed).toBeUndefined();
      await vi.waitFor(() => expect(processesNaming(dir)).toEqual([]), { timeout: 5000, interval: 50 });
      await slot.dispose();
    } finally {
      if (tmpdir === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = tmpdir;
    }
  });
});
