import { promises as fs } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { learnerFile, repoRoot, runCli, tempDir } from '../helpers/cli.js';

// The demo pack of the kinds of exercise beyond returning a value (fixtures/packs/kinds): each passes with its
// solution, and a learner file with a known mistake gets its diagnosis and the kind's own diff.
const packDir = path.join(repoRoot, 'fixtures', 'packs', 'kinds');
let ws: string;

beforeAll(async () => {
  ws = path.join(tempDir(), 'ws');
  const r = await runCli(['init', ws, '--packs', packDir, '--seed', '3']);
  expect(r.code).toBe(0);
});

async function check(id: string, source: string, json = true) {
  await fs.copyFile(source, learnerFile(ws, id, 'kinds'));
  const r = await runCli(['check', id, '--workspace', ws, ...(json ? ['--json'] : [])]);
  return { ...r, verdict: json ? JSON.parse(r.stdout) : undefined };
}
const solution = (id: string) => path.join(packDir, id, 'solution.ts');
const learner = (name: string) => path.join(repoRoot, 'fixtures', 'learner', 'kinds', name);

describe('the demo of each kind passes with its solution', () => {
  for (const id of ['gradient/linear-backward', 'stochastic/categorical', 'stepwise/momentum', 'schedule/ring-broadcast', 'model/logits']) {
    test(id, async () => {
      const { verdict } = await check(id, solution(id));
      expect(verdict.status, verdict.summary).toBe('pass');
    });
  }
});

describe('gradient', () => {
  test('a wrong gradient is named, and the mistake diagnosed', async () => {
    const { verdict } = await check('gradient/linear-backward', learner('linear-backward-db-mean.ts'));
    expect(verdict.status).toBe('fail');
    const first = verdict.cases[verdict.firstFailure];
    expect(first.mismatch.path).toBe('db');
    expect(first.message).toMatch(/^Mismatched elements in db: /);
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'db-averaged', confidence: 'full' });
  });
});

describe('stochastic', () => {
  test('unnormalised weights: fixed cases fail, the distribution check says which way it is skewed, and it is diagnosed', async () => {
    const { verdict } = await check('stochastic/categorical', learner('categorical-unnormalised.ts'));
    expect(verdict.diagnosis?.misconceptionId).toBe('unnormalised');
    const dist = verdict.cases.find((c: { name: string }) => c.name.startsWith('outputs follow the weights'));
    expect(dist.status).toBe('fail');
    expect(dist.message).toContain('token 0 comes out too often, 100.0% of the time instead of 12.5%');
  });

  test('right on every fixed case but skewed: only the distribution check fails, with the observed frequencies', async () => {
    const { verdict } = await check('stochastic/categorical', learner('categorical-skewed.ts'));
    expect(verdict.status).toBe('fail');
    const failing = verdict.cases.filter((c: { status: string }) => c.status !== 'pass');
    expect(failing.map((c: { name: string }) => c.name)).toEqual(['outputs follow the weights: weights [1, 2, 3, 2]']);
    expect(failing[0].message).toMatch(/token [02] comes out too (often|rarely)/);
    expect(failing[0].message).toContain('less than once in 1,000,000 gradings');
  });
});

describe('stepwise', () => {
  test('the step that diverges first is named with the state it was given, and the mistake diagnosed', async () => {
    const { verdict } = await check('stepwise/momentum', learner('momentum-old-velocity.ts'));
    expect(verdict.status).toBe('fail');
    const first = verdict.cases[verdict.firstFailure];
    expect(first.step).toEqual({ index: 0, of: 20 });
    expect(first.message).toMatch(/^Step 1 of 20 diverges: Mismatched elements in params/);
    expect(verdict.diagnosis?.misconceptionId).toBe('old-velocity');
  });

  test('a function right for four steps is fed its own outputs and fails at step 5', async () => {
    // Its step counter lives in the state it returns: only a grader that carries that state on sees step 5 go wrong.
    const { verdict } = await check('stepwise/momentum', learner('momentum-drifts.ts'));
    const first = verdict.cases[verdict.firstFailure];
    expect(first.step).toEqual({ index: 4, of: 20 });
    expect(first.message).toMatch(/^Step 5 of 20 diverges \(fed your own step 4 output\): Mismatched elements in params/);
    expect(verdict.diagnosis).toBeUndefined();
    const text = await check('stepwise/momentum', learner('momentum-drifts.ts'), false);
    expect(text.stdout).toContain('Case "20 steps, lr 0.1, momentum 0.9", step 5 of 20');
  });
});

