import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { repoRoot, tempDir } from '../helpers/cli.js';

// The bubblewrap probe (a process start before every command's first sandbox child) is remembered in the
// cache folder once it worked: a fake bwrap that logs each call shows when it runs.
const isolationModule = path.join(repoRoot, 'dist', 'sandbox', 'isolation.js');

/** A fake bwrap that logs each call, then prints Node's version as the real probe sandbox would (or fails). */
async function fakeBwrap(dir: string, works: boolean): Promise<{ bwrap: string; calls: () => Promise<number> }> {
  const log = path.join(dir, 'calls.log');
  const bwrap = path.join(dir, 'bwrap');
  await fs.writeFile(bwrap, `#!/bin/sh\necho call >> '${log}'\n${works ? `echo ${process.version}` : 'echo "bwrap: no permission" >&2; exit 1'}\n`, { mode: 0o755 });
  const calls = async () => (await fs.readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean).length;
  return { bwrap, calls };
}

/** One process choosing its isolation (as a command does before its first child): the mode it chose. */
async function choose(bwrap: string, cache: string, fresh = false): Promise<string> {
  const script = `const { currentIsolation } = await import(${JSON.stringify(isolationModule)}); console.log((await currentIsolation({ fresh: ${fresh} })).mode);`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, LLM_TUTOR_BWRAP: bwrap, LLM_TUTOR_CACHE_DIR: cache } });
  return stdout.trim();
}

describe.runIf(process.platform === 'linux')('the bubblewrap probe is remembered once it worked', () => {
  test('a later command skips it; doctor (fresh), a day later, or another bwrap runs it again', async () => {
    const dir = tempDir('llm-tutor-probe-');
    const cache = path.join(dir, 'cache');
    const { bwrap, calls } = await fakeBwrap(dir, true);
    expect(await choose(bwrap, cache)).toBe('bwrap');
    expect(await calls()).toBe(1);
    const record = path.join(cache, 'bwrap-probe.json');
    expect(JSON.parse(await fs.readFile(record, 'utf8')).workedAt).toBeGreaterThan(0);
    // The next command trusts it.
    expect(await choose(bwrap, cache)).toBe('bwrap');
    expect(await calls()).toBe(1);
    // doctor asks for a fresh probe.
    expect(await choose(bwrap, cache, true)).toBe('bwrap');
    expect(await calls()).toBe(2);
    // More than a day old: probed again.
    const old = JSON.parse(await fs.readFile(record, 'utf8'));
    await fs.writeFile(record, JSON.stringify({ ...old, workedAt: Date.now() - 25 * 60 * 60 * 1000 }));
    expect(await choose(bwrap, cache)).toBe('bwrap');
    expect(await calls()).toBe(3);
    // bwrap replaced by another program (here: one that fails): the record no longer applies, and failure is not remembered.
    await fs.rm(bwrap);
    const failing = await fakeBwrap(dir, false);
    expect(await choose(failing.bwrap, cache)).toBe('permission');
    expect(await choose(failing.bwrap, cache)).toBe('permission');
    expect(await failing.calls()).toBe(5);
  });

  test('a damaged record is read as none, and a cache folder that cannot be written is no error', async () => {
    const dir = tempDir('llm-tutor-probe-');
    const { bwrap, calls } = await fakeBwrap(dir, true);
    const cache = path.join(dir, 'cache');
    await fs.mkdir(cache);
    await fs.writeFile(path.join(cache, 'bwrap-probe.json'), '{"key": ');
    expect(await choose(bwrap, cache)).toBe('bwrap');
    expect(await calls()).toBe(1);
    // A file where the cache folder should be: nothing is remembered, each command probes.
    const blocked = path.join(dir, 'not-a-folder');
    await fs.writeFile(blocked, '');
    expect(await choose(bwrap, blocked)).toBe('bwrap');
    expect(await choose(bwrap, blocked)).toBe('bwrap');
    expect(await calls()).toBe(3);
  });
});
