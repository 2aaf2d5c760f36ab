import { promises as fs, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { learnerFile, makeWorkspace, repoRoot, runCli, useSolution } from '../helpers/cli.js';
import { startInTerminal, stopTerminal, tmux, waitForScreen } from '../helpers/tmux.js';
import { needs } from '../helpers/tools.js';

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

describe('in a real terminal, they ask', needs('tmux'), () => {
  const sessions: string[] = [];
  /** A workspace of its own, so that the edits above do not count in doctor's re-grade. */
  let dir: string;
  beforeAll(async () => {
    dir = await makeWorkspace();
  });
  afterAll(() => sessions.forEach(stopTerminal));

  /** Runs `llm-tutor <args>` in a terminal of its own and waits for its question. */
  async function ask(name: string, args: string[], question: string): Promise<string> {
    const target = `llm-tutor-confirm-${process.pid}-${name}`;
    sessions.push(target);
    startInTerminal(target, dir, args);
    await waitForScreen(target, [question]);
    return target;
  }

  test('reset: y restores the starter', async () => {
    const file = learnerFile(dir, 'foundations/cross-entropy');
    await fs.writeFile(file, '// mine\n');
    const target = await ask('reset-y', ['reset', 'cross-entropy'], 'over exercises/transformer-core/foundations/cross-entropy.ts? Your file is backed up first. [y/N]');
    tmux('send-keys', '-t', target, 'y', 'Enter');
    await waitForScreen(target, ['Restored the starter of transformer-core/foundations/cross-entropy', '[exit 0]']);
    expect(await fs.readFile(file, 'utf8')).toContain('export function crossEntropy');
  });

  test('reset: Enter declines (changes nothing, exit 1); Ctrl-C exits 130', async () => {
    const file = learnerFile(dir, 'foundations/matmul');
    await fs.writeFile(file, '// mine\n');
    const question = 'Your file is backed up first. [y/N]';
    const declined = await ask('reset-enter', ['reset', 'matmul'], question);
    tmux('send-keys', '-t', declined, 'Enter');
    await waitForScreen(declined, ['Nothing changed.', '[exit 1]']);
    const interrupted = await ask('reset-ctrl-c', ['reset', 'matmul'], question);
    tmux('send-keys', '-t', interrupted, 'C-c');
    await waitForScreen(interrupted, ['[exit 130]']);
    expect(await fs.readFile(file, 'utf8')).toBe('// mine\n');
  });

  test('doctor --repair: n grades nothing (exit 1); Enter re-grades the edited files that have no record', { timeout: 90_000 }, async () => {
    await fs.writeFile(learnerFile(dir, 'foundations/matmul'), '// mine\n');
    await useSolution(dir, 'attention/scaled-dot-product');
    const question = 'Re-grade 2 files to rebuild your progress? [Y/n]';
    const declined = await ask('doctor-n', ['doctor', '--repair'], question);
    tmux('send-keys', '-t', declined, 'n', 'Enter');
    expect(await waitForScreen(declined, ['Not re-graded.', '[exit 1]'], 40_000)).not.toContain('[1/2]');
    const agreed = await ask('doctor-enter', ['doctor', '--repair'], question);
    tmux('send-keys', '-t', agreed, 'Enter');
    await waitForScreen(agreed, ['[1/2] ✗ transformer-core/foundations/matmul:', '[2/2] ✓ transformer-core/attention/scaled-dot-product:', 'Recovered 1 pass of 2 files re-graded.', '[exit 0]'], 40_000);
  });
});
