import { existsSync, promises as fs, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { learnerFile, makeWorkspace, processesNaming, repoRoot, runCli, tempDir } from '../helpers/cli.js';
import { isolations, needsIsolation } from '../helpers/tools.js';


const dir = path.join(repoRoot, 'fixtures', 'adversarial');
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.ts')).sort();
const keep = '/tmp/llm-tutor-adversarial-keep.txt';
const written = '/tmp/llm-tutor-adversarial-written.txt';

/** What each file's verdict must say: the status, and words that name what happened. */
const expected: Record<string, ['fail' | 'error' | 'fail or error', RegExp]> = {
  'atomics-wait.ts': ['error', /^Timed out after 2\.0 s on case/],
  // The permission model refuses the read; inside bubblewrap the file is not there at all.
  'create-require.ts': ['error', /threw Error: (Access to this API has been restricted|Cannot find module '@tensorflow\/tfjs-core')/],
  // Whether the result of the first case gets out before the exit is a race: either way, no pass.
  'exit-0-after-return.ts': ['fail or error', /cases pass; first failing|ended during case .* \(exit code 0\)/],
  'exit-0-before-return.ts': ['error', /ended during case .* \(exit code 0\): did your code call process\.exit\(\)/],
  'exit-1-before-return.ts': ['error', /ended during case .* \(exit code 1\)/],
  'forges-ipc-results.ts': ['fail', /^0 of 13 cases pass/],
  'imports-child-process.ts': ['error', /Access to this API has been restricted/],
  'imports-fs.ts': ['error', /Access to this API has been restricted/],
  'imports-net.ts': ['error', /threw Error: net\.connect is not available in the sandbox/],
  'imports-reference-dynamic.ts': ['error', /threw Error: the solution did not load/],
  'imports-reference-static.ts': ['error', /could not be compiled: .*which is outside your exercises folder/],
  'imports-worker-threads.ts': ['error', /Access to this API has been restricted/],
  'infinite-loop.ts': ['error', /^Timed out after 2\.0 s on case "the lesson example \[1, 2, 3\]"/],
  'kill-self.ts': ['error', /\(signal SIGKILL\): did your code call process\.exit\(\) or kill itself\?/],
  'patches-builtins.ts': ['fail', /cases pass; first failing/],
  'patches-math.ts': ['fail', /cases pass; first failing: "large logits/],
  'prints-pass-lines.ts': ['fail', /cases pass; first failing/],
  'process-binding.ts': ['error', /threw Error: process\.binding/],
  'reads-env.ts': ['fail', /cases pass; first failing/],
  'returns-function.ts': ['error', /Wrong return type: .*got a function/],
  'returns-huge-array.ts': ['error', /Timed out|Ran out of memory|more than/],
  'returns-jagged.ts': ['error', /Wrong return type: .*jagged number\[\]\[\]/],
  'returns-nan-infinity.ts': ['fail', /Infinity where [\d.]+ was expected/],
  'returns-promise.ts': ['error', /got a Promise \(the function must be synchronous/],
  'returns-proxy.ts': ['fail', /Mismatched elements/],
  'returns-shifty-getters.ts': ['fail', /Mismatched elements/],
  'returns-typed-array.ts': ['error', /got a Float64Array of length 3 \(use a plain array/],
  'returns-undefined.ts': ['error', /got undefined \(did the function forget to return\?\)/],
  'stack-overflow.ts': ['error', /threw RangeError: Maximum call stack size exceeded/],
  'state-across-cases.ts': ['fail', /cases pass; first failing: "random logits/],
  'throws-hostile-object.ts': ['error', /threw a object, not an Error: \[a value whose toString throws\]/],
  'throws-string.ts': ['error', /threw a string, not an Error: "not today"/],
  'throws-symbol.ts': ['error', /threw a symbol, not an Error: nope/],
  'timer-throws-later.ts': ['fail', /cases pass; first failing/],
  'unbounded-allocation.ts': ['error', /^Ran out of memory during case/],
  // Signals, the inspector and the grader's processes (issue: a file opened the grader's inspector with SIGUSR1).
  'signals-parent.ts': ['error', /threw Error: Signalling another process is not available in the sandbox/],
  'debug-process.ts': ['error', /threw Error: process\._debugProcess is not available in the sandbox/],
  'kills-siblings.ts': ['fail', /cases pass; first failing/],
  'set-priority.ts': ['error', /threw Error: os\.setPriority is not available in the sandbox/],
  // Values and messages that crashed the grader.
  'returns-marker.ts': ['error', /Wrong return type: .*could not be read \(an object with the key "__llmtutor", which the tutor keeps for itself\)/],
  'eval-send.ts': ['error', /threw ReferenceError: send is not defined/],
  'forges-huge-frame.ts': ['error', /^The sandbox stopped your code during case .*: it sent a message of 2048 MiB \(the limit is 96 MiB\)/],
  'forges-garbage-frame.ts': ['error', /^The sandbox stopped your code during case .*: it sent a message the tutor could not read/],
  'returns-huge-string.ts': ['error', /Wrong return type: .*could not be read \(a string of 268435456 characters/],
  // Side effects the permission model lets through.
  'trace-events.ts': ['error', /threw Error: trace_events\.createTracing is not available in the sandbox/],
  'v8-flags.ts': ['error', /threw Error: v8\.setFlagsFromString is not available in the sandbox/],
  'throws-huge-stack.ts': ['error', /^Your function threw Error: x\.$/],
  'patches-buffer.ts': ['fail', /cases pass; first failing/],
  'hooks-channel.ts': ['error', /threw Error: process\._getActiveHandles is not available in the sandbox/],
  'unix-socket.ts': ['error', /threw Error: all 3 refused: net\.connect is not available in the sandbox/],
};

/** Folders whose creation would mean a side effect escaped: trace files Node writes to the working folder. */
const traceFiles = () => readdirSync('/tmp').filter((f) => /^node_trace\.\d+\.log$/.test(f));

/** A unix socket where the unix-socket fixture knocks; every connection it gets is counted. */
let socketServer: net.Server;
let socketConnections = 0;


async function place(workspace: string, fixture: string): Promise<void> {
  const source = (await fs.readFile(path.join(dir, fixture), 'utf8')).replaceAll('__REPO__', repoRoot);
  await fs.writeFile(learnerFile(workspace, 'foundations/softmax'), source);
}

/** Every file under a folder with its size and mtime, to show that nothing changed. */
async function snapshot(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(root, { withFileTypes: true, recursive: true })) {
    const full = path.join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name);
    if (entry.isFile() && !full.includes(`${path.sep}.llm-tutor${path.sep}`) && !full.endsWith('softmax.ts')) {
      const stat = await fs.stat(full);
      out.push(`${full} ${stat.size} ${stat.mtimeMs}`);
    }
  }
  return out.sort();
}

let ws: string;

let tracesBefore: string[];

beforeAll(async () => {
  ws = await makeWorkspace();
  await fs.writeFile(keep, 'must survive');
  await fs.rm(written, { force: true });
  tracesBefore = traceFiles();
  rmSync('/tmp/llm-tutor-adversarial.sock', { force: true });
  socketServer = net.createServer((socket) => {
    socketConnections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => socketServer.listen('/tmp/llm-tutor-adversarial.sock', resolve));
});

afterAll(() => {
  socketServer.close();
});

describe('adversarial learner files', () => {
  test('every fixture has an expectation', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(25);
    expect(Object.keys(expected).sort()).toEqual(fixtures);
  });

  // Under each isolation: bubblewrap (CI installs it), and the permission model alone, which must hold too.
  const cases = isolations.flatMap((isolation) => fixtures.map((fixture) => [fixture, isolation] as const));
  for (const [fixture, isolation] of cases) test(`check: ${fixture} gets the right verdict, never a pass, and nothing changes on disk (${isolation})`, needsIsolation(isolation), async () => {
    const before = await snapshot(ws);
    await place(ws, fixture);
    const started = Date.now();
    // Filling 512 MiB takes a loaded machine a few seconds: the memory cap must be what stops it, not the clock.
    const timeout = fixture === 'unbounded-allocation.ts' ? 20_000 : 2000;
    const r = await runCli(['check', 'softmax', '--workspace', ws, '--timeout', String(timeout), '--json', '--isolation', isolation]);
    expect(Date.now() - started).toBeLessThan(timeout + 13_000);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    const verdict = JSON.parse(r.stdout);
    const [status, message] = expected[fixture];
    expect(status.split(' or ')).toContain(verdict.status);
    expect(verdict.summary).toMatch(message);
    if (fixture === 'reads-env.ts') expect(verdict.output.stdout).toContain('ENV={}');
    expect(await snapshot(ws)).toEqual(before);
    expect(existsSync(written)).toBe(false);
    expect(existsSync(keep)).toBe(true);
    expect(traceFiles()).toEqual(tracesBefore);
    expect(socketConnections).toBe(0);
  });

  test('grade: a class made of all of them, plus one honest submission, is graded to the end', { timeout: 180_000 }, async () => {
    // Each hostile softmax sits between two honest files of the same student: grade runs a
    // submission's files in one child, so whatever the hostile file leaves behind must not touch the next.
    const classDir = path.join(tempDir(), 'class');
    await fs.mkdir(classDir);
    const solution = (id: string) => path.join(repoRoot, 'exercises', 'transformer-core', id, 'solution.ts');
    const honestNeighbours = async (sub: string) => {
      await fs.copyFile(solution('foundations/matmul'), learnerFile(sub, 'foundations/matmul'));
      await fs.copyFile(solution('foundations/cross-entropy'), learnerFile(sub, 'foundations/cross-entropy'));
    };
    await fs.cp(ws, path.join(classDir, 'honest'), { recursive: true });
    await fs.copyFile(solution('foundations/softmax'), learnerFile(path.join(classDir, 'honest'), 'foundations/softmax'));
    await honestNeighbours(path.join(classDir, 'honest'));
    for (const fixture of fixtures) {
      const sub = path.join(classDir, fixture.replace(/\.ts$/, ''));
      await fs.cp(ws, sub, { recursive: true });
      await place(sub, fixture);
      await honestNeighbours(sub);
    }
    const only = 'foundations/matmul,foundations/softmax,foundations/cross-entropy';
    // A TMPDIR of its own: every sandbox child's command line names it, so none can hide from the check below.
    const tmp = tempDir('llm-tutor-adversarial-tmp-');
    const started = Date.now();
    const reports = tempDir('llm-tutor-adversarial-reports-');
    const r = await runCli(
      ['grade', classDir, '--only', only, '--jobs', '2', '--timeout', '2000', '--seed', '4', '--reporter', 'json', '--reporter', `junit=${reports}/junit.xml`, '--reporter', `html=${reports}/report.html`],
      { env: { TMPDIR: tmp } },
    );
    expect(r.code, r.stderr).toBe(1);
    expect(readdirSync(reports).sort()).toEqual(['junit.xml', 'report.html']);
    // 2 s per file at most, three files per submission, two at a time, plus start-ups: far inside this on any machine.
    expect(Date.now() - started).toBeLessThan(150_000);
    expect(processesNaming(tmp)).toEqual([]);
    expect(readdirSync(tmp)).toEqual([]);
    expect(traceFiles()).toEqual(tracesBefore);
    expect(socketConnections).toBe(0);
    const results = JSON.parse(r.stdout);
    expect(results.submissions).toHaveLength(fixtures.length + 1);
    for (const s of results.submissions) {
      const byId = Object.fromEntries(s.exercises.map((e: { id: string }) => [e.id, e]));
      expect(byId['foundations/matmul'].status, `${s.id}: matmul, before the hostile file`).toBe('pass');
      expect(byId['foundations/cross-entropy'].status, `${s.id}: cross-entropy, after the hostile file`).toBe('pass');
      const exercise = byId['foundations/softmax'];
      if (s.id === 'honest') {
        expect(exercise.status).toBe('pass');
        continue;
      }
      const [status, message] = expected[`${s.id}.ts`];
      expect(status.split(' or '), s.id).toContain(exercise.status);
      // With the class's 2 s limit, unbounded allocation may be stopped by either limit; `check` above shows the memory cap.
      if (s.id === 'unbounded-allocation') expect(exercise.message, s.id).toMatch(/^(Ran out of memory|Timed out after 2\.0 s)/);
      else expect(exercise.message, s.id).toMatch(message);
    }
    expect(existsSync(written)).toBe(false);
    expect(existsSync(keep)).toBe(true);
  });
});
