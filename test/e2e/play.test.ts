import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { learnerFile, makeWorkspace, repoRoot, runCli } from '../helpers/cli.js';
import { needs, runsHere } from '../helpers/tools.js';
import { screen, startInTerminal, stopTerminal, tmux, waitForScreen } from '../helpers/tmux.js';

// `llm-tutor play`: refused until the capstone's forward and generate pass; then the learner's own generate
// (here the model solution) writes text from the shipped weights, piped and on the interactive screen.
let ws: string;
const session = `llm-tutor-play-${process.pid}`;
const solution = (id: string) => fs.readFile(path.join(repoRoot, 'exercises', 'mini-gpt', id, 'solution.ts'), 'utf8');
const fileOf = (id: string) => learnerFile(ws, id, 'mini-gpt');

beforeAll(async () => {
  ws = await makeWorkspace(['transformer-core', 'training', 'scaling', 'inference', 'mini-gpt']);
}, 60_000);

afterAll(() => {
  if (runsHere('tmux')) stopTerminal(session);
});

describe('llm-tutor play', () => {
  test('refuses, in one line, until model/forward and model/generate pass; bad options are one line too', { timeout: 60_000 }, async () => {
    const refused = await runCli(['play'], { cwd: ws });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('play runs the GPT your own code runs, so model/forward and model/generate must pass first: model/forward and model/generate do not pass yet.');
    expect(refused.stderr).toContain('llm-tutor check model/forward');
    const model = await runCli(['play', '--model', 'gpt-5'], { cwd: ws });
    expect(model.code).toBe(2);
    expect(model.stderr).toContain('--model gpt-5: there is no such model; choose shakespeare or tang.');
    const temperature = await runCli(['play', '--temperature', 'hot'], { cwd: ws });
    expect(temperature.code).toBe(2);
    expect(temperature.stderr).toContain('--temperature must be a number such as 0.8, got "hot"');
  });

  test('once both pass, piped, it prints the prompt and the text your generate writes, the same each time', { timeout: 120_000 }, async () => {
    for (const id of ['model/forward', 'model/generate']) {
      await fs.writeFile(fileOf(id), await solution(id));
      const checked = await runCli(['check', id], { cwd: ws });
      expect(checked.code, checked.stdout + checked.stderr).toBe(0);
    }
    const first = await runCli(['play', '--tokens', '60'], { cwd: ws });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout.startsWith('ROMEO:\n')).toBe(true);
    expect(Array.from(first.stdout.trimEnd()).length).toBeGreaterThan(40);
    expect((await runCli(['play', '--tokens', '60'], { cwd: ws })).stdout).toBe(first.stdout);
    const tang = await runCli(['play', '--model', 'tang', '--prompt', '白日', '--tokens', '30', '--temperature', '0'], { cwd: ws });
    expect(tang.code, tang.stderr).toBe(0);
    expect(tang.stdout).toMatch(/^白日[\u3000-\u9fff\u3400-\u4dbf，。？\n]+$/u);
    const unknown = await runCli(['play', '--prompt', 'café'], { cwd: ws });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--prompt has "é", which the shakespeare model\'s 65 characters do not include.');
  });

  test("hostile text from the learner's generate is escaped: a thrown message cannot drive the terminal", { timeout: 120_000 }, async () => {
    // The hostile branch runs only on the prompt "Zq!", which no graded case uses: the file passes, then play meets it.
    const hostile = (await solution('model/generate')).replace(
      /export function generate\(([^)]*)\)([^{]*)\{/,
      (whole) => `${whole}\n  if (prompt.length === 3 && prompt.join() === [38, 55, 2].join()) throw new Error('\\u001b]2;pwned\\u0007 \\u001b[31mred');`,
    );
    expect(hostile).toContain('pwned');
    await fs.writeFile(fileOf('model/generate'), hostile);
    expect((await runCli(['check', 'model/generate'], { cwd: ws })).code).toBe(0);
    const result = await runCli(['play', '--prompt', 'Zq!', '--tokens', '8'], { cwd: ws });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Your generate threw: Error:');
    expect(result.stderr).not.toContain('\u001b');
    expect(result.stderr).not.toContain('\u0007');
    await fs.writeFile(fileOf('model/generate'), await solution('model/generate'));
    expect((await runCli(['check', 'model/generate'], { cwd: ws })).code).toBe(0);
  });

  test('in a real terminal: the text streams in, a key changes the temperature, c shows the reference agreeing, q quits', { ...needs('tmux'), timeout: 120_000 }, async () => {
    startInTerminal(session, ws, ['play', '--tokens', '3000']);
    await waitForScreen(session, ['llm-tutor play · shakespeare (809,856 parameters)', 'ROMEO:', /temperature 0\.8 · top-k off · top-p off · \d+ tokens\/s/, 'q quit'], 60_000);
    tmux('send-keys', '-t', session, 'Up');
    await waitForScreen(session, [/temperature 0\.9 ·/]);
    tmux('send-keys', '-t', session, 'k');
    await waitForScreen(session, [/top-k 1 ·/]);
    tmux('send-keys', '-t', session, 'c');
    await waitForScreen(session, ['your code', 'reference (TensorFlow.js)', /agree on all \d+ tokens so far/], 60_000);
    tmux('send-keys', '-t', session, 'q');
    await waitForScreen(session, ['[exit 0]'], 30_000);
    expect(screen(session)).not.toContain('Error');
  });
});