describe('schedule', () => {
  test('a plan that breaks a property fails with it, drawn as ranks × steps, and the mistake diagnosed', async () => {
    const { verdict } = await check('schedule/ring-broadcast', learner('ring-broadcast-backwards.ts'));
    expect(verdict.status).toBe('fail');
    const first = verdict.cases[verdict.firstFailure];
    expect(first.message).toBe('each send goes to the next rank on the ring: at step 1, rank 0 sends to rank 3; its neighbour is rank 1.');
    expect(first.plan.rows).toEqual(['0', '1', '2', '3']);
    expect(first.plan.marks).toEqual([[0, 0]]);
    expect(verdict.diagnosis?.misconceptionId).toBe('backwards');
  });

  test('the text report draws the plan with the broken cell', async () => {
    const r = await check('schedule/ring-broadcast', learner('ring-broadcast-early.ts'), false);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('only a rank that holds the data sends it: at step 1, rank 1 sends before it has received anything.');
    expect(r.stdout).toMatch(/rank\\step\s+1\s+2\s+3/);
    expect(r.stdout).toMatch(/\n\s+0\s+→1\s+●\s+●/);
  });
});

describe('model-sized inputs', () => {
  test('weights from the pack\'s safetensors file reach the function as Float32Array rows; a mistake on them is diagnosed', async () => {
    const { verdict } = await check('model/logits', learner('logits-softmax.ts'));
    expect(verdict.status).toBe('fail');
    expect(verdict.cases[0].input).toMatch(/, 512 rows × 128 of Float32Array\(65536\)$/);
    expect(verdict.diagnosis?.misconceptionId).toBe('softmax-applied');
  });

  test('example shows model-sized data as numbers, saying what the function receives', async () => {
    const r = await runCli(['example', 'model/logits', '--workspace', ws, '--json']);
    const shown = JSON.parse(r.stdout);
    expect(shown.args[1].receivedAs).toBe('512 rows × 128 of Float32Array(65536)');
    expect(shown.args[1].rows).toHaveLength(512);
    expect(shown.args[1].rows[0]).toHaveLength(128);
    const steps = JSON.parse((await runCli(['example', 'stepwise/momentum', '--workspace', ws, '--json'])).stdout);
    expect(steps).toMatchObject({ steps: 20, carry: [{ from: ['params'], to: [0] }, { from: ['state'], to: [2] }] });
  });
});

test('pack validate: the demo pack is clean (references, gradients against finite differences, plans against their checks)', async () => {
  const r = await runCli(['pack', 'validate', packDir]);
  expect(r.stdout + r.stderr).not.toMatch(/problem/i);
  expect(r.code).toBe(0);
});

test('pack validate names a carry that finds nothing and a distribution that does not sum to 1, with file and field', async () => {
  const broken = path.join(tempDir(), 'kinds');
  await fs.cp(packDir, broken, { recursive: true });
  const momentum = path.join(broken, 'stepwise', 'momentum', 'exercise.ts');
  await fs.writeFile(momentum, (await fs.readFile(momentum, 'utf8')).replace("{ from: ['params'], to: [0] }", "{ from: ['parms'], to: [0] }"));
  const categorical = path.join(broken, 'stochastic', 'categorical', 'exercise.ts');
  await fs.writeFile(categorical, (await fs.readFile(categorical, 'utf8')).replace('expected: [1 / 8, 2 / 8, 3 / 8, 2 / 8]', 'expected: [1 / 8, 2 / 8, 3 / 8, 1 / 8]'));
  const r = await runCli(['pack', 'validate', broken]);
  expect(r.code).toBe(1);
  expect(r.stdout).toContain('stepwise/momentum/exercise.ts stepwise.carry: on case "20 steps, lr 0.1, momentum 0.9", step 2 cannot be built from the reference\'s own step 1: the previous output has no .parms');
  expect(r.stdout).toContain('stochastic/categorical/exercise.ts distributions "outputs follow the weights": scenario "weights [1, 2, 3, 2]": its probabilities must be two or more numbers ≥ 0 that sum to 1 (got [0.125, 0.25, 0.375, 0.125])');
});
