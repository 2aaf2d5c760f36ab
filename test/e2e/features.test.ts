import { promises as fs } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { learnerFile, repoRoot, runCli, tempDir } from '../helpers/cli.js';

// A test pack (fixtures/packs/features) whose exercise uses a read-once argument and a property check.
let ws: string;
const id = 'stream/total';
const file = () => learnerFile(ws, id, 'features');

beforeAll(async () => {
  ws = path.join(tempDir(), 'ws');
  const r = await runCli(['init', ws, '--packs', path.join(repoRoot, 'fixtures', 'packs', 'features'), '--seed', '5']);
  expect(r.code).toBe(0);
});

describe('read-once arguments and properties', () => {
  test('the model solution passes, property case included', async () => {
    await fs.copyFile(path.join(repoRoot, 'fixtures', 'packs', 'features', id, 'solution.ts'), file());
    const r = await runCli(['check', id, '--workspace', ws, '--json']);
    const verdict = JSON.parse(r.stdout);
    expect(verdict.status).toBe('pass');
    expect(verdict.cases.map((c: { name: string }) => c.name)).toEqual(['two blocks', 'random blocks', 'the order of the blocks does not matter: three blocks, reversed']);
  });

  test('reading the blocks twice is an error that says they can be read once', async () => {
    await fs.copyFile(path.join(repoRoot, 'fixtures', 'learner', 'features', 'total-reads-twice.ts'), file());
    const r = await runCli(['check', id, '--workspace', ws]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Your function threw Error: These blocks can be read only once: make one pass over them');
    expect(r.stdout).toContain('\n  blocks  read-once list[2]\n    [0]  number[2]\n       0 1\n       1 2\n    [1]  number[1]\n       0\n       3\n');
  });

  test('a function that breaks the property fails the property case with its message', async () => {
    await fs.copyFile(path.join(repoRoot, 'fixtures', 'learner', 'features', 'total-weighted.ts'), file());
    const r = await runCli(['check', id, '--workspace', ws, '--json']);
    const verdict = JSON.parse(r.stdout);
    expect(verdict.status).toBe('fail');
    const property = verdict.cases.find((c: { name: string }) => c.name.startsWith('the order of the blocks'));
    expect(property.status).toBe('fail');
    expect(property.message).toMatch(/^total\(blocks\) = \d+ but total\(reversed blocks\) = \d+$/);
  });
});
