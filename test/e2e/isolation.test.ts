import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { bin, learnerFile, makeWorkspace, processesNaming, repoRoot, runCli, tempDir } from '../helpers/cli.js';
import { bwrapWorks, isolations, needs, needsIsolation } from '../helpers/tools.js';

const loop = `export function softmax(x: number[]): number[] {\n  for (;;) {}\n}\n`;
const honest = path.join(repoRoot, 'exercises', 'transformer-core', 'foundations', 'softmax', 'solution.ts');

let classDir: string;

beforeAll(async () => {
  const ws = await makeWorkspace();
  classDir = path.join(tempDir(), 'class');
  await fs.mkdir(classDir);
  await fs.cp(ws, path.join(classDir, 'honest'), { recursive: true });
  await fs.copyFile(honest, learnerFile(path.join(classDir, 'honest'), 'foundations/softmax'));
  await fs.cp(ws, path.join(classDir, 'spinner'), { recursive: true });
  await fs.writeFile(learnerFile(path.join(classDir, 'spinner'), 'foundations/softmax'), loop);
});

async function waitFor<T>(what: string, probe: () => T | undefined, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Starts the CLI with its own TMPDIR (so its sandbox children can be found by
 * their command lines), waits until a child is running the spinning file,
 * sends `signal` to the CLI's pid alone and returns how it ended and which
 * of its children were still alive a moment later.
 */
async function stopWhileSpinning(args: string[], signal: NodeJS.Signals, isolation: string) {
  const tmp = tempDir('llm-tutor-orphans-');
  const child = spawn(process.execPath, [bin, ...args, '--isolation', isolation], {
    env: { ...process.env, CI: '', NO_COLOR: '1', TMPDIR: tmp },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, sig) => resolve({ code, signal: sig })));
  // The harness runs from the run's folder: once it shows up, learner code is about to spin.
  await waitFor('a sandbox child', () => (processesNaming(tmp).some((p) => p.includes('harness.mjs')) ? true : undefined));
  await new Promise((resolve) => setTimeout(resolve, 300));
  child.kill(signal);
  const end = await exited;
  // Give the kernel a moment to deliver parent-death signals, then look.
  let left: string[] = [];
  const deadline = Date.now() + 5000;
  do {
    await new Promise((resolve) => setTimeout(resolve, 100));
    left = processesNaming(tmp);
  } while (left.length > 0 && Date.now() < deadline);
  await fs.rm(tmp, { recursive: true, force: true });
  return { end, left, stderr };
}

const expectedEnd = { SIGTERM: { code: 143, signal: null }, SIGINT: { code: 130, signal: null }, SIGHUP: { code: 129, signal: null }, SIGKILL: { code: null, signal: 'SIGKILL' } };

for (const isolation of isolations) describe(`no sandbox child outlives the tutor (${isolation})`, needsIsolation(isolation), () => {
  test.each(['SIGTERM', 'SIGINT', 'SIGKILL'] as const)('grade stopped by %s to its pid alone', { timeout: 90_000 }, async (signal) => {
    const { end, left, stderr } = await stopWhileSpinning(['grade', classDir, '--only', 'foundations/softmax', '--timeout', '60000', '--jobs', '2'], signal, isolation);
    expect(end, stderr).toEqual(expectedEnd[signal]);
    expect(left).toEqual([]);
  });

  test('check stopped by SIGTERM', { timeout: 90_000 }, async () => {
    const { end, left } = await stopWhileSpinning(['check', 'softmax', '--workspace', path.join(classDir, 'spinner'), '--timeout', '60000'], 'SIGTERM', isolation);
    expect(end).toEqual(expectedEnd.SIGTERM);
    expect(left).toEqual([]);
  });
});

for (const isolation of isolations) describe(`no network from learner code (${isolation})`, needsIsolation(isolation), () => {
  test('a TCP connection to a server on this machine never arrives', { timeout: 60_000 }, async () => {
    let connections = 0;
    const server = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const ws = path.join(tempDir(), 'ws');
    await fs.cp(path.join(classDir, 'honest'), ws, { recursive: true });
    await fs.writeFile(
      learnerFile(ws, 'foundations/softmax'),
      `import net from 'node:net';\nexport function softmax(x: number[]): number[] {\n  net.connect(${port}, '127.0.0.1').on('error', () => {});\n  return x;\n}\n`,
    );
    const r = await runCli(['check', 'softmax', '--workspace', ws, '--json', '--isolation', isolation]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    server.close();
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).summary).toMatch(/threw Error: net\.connect is not available in the sandbox/);
    expect(connections).toBe(0);
  });
});

describe('choosing the isolation', () => {
  test('in CI, grade refuses to run without bubblewrap unless told to, with one line saying how to install it', { timeout: 60_000 }, async () => {
    const env = { CI: 'true', LLM_TUTOR_BWRAP: '/bin/false' };
    const refused = await runCli(['grade', path.join(classDir, 'honest'), '--only', 'foundations/softmax'], { env });
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    const lines = refused.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^llm-tutor: grade in CI runs learner code only inside the OS sandbox, and bwrap is installed but cannot make a sandbox here \(exit 1\)/);
    expect(lines[1]).toMatch(/^Install bubblewrap \(Debian\/Ubuntu: `apt-get install bubblewrap`.*\), or pass --isolation permission/);
    const allowed = await runCli(['grade', path.join(classDir, 'honest'), '--only', 'foundations/softmax', '--isolation', 'permission', '--reporter', 'json'], { env });
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(JSON.parse(allowed.stdout).isolation).toBe('permission');
  });

  test('--isolation bwrap where bubblewrap does not work is a usage error, for check too', async () => {
    const r = await runCli(['check', 'softmax', '--workspace', path.join(classDir, 'honest'), '--isolation', 'bwrap'], { env: { LLM_TUTOR_BWRAP: '/bin/false' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^llm-tutor: --isolation bwrap was asked for, but bwrap is installed but cannot make a sandbox here/);
  });

  test('grade uses bubblewrap when it works, says so in its results, and doctor says why', { ...needs('bubblewrap'), timeout: 60_000 }, async () => {
    const r = await runCli(['grade', path.join(classDir, 'honest'), '--only', 'foundations/softmax', '--reporter', 'json'], { env: { CI: 'true' } });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).isolation).toBe('bwrap');
    const doctor = await runCli(['doctor']);
    expect(doctor.stdout).toMatch(/✓ isolation +bwrap \(OS sandbox.*: bubblewrap works on this machine/);
    expect(doctor.stdout).toMatch(/✓ sandbox +a probe ran inside bubblewrap with file writes and signals to other processes blocked/);
  });

  test('without bubblewrap, doctor says which layer is in use and why', async () => {
    const doctor = await runCli(['doctor'], { env: { LLM_TUTOR_BWRAP: '/bin/false' } });
    expect(doctor.stdout).toMatch(/! isolation +permission \(Node's permission model only; .*\): bubblewrap is not used: bwrap is installed but cannot make a sandbox here/);
    expect(doctor.stdout).toMatch(/✓ sandbox +a probe ran with file writes and signals to other processes blocked/);
  });

  test.runIf(process.env.CI === 'true')('CI has bubblewrap, so the OS-isolated path is the one tested', () => {
    expect(bwrapWorks).toBe(true);
  });
});
