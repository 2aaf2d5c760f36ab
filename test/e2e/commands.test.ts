import { execFileSync } from 'node:child_process';
import { existsSync, promises as fs, readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { bin, builtinExerciseCount, builtinPackIds, learnerFile, makeWorkspace, repoRoot, runCli, tempDir, useFixture, useSolution } from '../helpers/cli.js';

let ws: string;

beforeAll(async () => {
  ws = await makeWorkspace();
});

describe('init and the workspace', () => {
  test('init writes config, progress, editor files and a starter per exercise', async () => {
    const config = JSON.parse(await fs.readFile(path.join(ws, 'llm-tutor.json'), 'utf8'));
    expect(config).toEqual({ formatVersion: 1, packs: builtinPackIds, options: { seed: 1234 } });
    expect(existsSync(path.join(ws, '.llm-tutor', 'state.json'))).toBe(true);
    expect(existsSync(path.join(ws, 'tsconfig.json'))).toBe(true);
    expect(await fs.readFile(path.join(ws, 'llm-tutor-env.d.ts'), 'utf8')).toContain('type Matrix = number[][];');
    const starter = await fs.readFile(learnerFile(ws, 'attention/causal-mask'), 'utf8');
    expect(starter).toContain('export function causalAttention(q: Matrix, k: Matrix, v: Matrix): Matrix');
  });

  test('the workspace type-checks with TypeScript and no install (starters and solutions)', async () => {
    await useSolution(ws, 'foundations/matmul');
    const tsc = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    const { execFileSync } = await import('node:child_process');
    expect(() => execFileSync(process.execPath, [tsc, '-p', ws], { stdio: 'pipe' })).not.toThrow();
  });

  test('init on an existing workspace keeps the learner files and writes only missing starters', async () => {
    const file = learnerFile(ws, 'foundations/softmax');
    await fs.writeFile(file, '// my work\n');
    await fs.rm(learnerFile(ws, 'attention/causal-mask'));
    const r = await runCli(['init', ws]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('wrote 1 missing starter file, kept every existing file');
    expect(await fs.readFile(file, 'utf8')).toBe('// my work\n');
    expect(existsSync(learnerFile(ws, 'attention/causal-mask'))).toBe(true);
  });

  test('commands find the workspace from a sub-folder', async () => {
    const r = await runCli(['list'], { cwd: path.join(ws, 'exercises', 'transformer-core') });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/1 · foundations\/matmul +Matrix multiplication/);
  });

  test('outside a workspace, a command says how to create one', async () => {
    const r = await runCli(['list'], { cwd: tempDir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('llm-tutor: No llm-tutor workspace here, in any parent folder or in ./llm-tutor-workspace.\nRun `llm-tutor init` to create one, or pass --workspace DIR.\n');
  });

  test('next creates ./llm-tutor-workspace when there is none, and says so', async () => {
    const dir = tempDir();
    const r = await runCli(['next', '--once'], { cwd: dir });
    expect(r.stdout).toContain('No workspace here, so one was created in ./llm-tutor-workspace');
    expect(r.stdout).toContain('1. Matrix multiplication');
    expect(r.stdout).toContain('Edit: llm-tutor-workspace/exercises/transformer-core/foundations/matmul.ts');
    expect(r.stdout).toContain('Not implemented yet');
    expect(r.code).toBe(1);
    expect(existsSync(path.join(dir, 'llm-tutor-workspace', 'llm-tutor.json'))).toBe(true);
  });

  test('right after npm start, with llm-tutor not on the PATH, every command printed runs as printed', async () => {
    const dir = tempDir();
    // A PATH with node only, as a learner has who cloned the project and ran `npm start`.
    const env = { LLM_TUTOR_COMMAND: '', PATH: path.dirname(process.execPath) };
    const r = await runCli(['next', '--once'], { cwd: dir, env });
    // node and the path of this clone's bin/llm-tutor.js, from this folder.
    const command = r.stdout.match(/Run the tutor from this folder as `(node [^`]+) <command>` \(`npm install -g \.` in this folder puts `llm-tutor` on your PATH\)/)![1];
    expect(path.resolve(dir, command.slice('node '.length))).toBe(bin);
    const lessonLine = r.stdout.split('\n').find((text) => text.startsWith('Lesson: '))!;
    const lesson = lessonLine.match(/^Lesson: (.*?)   Hint: (.*)$/)!;
    expect(lesson[1]).toBe(`${command} lesson foundations/matmul`);
    for (const printed of [lesson[1], lesson[2]]) {
      const ran = execFileSync('sh', ['-c', printed], { cwd: dir, env: { ...process.env, ...env, NO_COLOR: '1' }, encoding: 'utf8' });
      expect(ran).toContain('foundations/matmul');
    }
    // The other commands find ./llm-tutor-workspace from this folder too, as next does.
    const check = await runCli(['check', '1'], { cwd: dir, env });
    expect(check.stdout).toContain(`then run \`${command} check foundations/matmul\` again`);
    // Installed on the PATH, the tutor says plain `llm-tutor`.
    const bins = tempDir();
    await fs.writeFile(path.join(bins, 'llm-tutor'), '#!/bin/sh\n', { mode: 0o755 });
    const installed = await runCli(['check', '1'], { cwd: dir, env: { LLM_TUTOR_COMMAND: '', PATH: `${bins}${path.delimiter}${env.PATH}` } });
    expect(installed.stdout).toContain('then run `llm-tutor check foundations/matmul` again');
  });

  test('a read-only folder gives one clear line', async () => {
    if (process.getuid?.() === 0) {
      // root ignores file permissions; use a path under a file instead, which no one can create.
      const file = path.join(tempDir(), 'a-file');
      await fs.writeFile(file, '');
      const r = await runCli(['init', path.join(file, 'ws')]);
      expect(r.code).not.toBe(0);
      expect(r.stderr.split('\n').filter(Boolean).length).toBeLessThanOrEqual(2);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      return;
    }
    const dir = tempDir();
    await fs.chmod(dir, 0o555);
    const r = await runCli(['init', path.join(dir, 'ws')]);
    expect(r.stderr).toContain('permission denied');
  });
});

describe('usage errors get one clear line and exit code 2', () => {
  test.each([
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['check', '--bogus'], /unknown option '--bogus'/],
    [['check', 'no-such-exercise'], /Unknown exercise "no-such-exercise"\./],
    [['check', '999'], /No exercise number 999: there are \d+\./],
    [['list', '--backend', 'gpu'], /Allowed choices are node, wasm, cpu/],
    [['list', '--seed', 'abc'], /--seed must be a whole number/],
    [['example', 'softmax', '--case', '100'], /--case must be a number from 1 to \d+/],
  ])('%j', async (args, message) => {
    const r = await runCli([...args, '--workspace', ws]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });

  test('a missing learner file, or a folder in its place, is one clear line', async () => {
    const dir = await makeWorkspace();
    await fs.rm(learnerFile(dir, 'foundations/softmax'));
    const missing = await runCli(['check', 'softmax', '--workspace', dir]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`llm-tutor: Your file for transformer-core/foundations/softmax is missing: ${learnerFile(dir, 'foundations/softmax')}\nRun \`llm-tutor reset foundations/softmax\` to write the starter again.\n`);
    await fs.mkdir(learnerFile(dir, 'foundations/softmax'));
    const folder = await runCli(['check', 'softmax', '--workspace', dir]);
    expect(folder.code).toBe(1);
    expect(folder.stderr).toBe('');
    expect(folder.stdout).toMatch(/^ERROR .*\n  Your file could not be compiled/);
  });

  test('a broken llm-tutor.json names the file and the field', async () => {
    const dir = tempDir();
    await fs.writeFile(path.join(dir, 'llm-tutor.json'), JSON.stringify({ formatVersion: 1, packs: ['transformer-core'], colour: true }));
    const r = await runCli(['list'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`llm-tutor: ${path.join(dir, 'llm-tutor.json')}: unknown field "colour": remove it or check the spelling`);
  });

  test('an unknown pack in llm-tutor.json lists the built-in ones', async () => {
    const dir = tempDir();
    await fs.writeFile(path.join(dir, 'llm-tutor.json'), JSON.stringify({ formatVersion: 1, packs: ['transformers'] }));
    const r = await runCli(['list'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`Unknown pack "transformers" in ${path.join(dir, 'llm-tutor.json')}.\nBuilt-in packs: ${builtinPackIds.join(', ')}.`);
  });

  test('--version and --help exit 0', async () => {
    const version = await runCli(['--version']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(version.code).toBe(0);
    const help = await runCli(['--help']);
    expect(help.stdout).toContain('Usage: llm-tutor');
    expect(help.code).toBe(0);
  });
});

describe('progress survives damage', () => {
  test('a corrupt state file gives a clear error, keeps a backup, and doctor --repair fixes it', async () => {
    const dir = await makeWorkspace();
    const stateFile = path.join(dir, '.llm-tutor', 'state.json');
    await fs.writeFile(stateFile, '{"formatVersion":1,"exercises":{"transformer-core/foundations/matmul":{"status":"passed","attempts":1,"hintsRevealed":0}},"packVer');
    const r = await runCli(['list', '--workspace', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^llm-tutor: Progress file .*state\.json is damaged \(invalid JSON at line 1, column \d+\)\. A copy is kept at .*state\.json\.corrupt-[0-9a-f]{8}\.\n/);
    expect(r.stderr).toContain('llm-tutor doctor --repair');
    const backups = readdirSync(path.dirname(stateFile)).filter((f) => f.startsWith('state.json.corrupt-'));
    expect(backups).toHaveLength(1);
    const doctor = await runCli(['doctor', '--workspace', dir]);
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toMatch(/✗ progress .*Run `llm-tutor doctor --repair`/);
    const repaired = await runCli(['doctor', '--repair', '--workspace', dir]);
    expect(repaired.stdout).toMatch(/✓ progress +repaired: kept 0 exercise records/);
    expect((await runCli(['list', '--workspace', dir])).code).toBe(0);
  });
});

describe('progress follows the files', () => {
  test('a pass whose file, or a file it imports, has changed since is not counted until it is checked again', async () => {
    const dir = await makeWorkspace();
    const softmax = learnerFile(dir, 'foundations/softmax');
    await useSolution(dir, 'foundations/softmax');
    await fs.copyFile(path.join(repoRoot, 'fixtures', 'learner', 'padding-mask-imports-softmax.ts'), learnerFile(dir, 'attention/padding-mask'));
    for (const id of ['softmax', 'padding-mask']) expect((await runCli(['check', id, '--workspace', dir])).code).toBe(0);
    const rowOf = (stdout: string, id: string) => stdout.split('\n').find((line) => line.includes(` ${id} `));
    const passing = await runCli(['list', '--workspace', dir]);
    expect(rowOf(passing.stdout, 'foundations/softmax')).toMatch(/^ +2 ✓ /);
    expect(passing.stdout).toContain(`2 of ${builtinExerciseCount} exercises pass.`);

    await fs.writeFile(softmax, 'export function softmax(x: Vector): Vector {\n  return x.map(() => 1 / x.length);\n}\n');
    const changed = await runCli(['list', '--workspace', dir]);
    for (const id of ['foundations/softmax', 'attention/padding-mask']) expect(rowOf(changed.stdout, id)).toMatch(/~ .*\(changed since it passed: check it again\)/);
    expect(changed.stdout).toContain(`0 of ${builtinExerciseCount} exercises pass.`);
    const check = await runCli(['check', 'padding-mask', '--workspace', dir]);
    expect(check.code).toBe(1);
    expect(check.stdout.replace(/\s+/g, ' ')).toContain('This file imports softmax.ts (transformer-core/foundations/softmax), which has changed since it passed');

    await useSolution(dir, 'foundations/softmax');
    const restored = await runCli(['list', '--workspace', dir]);
    expect(rowOf(restored.stdout, 'foundations/softmax')).toMatch(/^ +2 ✓ /);
    expect(restored.stdout).toContain(`1 of ${builtinExerciseCount} exercises pass.`);
  });
});

describe('hints, lessons, examples, solutions, reset', () => {
  test('hint reveals tiered hints one at a time and records them', async () => {
    const first = await runCli(['hint', 'softmax', '--workspace', ws]);
    expect(first.stdout).toContain('Hint 1/3');
    expect(first.stdout).not.toContain('Hint 2/3');
    const second = await runCli(['hint', 'softmax', '--workspace', ws]);
    expect(second.stdout).toContain('Hint 1/3');
    expect(second.stdout).toContain('Hint 2/3');
    const state = JSON.parse(await fs.readFile(path.join(ws, '.llm-tutor', 'state.json'), 'utf8'));
    expect(state.exercises['transformer-core/foundations/softmax'].revealedHints).toEqual(['tier:1', 'tier:2']);
    await runCli(['hint', 'softmax', '--workspace', ws]);
    const last = await runCli(['hint', 'softmax', '--workspace', ws]);
    expect(last.stdout).toContain('That was the last hint.');
  });

  test('after a check that diagnoses a mistake, hint reveals that mistake’s hint first, then the tiered ones', async () => {
    const dir = await makeWorkspace();
    await useFixture(dir, 'foundations/softmax', 'softmax-no-max.ts');
    expect((await runCli(['check', 'softmax', '--workspace', dir])).stdout).toContain('Likely mistake: exponentiating without subtracting the max');
    const mistake = 'Hint for “exponentiating without subtracting the max”\n  Evaluate Math.exp(1000) and Math.exp(-1000) in Node. Softmax gives the same result if you shift every entry by one constant: pick the constant that keeps every exponent at or below 0.\n';
    const first = await runCli(['hint', 'softmax', '--workspace', dir]);
    expect(first.stdout).toBe(`transformer-core/foundations/softmax — A numerically stable softmax\n\n${mistake}\nRun \`llm-tutor hint foundations/softmax\` again for the next one.\n`);
    const second = await runCli(['hint', 'softmax', '--workspace', dir]);
    expect(second.stdout).toMatch(new RegExp(`^[^\n]+\n\n${mistake.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\nHint 1/3\n  Start from the worked example`));
    const state = JSON.parse(await fs.readFile(path.join(dir, '.llm-tutor', 'state.json'), 'utf8'));
    expect(state.exercises['transformer-core/foundations/softmax']).toMatchObject({
      status: 'failed',
      diagnosis: { misconceptionId: 'no-max-subtraction', confidence: 'full' },
      revealedHints: ['mistake:no-max-subtraction', 'tier:1'],
    });
  });

  test('lesson prints the lesson rendered at 80 columns, and the file to edit', async () => {
    const r = await runCli(['lesson', 'softmax', '--workspace', ws]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^A numerically stable softmax\n\nThe idea\. Softmax turns a vector of real scores \(logits\) into a probability\n/);
    expect(r.stdout).not.toContain('**');
    expect(r.stdout).toMatch(/\n\nYour file: \S*exercises\/transformer-core\/foundations\/softmax\.ts\nCheck it: {2}llm-tutor check foundations\/softmax\n$/);
  });

  test('lesson holds back its "In practice" section until the exercise passes: the library call is often the answer', async () => {
    const own = await makeWorkspace();
    const before = await runCli(['lesson', 'softmax', '--workspace', own]);
    expect(before.stdout).toContain('\nIn practice: PyTorch and TensorFlow.js\n\nShown once your file passes:');
    expect(before.stdout).not.toContain('F.softmax(x, dim=-1)');
    await useSolution(own, 'foundations/softmax');
    expect((await runCli(['check', 'softmax', '--workspace', own])).code).toBe(0);
    const after = await runCli(['lesson', 'softmax', '--workspace', own]);
    expect(after.stdout).toContain('result = F.softmax(x, dim=-1)');
    expect(after.stdout).not.toContain('Shown once your file passes');
  });

  test('lesson --width wraps at that width; a width below 20 is a usage error', async () => {
    const r = await runCli(['lesson', 'softmax', '--width', '40', '--workspace', ws]);
    expect(r.stdout).toMatch(/^A numerically stable softmax\n\nThe idea\. Softmax turns a vector of real\nscores \(logits\) into a probability\n/);
    const narrow = await runCli(['lesson', 'softmax', '--width', '5', '--workspace', ws]);
    expect(narrow.code).toBe(2);
    expect(narrow.stderr).toContain('--width must be a whole number of columns, at least 20, got "5"');
  });

  test('example shows a case and its expected output; --json keeps -Infinity', async () => {
    const text = await runCli(['example', 'softmax', '--workspace', ws]);
    expect(text.stdout).toContain('case 1 of 9: the lesson example [1, 2, 3]');
    const json = await runCli(['example', 'softmax', '--case', '9', '--json', '--workspace', ws]);
    const data = JSON.parse(json.stdout);
    expect(data.args).toEqual([['-Infinity', '-Infinity', '-Infinity']]);
    expect(data.expected).toEqual([0, 0, 0]);
  });

  test('check --json writes -Infinity as the string "-Infinity", as example and grade do (docs/results-schema.md)', async () => {
    const file = learnerFile(ws, 'foundations/matmul');
    const before = await fs.readFile(file, 'utf8');
    await fs.writeFile(file, 'export function matmul(a: Matrix, b: Matrix): Matrix { return a.map(() => b[0].map(() => -Infinity)); }\n');
    try {
      const r = await runCli(['check', 'matmul', '--json', '--workspace', ws]);
      expect(r.code).toBe(1);
      const nonFinite = JSON.parse(r.stdout).cases[0].mismatch.diff.nonFinite;
      expect(nonFinite[0]).toEqual({ index: [0, 0], expected: 58, got: '-Infinity' });
    } finally {
      await fs.writeFile(file, before);
    }
  });

  test('--seed changes the random cases but not the named ones', async () => {
    const a = JSON.parse((await runCli(['example', 'softmax', '--case', '3', '--json', '--seed', '1', '--workspace', ws])).stdout);
    const b = JSON.parse((await runCli(['example', 'softmax', '--case', '3', '--json', '--seed', '2', '--workspace', ws])).stdout);
    expect(a.args).not.toEqual(b.args);
    const c = JSON.parse((await runCli(['example', 'softmax', '--case', '3', '--json', '--seed', '1', '--workspace', ws])).stdout);
    expect(c.args).toEqual(a.args);
  });

  test('solution stays hidden until the exercise passes', async () => {
    const hidden = await runCli(['solution', 'cross-entropy', '--workspace', ws]);
    expect(hidden.code).toBe(1);
    expect(hidden.stderr).toContain('does not pass yet, so its solution stays hidden');
    const forced = await runCli(['solution', 'cross-entropy', '--force', '--yes', '--workspace', ws]);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain('export function crossEntropy');
  });

  test('reset restores the starter and keeps a backup of the learner file', async () => {
    const file = learnerFile(ws, 'foundations/matmul');
    await fs.writeFile(file, '// half-done work\n');
    const r = await runCli(['reset', 'matmul', '--yes', '--workspace', ws]);
    expect(r.code).toBe(0);
    expect(await fs.readFile(file, 'utf8')).toContain("throw new Error('not implemented')");
    const backups = readdirSync(path.join(ws, '.llm-tutor', 'backups'));
    expect(backups.some((b) => b.startsWith('transformer-core__foundations__matmul.'))).toBe(true);
    const backup = backups.find((b) => b.startsWith('transformer-core__foundations__matmul.'))!;
    expect(await fs.readFile(path.join(ws, '.llm-tutor', 'backups', backup), 'utf8')).toBe('// half-done work\n');
  });
});

describe('doctor', () => {
  test('reports the backend in use and why the others were not used, and the sandbox', async () => {
    const r = await runCli(['doctor', '--workspace', ws]);
    expect(r.stdout).toMatch(/✓ tfjs backend +wasm, loaded in \d+ ms; not used: node: @tensorflow\/tfjs-node is not installed \(it is optional\)/);
    expect(r.stdout).toMatch(/✓ sandbox +a probe ran (inside bubblewrap )?with file writes and signals to other processes blocked/);
    expect(r.stdout).toMatch(/[✓!] isolation +(bwrap|permission) /);
    expect(r.code).toBe(0);
  });

  test('--backend cpu forces the cpu backend', async () => {
    const r = await runCli(['doctor', '--backend', 'cpu', '--workspace', ws]);
    expect(r.stdout).toMatch(/✓ tfjs backend +cpu \(forced with --backend\)/);
    expect(r.stdout + r.stderr).not.toContain('Hi, looks like');
  });
});
