import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, promises as fs, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { launchCommand } from '../../src/sandbox/isolation.js';
import { needs } from '../helpers/tools.js';

// The second layer on its own: bubblewrap with Node's permission model switched off, as if a learner
// had found a way around it. What it must still stop is tried here by a plain script, not the harness.
let tcp: Server;
let unix: Server;
let port = 0;
let connections = 0;
let dir: string;
const secret = path.join(os.tmpdir(), `llm-tutor-os-layer-secret-${process.pid}`);
const socketPath = path.join(os.tmpdir(), `llm-tutor-os-layer-${process.pid}.sock`);

beforeAll(async () => {
  await fs.writeFile(secret, 'the grader machine holds this');
  const count = (socket: import('node:net').Socket) => {
    connections++;
    socket.destroy();
  };
  tcp = createServer(count);
  unix = createServer(count);
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => unix.listen(socketPath, resolve));
  port = (tcp.address() as { port: number }).port;
  dir = mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-os-layer-'));
});

afterAll(async () => {
  tcp.close();
  unix.close();
  await fs.rm(secret, { force: true });
  await fs.rm(dir, { recursive: true, force: true });
});

const script = (port: number) => `
const net = require('node:net');
const fs = require('node:fs');
const results = {};
const attempt = (name, fn) => { try { results[name] = fn(); } catch (e) { results[name] = e.code || e.message; } };
attempt('read', () => fs.readFileSync(${JSON.stringify(secret)}, 'utf8'));
attempt('write', () => { fs.writeFileSync('/tmp/written-in-sandbox', 'x'); return 'written'; });
attempt('signal', () => { process.kill(${process.pid}, 0); return 'signalled'; });
attempt('pid', () => process.pid);
attempt('env', () => Object.keys(process.env).join(','));
const tryConnect = (name, ...args) => new Promise((resolve) => {
  const s = net.connect(...args);
  s.on('connect', () => { results[name] = 'connected'; s.destroy(); resolve(); });
  s.on('error', (e) => { results[name] = e.code; resolve(); });
});
Promise.all([tryConnect('tcp', ${port}, '127.0.0.1'), tryConnect('unix', ${JSON.stringify(socketPath)})]).then(() => {
  console.log(JSON.stringify(results));
});
`;

async function runScript(source: string, withLimits = true): Promise<{ stdout: string; stderr: string; code: number | null; signal: string | null }> {
  const file = path.join(dir, 'probe.cjs');
  await fs.writeFile(file, source);
  const launch = launchCommand('bwrap', { runDir: dir, script: file, memoryMb: 128, cpuSeconds: 10 });
  // The permission model off: everything below is bubblewrap's doing (and the limits').
  let args = launch.args.filter((a) => a !== '--experimental-permission' && !a.startsWith('--allow-fs-read='));
  if (!withLimits) args = args.filter((a) => !/^--(cpu|as|fsize|core|nproc)=/.test(a));
  return new Promise((resolve) => {
    const child = spawn(launch.command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: {} });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code, signal) => resolve({ stdout, stderr, code, signal }));
  });
}

describe('bubblewrap on its own, with the permission model switched off', needs('bubblewrap'), () => {
  test('no file outside the run folder, no writes, no signals to the grader, no network, no environment', { timeout: 30_000 }, async () => {
    const r = await runScript(script(port));
    expect(r.code, r.stderr).toBe(0);
    const results = JSON.parse(r.stdout);
    expect(results.read).toBe('ENOENT');
    expect(results.write).toMatch(/^(EROFS|EFBIG|ENOENT)$|File size limit/);
    expect(results.signal).toBe('ESRCH');
    expect(results.pid).toBeLessThan(10);
    // bubblewrap sets PWD (the run folder) after clearing the environment; the harness clears it too.
    expect(results.env).toMatch(/^(PWD)?$/);
    expect(results.tcp).toMatch(/^(ENETUNREACH|ECONNREFUSED|EADDRNOTAVAIL)$/);
    expect(results.unix).toBe('ENOENT');
    expect(connections).toBe(0);
    expect(existsSync('/tmp/written-in-sandbox')).toBe(false);
    expect(readFileSync(secret, 'utf8')).toBe('the grader machine holds this');
  });

  test('a file write in the private /tmp is stopped by the file-size limit', { timeout: 30_000 }, async () => {
    const r = await runScript(`require('node:fs').writeFileSync('/tmp/x', 'some bytes'); console.log('wrote');`);
    // Node ignores SIGXFSZ, so the write fails instead of the process.
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/EFBIG: file too large/);
  });

  test('the address-space limit stops memory outside the V8 heap', { timeout: 30_000 }, async () => {
    // 4 GiB of typed arrays: outside --max-old-space-size, inside the address-space limit of the launch.
    const r = await runScript(`const keep = []; for (let i = 0; i < 64; i++) keep.push(new Float64Array(8 * 2 ** 20)); console.log('allocated', keep.length);`);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/RangeError: Array buffer allocation failed/);
  });

  test('without the limits the same allocation succeeds, so the limit is what stops it', { timeout: 30_000 }, async () => {
    const r = await runScript(`const keep = []; for (let i = 0; i < 64; i++) keep.push(new Float64Array(8 * 2 ** 20)); console.log('allocated', keep.length);`, false);
    expect(r.stdout.trim()).toBe('allocated 64');
  });
});
