import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { requestIsolation } from '../../src/sandbox/isolation.js';
import { startSandboxChild } from '../../src/sandbox/run-child.js';
import { bwrapWorks, processesNaming } from '../helpers/cli.js';

const isolations = bwrapWorks ? (['bwrap', 'permission'] as const) : (['permission'] as const);

describe.each(isolations)('a sandbox child killed as soon as it starts (%s)', (isolation) => {
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
