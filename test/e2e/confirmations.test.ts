import { promises as fs, readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { learnerFile, makeWorkspace, repoRoot, runCli } from '../helpers/cli.js';

let ws: string;
let stateFile: string;

beforeAll(async () => {
  ws = await makeWorkspace();
  stateFile = path.join(ws, '.llm-tutor', 'state.json');
});

describe('without a terminal, commands that overwrite or spoil need --yes', () => {
  test('reset without --yes exits 2 with one line and changes nothing; with --yes it resets', async () => {
    const file = learnerFile(ws, 'foundations/matmul');
    await fs.writeFile(file, '// half-done work\n');
    const stateBefore = await fs.readFile(stateFile, 'utf8');
    const refused = await runCli(['reset', 'matmul'], { cwd: ws });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      'llm-tutor: `llm-tutor reset` would overwrite exercises/transformer-core/foundations/matmul.ts with the starter of transformer-core/foundations/matmul, and there is no terminal to ask in: add --yes to confirm.\n',
    );
    expect(refused.stdout).toBe('');
    expect(await fs.readFile(file, 'utf8')).toBe('// half-done work\n');
    expect(await fs.readFile(stateFile, 'utf8')).toBe(stateBefore);
    expect(readdirSync(path.dirname(stateFile))).toEqual(['state.json']);

    const reset = await runCli(['reset', 'matmul', '--yes'], { cwd: ws });
    expect(reset.code).toBe(0);
    expect(await fs.readFile(file, 'utf8')).toBe(await fs.readFile(path.join(repoRoot, 'exercises', 'transformer-core', 'foundations', 'matmul', 'starter.ts'), 'utf8'));
    expect(readdirSync(path.join(ws, '.llm-tutor', 'backups'))).toHaveLength(1);
  });

  test('-y is --yes', async () => {
    const file = learnerFile(ws, 'foundations/softmax');
    await fs.writeFile(file, '// mine\n');
    expect((await runCli(['reset', 'softmax', '-y'], { cwd: ws })).code).toBe(0);
    expect(await fs.readFile(file, 'utf8')).toContain('export function softmax');
  });

  test('solution --force without --yes exits 2 with one line and shows nothing', async () => {
    const refused = await runCli(['solution', 'cross-entropy', '--force'], { cwd: ws });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      'llm-tutor: `llm-tutor solution --force` would show the model solution of transformer-core/foundations/cross-entropy, which does not pass yet, and there is no terminal to ask in: add --yes to confirm.\n',
    );
    expect(refused.stdout).toBe('');
  });

  test('--help states the rule', async () => {
    const help = await runCli(['--help']);
    expect(help.stdout).toContain("reset, solution --force and doctor --repair's re-grade ask first in a terminal; without one they need --yes (exit 2 otherwise).");
    for (const command of ['reset', 'solution', 'doctor']) {
      expect((await runCli([command, '--help'])).stdout).toMatch(/-y, --yes +(with --\w+: )?(re-grade without asking|do not ask) \(needed without a terminal\)/);
    }
  });
});
