import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { builtinExerciseCount, learnerFile, makeWorkspace, repoRoot, runCli, useFixture, useSolution } from '../helpers/cli.js';

const ids = ['foundations/matmul', 'foundations/softmax', 'foundations/cross-entropy', 'attention/scaled-dot-product', 'attention/causal-mask'];
let ws: string;

beforeAll(async () => {
  ws = await makeWorkspace();
});

describe('the built-in exercises', () => {
  test.each(ids)('%s: the starter fails with "not implemented", the model solution passes', async (id) => {
    const starter = await runCli(['check', id, '--workspace', ws]);
    expect(starter.code).toBe(1);
    expect(starter.stdout).toMatch(/^ERROR transformer-core\//);
    expect(starter.stdout).toContain('Not implemented yet');
    await useSolution(ws, id);
    const solved = await runCli(['check', id, '--workspace', ws]);
    expect(solved.stderr).toBe('');
    expect(solved.stdout).toMatch(new RegExp(`^PASS transformer-core/${id} .*\\n  All \\d+ cases pass\\.`));
    expect(solved.code).toBe(0);
    // A pass opens onto the lesson's "Check yourself" and "In practice" sections, the properties checked listed with ✓.
    const lesson = await fs.readFile(path.join(repoRoot, 'exercises', 'transformer-core', id, 'lesson.md'), 'utf8');
    for (const heading of lesson.match(/^## (Check yourself|In practice.*)$/gm) ?? []) expect(solved.stdout).toContain(`\n${heading.slice(3)}\n`);
  });

  test('a pass of an exercise with properties lists them as checked on the learner\'s code', async () => {
    const own = await makeWorkspace();
    await useSolution(own, 'positions/rope-relative');
    const solved = await runCli(['check', 'positions/rope-relative', '--workspace', own]);
    expect(solved.stdout).toMatch(/\nChecked on your code:\n✓ f\(m\+s, n\+s\) = f\(m, n\)/);
  });

  test('progress records the passes, and list shows them', async () => {
    const state = JSON.parse(await fs.readFile(path.join(ws, '.llm-tutor', 'state.json'), 'utf8'));
    for (const id of ids) expect(state.exercises[`transformer-core/${id}`].status).toBe('passed');
    const list = await runCli(['list', '--workspace', ws]);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(`${ids.length} of ${builtinExerciseCount} exercises pass.`);
  });
});

describe('diagnosis', () => {
  test('softmax without the max subtraction is diagnosed as such, with the NaN diff', async () => {
    await useFixture(ws, 'foundations/softmax', 'softmax-no-max.ts');
    const r = await runCli(['check', 'softmax', '--workspace', ws]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL transformer-core\/foundations\/softmax/);
    expect(r.stdout).toContain('Case "large logits (±1000)"');
    expect(r.stdout).toMatch(/Mismatched elements: 3 \/ 4 \(75\.0%\)\. NaN where [\d.]+ was expected at \[0\]/);
    expect(r.stdout).toContain('Likely mistake: exponentiating without subtracting the max');
  });

  test('causal attention that excludes the diagonal is diagnosed as such', async () => {
    await useFixture(ws, 'attention/causal-mask', 'causal-diagonal-excluded.ts');
    const r = await runCli(['check', 'attention/causal-mask', '--workspace', ws]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Likely mistake: a query does not see its own position (< where <= belongs) (matches 10 of 10 failing cases)');
  });

  test('check --json gives the verdict as data', async () => {
    await useFixture(ws, 'foundations/softmax', 'softmax-no-max.ts');
    const r = await runCli(['check', 'softmax', '--json', '--workspace', ws]);
    const verdict = JSON.parse(r.stdout);
    expect(verdict).toMatchObject({ status: 'fail', exerciseKey: 'transformer-core/foundations/softmax', seed: 1234, diagnosis: { misconceptionId: 'no-max-subtraction', confidence: 'full' } });
  });
});

describe('misbehaving learner files get a failing or error verdict, and the grader carries on', () => {
  test('a syntax error names the file, line and column', async () => {
    await useFixture(ws, 'foundations/softmax', 'softmax-syntax-error.ts');
    const r = await runCli(['check', 'softmax', '--workspace', ws]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^ERROR .*\n  Your file could not be compiled: softmax\.ts:2:\d+: Expected "\)" but found ";"/);
    expect(r.stdout).toContain('const max = Math.max(...x;');
  });

  test('a throw is reported with its message and the line in the learner file', async () => {
    await useFixture(ws, 'foundations/softmax', 'softmax-throws.ts');
    const r = await runCli(['check', 'softmax', '--workspace', ws]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Your function threw RangeError: sum too large (softmax.ts:3).');
    expect(r.stdout).toContain("if (total > 1e300) throw new RangeError('sum too large');");
  });

  test('an infinite loop is stopped at the time limit', async () => {
    await useFixture(ws, 'foundations/softmax', 'softmax-infinite-loop.ts');
    const started = Date.now();
    const r = await runCli(['check', 'softmax', '--timeout', '1500', '--workspace', ws]);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Timed out after 1.5 s on case "the lesson example [1, 2, 3]" (an infinite loop, or far too much work).');
  });

  test('process.exit(0) is a crash, not a pass', async () => {
    await useFixture(ws, 'foundations/softmax', 'softmax-exit.ts');
    const r = await runCli(['check', 'softmax', '--workspace', ws]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^ERROR/);
    expect(r.stdout).toContain('ended during case "the lesson example [1, 2, 3]" (exit code 0): did your code call process.exit() or kill itself?');
  });

  test('printing pass lines changes nothing; the output is shown as the learner\'s', async () => {
    await useFixture(ws, 'foundations/softmax', 'softmax-prints-passed.ts');
    const r = await runCli(['check', 'softmax', '--workspace', ws]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL/);
    expect(r.stdout).toContain('Your console output:\n  │ PASS transformer-core/foundations/softmax');
  });

  test('writing files is denied and nothing is written', async () => {
    await fs.rm('/tmp/llm-tutor-e2e-written.txt', { force: true });
    await useFixture(ws, 'foundations/softmax', 'softmax-writes-file.ts');
    const r = await runCli(['check', 'softmax', '--workspace', ws]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/threw Error: Access to this API has been restricted/);
    expect(existsSync('/tmp/llm-tutor-e2e-written.txt')).toBe(false);
    expect(existsSync(path.join(os.tmpdir(), 'llm-tutor-e2e-written.txt'))).toBe(false);
  });

  test('unbounded allocation hits the memory cap and says so', async () => {
    await useFixture(ws, 'foundations/softmax', 'softmax-unbounded-allocation.ts');
    // A time limit far above the seconds V8 may take to collect its way up to the cap on a loaded machine: the cap must be what stops it.
    const r = await runCli(['check', 'softmax', '--workspace', ws, '--timeout', '60000']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Ran out of memory during case "the lesson example [1, 2, 3]" (the limit is 512 MiB).');
  });

  test('returning a Promise is a type error that says why', async () => {
    await useFixture(ws, 'foundations/softmax', 'softmax-returns-promise.ts');
    const r = await runCli(['check', 'softmax', '--workspace', ws]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Wrong return type: Expected number[] of shape [3], got a Promise (the function must be synchronous: remove async/await).');
  });

  test('after all of that, the next grading works as usual', async () => {
    await useSolution(ws, 'foundations/softmax');
    const r = await runCli(['check', 'softmax', '--workspace', ws]);
    expect(r.code).toBe(0);
  });

  test('an import of the learner\'s own failing file is pointed out', async () => {
    const fresh = await makeWorkspace();
    await useFixture(fresh, 'foundations/softmax', 'softmax-imports-own-file.ts');
    const r = await runCli(['check', 'softmax', '--workspace', fresh]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Your function threw Error: not implemented (matmul.ts:');
    expect(r.stdout).toContain('Note: This file imports matmul.ts (transformer-core/foundations/matmul), which does not pass yet');
  });

  test('importing anything outside the exercises folder is refused at bundle time', async () => {
    await fs.writeFile(learnerFile(ws, 'foundations/softmax'), "export { softmax } from '../../../../../../../../etc/hosts';\n");
    const r = await runCli(['check', 'softmax', '--workspace', ws]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('which is outside your exercises folder');
    await useSolution(ws, 'foundations/softmax');
  });
});
