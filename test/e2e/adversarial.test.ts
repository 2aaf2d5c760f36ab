import { existsSync, promises as fs, readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { learnerFile, makeWorkspace, repoRoot, runCli, tempDir } from '../helpers/cli.js';

const dir = path.join(repoRoot, 'fixtures', 'adversarial');
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.ts')).sort();
const keep = '/tmp/llm-tutor-adversarial-keep.txt';
const written = '/tmp/llm-tutor-adversarial-written.txt';

/** What each file's verdict must say: the status, and words that name what happened. */
const expected: Record<string, ['fail' | 'error' | 'fail or error', RegExp]> = {
  'atomics-wait.ts': ['error', /^Timed out after 2\.0 s on case/],
  'create-require.ts': ['error', /threw Error: Access to this API has been restricted/],
  // Whether the result of the first case gets out before the exit is a race: either way, no pass.
  'exit-0-after-return.ts': ['fail or error', /cases pass; first failing|ended during case .* \(exit code 0\)/],
  'exit-0-before-return.ts': ['error', /ended during case .* \(exit code 0\): did your code call process\.exit\(\)/],
  'exit-1-before-return.ts': ['error', /ended during case .* \(exit code 1\)/],
  'forges-ipc-results.ts': ['fail', /^0 of 9 cases pass/],
  'imports-child-process.ts': ['error', /Access to this API has been restricted/],
  'imports-fs.ts': ['error', /Access to this API has been restricted/],
  'imports-net.ts': ['fail', /cases pass; first failing/],
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
};

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

beforeAll(async () => {
  ws = await makeWorkspace();
  await fs.writeFile(keep, 'must survive');
  await fs.rm(written, { force: true });
});

describe('adversarial learner files', () => {
  test('every fixture has an expectation', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(25);
    expect(Object.keys(expected).sort()).toEqual(fixtures);
  });

  test.each(fixtures)('check: %s gets the right verdict, never a pass, and nothing changes on disk', async (fixture) => {
    const before = await snapshot(ws);
    await place(ws, fixture);
    const started = Date.now();
    const r = await runCli(['check', 'softmax', '--workspace', ws, '--timeout', '2000', '--json']);
    expect(Date.now() - started).toBeLessThan(15_000);
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
    const r = await runCli(['grade', classDir, '--only', only, '--jobs', '2', '--timeout', '2000', '--seed', '4', '--reporter', 'json']);
    expect(r.code).toBe(1);
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
      expect(exercise.message, s.id).toMatch(message);
    }
    expect(existsSync(written)).toBe(false);
    expect(existsSync(keep)).toBe(true);
  });
});
