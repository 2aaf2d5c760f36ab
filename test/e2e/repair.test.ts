import { promises as fs } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { makeWorkspace, runCli, useFixture, useSolution } from '../helpers/cli.js';

let ws: string;

/** Each exercise's status in `list --json`, by id, for those that are not pending. */
async function statuses(): Promise<Record<string, string>> {
  const list = await runCli(['list', '--json'], { cwd: ws });
  expect(list.code).toBe(0);
  const rows = JSON.parse(list.stdout) as { id: string; status: string }[];
  return Object.fromEntries(rows.filter((r) => r.status !== 'pending').map((r) => [r.id, r.status]));
}

const edited = ['foundations/matmul', 'foundations/softmax', 'attention/causal-mask'].map((id) => `  exercises/transformer-core/${id}.ts`);

beforeAll(async () => {
  ws = await makeWorkspace();
  await useSolution(ws, 'foundations/matmul');
  await useSolution(ws, 'foundations/softmax');
  await useFixture(ws, 'attention/causal-mask', 'causal-diagonal-excluded.ts');
  for (const id of ['matmul', 'softmax', 'causal-mask']) await runCli(['check', id], { cwd: ws });
  expect(await statuses()).toEqual({ 'foundations/matmul': 'passed', 'foundations/softmax': 'passed', 'attention/causal-mask': 'failed' });
  // Cut short, as a full disk or a lost sync leaves it: not JSON any more, nothing to salvage.
  const stateFile = path.join(ws, '.llm-tutor', 'state.json');
  const text = await fs.readFile(stateFile, 'utf8');
  await fs.writeFile(stateFile, text.slice(0, text.length / 2));
});

describe('doctor --repair rebuilds progress from a truncated state.json', () => {
  test('without a terminal and without --yes: the edited files are listed, nothing is graded, exit 2 with one line saying to add --yes', async () => {
    const r = await runCli(['doctor', '--repair'], { cwd: ws });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/✓ progress +repaired: kept 0 exercise records, dropped 0; the damaged file is kept at .*state\.json\.corrupt-[0-9a-f]{8}\n/);
    expect(r.stdout).toContain(['', 'Your progress records no grading of 3 edited learner files:', ...edited, ''].join('\n'));
    expect(r.stdout).not.toContain('[1/3]');
    expect(r.stderr).toBe('llm-tutor: Re-grading 3 files would rebuild your progress, and there is no terminal to ask in: add --yes to confirm.\n');
    expect(await statuses()).toEqual({});
  });

  test('plain doctor warns of the files left ungraded and says how to re-grade them', async () => {
    const r = await runCli(['doctor'], { cwd: ws });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/✓ progress +0 passed\n! ungraded edits +3 edited learner files with no grading recorded: `llm-tutor doctor --repair` re-grades them to rebuild your progress\n$/);
  });

  test('with --yes: each file is graded in turn, passes are recorded as passed and the failing file as failed', async () => {
    const r = await runCli(['doctor', '--repair', '--yes'], { cwd: ws });
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    const start = lines.indexOf('Your progress records no grading of 3 edited learner files:');
    expect(lines.slice(start + 1, start + 4)).toEqual(edited);
    expect(lines[start + 4]).toBe('[1/3] ✓ transformer-core/foundations/matmul: All 17 cases pass.');
    expect(lines[start + 5]).toBe('[2/3] ✓ transformer-core/foundations/softmax: All 13 cases pass.');
    expect(lines[start + 6]).toMatch(/^\[3\/3\] ✗ transformer-core\/attention\/causal-mask: \d+ of \d+ cases pass/);
    expect(lines[start + 7]).toBe('Recovered 2 passes of 3 files re-graded. The others are recorded as attempted, not passed.');
    expect(await statuses()).toEqual({ 'foundations/matmul': 'passed', 'foundations/softmax': 'passed', 'attention/causal-mask': 'failed' });
  });

  test('afterwards nothing is left to re-grade', async () => {
    for (const args of [['doctor', '--repair'], ['doctor']]) {
      const r = await runCli(args, { cwd: ws });
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/✓ progress +2 passed\n$/);
      expect(r.stderr).toBe('');
    }
  });
});
