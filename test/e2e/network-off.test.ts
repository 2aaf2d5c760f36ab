import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { createServer, type Server } from 'node:net';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bin, learnerFile, makeWorkspace, repoRoot } from '../helpers/cli.js';

// The recipe of docs/security.md: Node 20 cannot stop learner code from using the network,
// so CI runs the grader in a network namespace of its own, with no interface but a loopback that is down.
let server: Server;
let port = 0;
let connections = 0;

const run = promisify(execFile);
const probe = (target: number) => `const s = require('net').connect(${target}, '127.0.0.1');
s.on('connect', () => { console.log('connected'); s.destroy(); });
s.on('error', (e) => console.log(e.code));`;

beforeAll(async () => {
  server = createServer((socket) => {
    connections++;
    socket.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});

afterAll(() => server.close());

describe('grading with the network off', () => {
  test('without the recipe a child process reaches the network; with `unshare --net` it cannot', async () => {
    // Asynchronous runs: this process hosts the server and must keep accepting.
    const open = await run(process.execPath, ['-e', probe(port)]);
    expect(open.stdout.trim()).toBe('connected');
    const before = connections;
    const closed = await run('unshare', ['--net', '--map-root-user', process.execPath, '-e', probe(port)]);
    expect(closed.stdout.trim()).toMatch(/^(ENETUNREACH|ECONNREFUSED|EADDRNOTAVAIL)$/);
    expect(connections).toBe(before);
  });

  test('llm-tutor grade works inside the namespace', async () => {
    const ws = await makeWorkspace();
    await fs.copyFile(path.join(repoRoot, 'exercises', 'transformer-core', 'foundations', 'softmax', 'solution.ts'), learnerFile(ws, 'foundations/softmax'));
    const r = spawnSync('unshare', ['--net', '--map-root-user', process.execPath, bin, 'grade', ws, '--only', 'foundations/softmax', '--seed', '3', '--reporter', 'json'], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).status).toBe('pass');
  });
});
