import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { regularFilesUnder, repoRoot, runCli, tempDir } from '../helpers/cli.js';

const tscBin = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');

/** `tsc -p tsconfig.json` in `dir`: its exit code and what it printed. */
function typeCheck(dir: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [tscBin, '-p', 'tsconfig.json'], { cwd: dir, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: stdout + stderr });
    });
  });
}

/** A new pack from `pack new`, in a folder of its own. */
async function newPack(name = 'my-course'): Promise<string> {
  const dir = path.join(tempDir(), name);
  const created = await runCli(['pack', 'new', dir]);
  if (created.code !== 0) throw new Error(`pack new failed: ${created.stderr}`);
  return dir;
}

/** What `npm install` in the pack leaves for llm-tutor: node_modules/llm-tutor, here a link to this repository. */
async function linkLlmTutor(dir: string): Promise<void> {
  await fs.mkdir(path.join(dir, 'node_modules'), { recursive: true });
  await fs.symlink(repoRoot, path.join(dir, 'node_modules', 'llm-tutor'), 'dir');
}

const readJson = async (file: string) => JSON.parse(await fs.readFile(file, 'utf8'));

describe('pack new: a pack that works in any clone', () => {
  test('no generated file names a path of this machine; $schema and the types resolve through node_modules/llm-tutor', { timeout: 240_000 }, async () => {
    const dir = await newPack();
    for (const file of await regularFilesUnder(dir)) {
      const text = await fs.readFile(file, 'utf8');
      for (const local of [repoRoot, path.dirname(dir), os.homedir(), os.tmpdir()]) expect(text, path.relative(dir, file)).not.toContain(local);
      expect(text, path.relative(dir, file)).not.toMatch(/"\.\.\//);
    }
    const manifest = await readJson(path.join(dir, 'pack.json'));
    expect(manifest.$schema).toBe('./node_modules/llm-tutor/schemas/pack.schema.json');
    const packageJson = await readJson(path.join(dir, 'package.json'));
    expect(packageJson.devDependencies).toEqual({ 'llm-tutor': `^${(await readJson(path.join(repoRoot, 'package.json'))).version}` });
    expect((await readJson(path.join(dir, 'tsconfig.json'))).compilerOptions.paths).toBeUndefined();

    // Before npm install, llm-tutor/pack is not found: the pack looks nowhere else for it.
    const before = await typeCheck(dir);
    expect(before.code).not.toBe(0);
    expect(before.output).toContain("Cannot find module 'llm-tutor/pack'");

    await linkLlmTutor(dir);
    expect((await readJson(path.resolve(dir, manifest.$schema))).title).toBe('llm-tutor pack manifest (pack.json)');
    const after = await typeCheck(dir);
    expect(after.output).toBe('');
    expect(after.code).toBe(0);

    // The definition is checked against llm-tutor's own types.
    const definition = path.join(dir, 'basics', 'relu', 'exercise.ts');
    await fs.writeFile(definition, (await fs.readFile(definition, 'utf8')).replace("entry: 'relu',", 'entry: 42,'));
    const broken = await typeCheck(dir);
    expect(broken.code).not.toBe(0);
    expect(broken.output).toMatch(/basics\/relu\/exercise\.ts\(\d+,\d+\): error TS2322: Type 'number' is not assignable to type 'string'/);
  });
});

describe('pack new-exercise: one more exercise in an existing pack', () => {
  test('writes the four files, lists the exercise last in pack.json, and the pack still validates', { timeout: 120_000 }, async () => {
    const dir = await newPack();
    const added = await runCli(['pack', 'new-exercise', dir, 'attention/causal-mask'], { cwd: path.dirname(dir) });
    expect(added.code).toBe(0);
    expect(added.stdout.split('\n')[0]).toBe('Added the exercise "attention/causal-mask" to my-course: 4 files in attention/causal-mask/, listed last in pack.json.');
    const manifest = await readJson(path.join(dir, 'pack.json'));
    expect(manifest.exercises).toEqual([
      { id: 'basics/relu', title: 'ReLU' },
      { id: 'attention/causal-mask', title: 'Causal mask' },
    ]);
    expect(manifest.$schema).toBe('./node_modules/llm-tutor/schemas/pack.schema.json');
    const folder = path.join(dir, 'attention', 'causal-mask');
    expect((await fs.readdir(folder)).sort()).toEqual(['exercise.ts', 'lesson.md', 'solution.ts', 'starter.ts']);
    expect(await fs.readFile(path.join(folder, 'starter.ts'), 'utf8')).toContain("export function causalMask(x: Vector): Vector {\n  throw new Error('not implemented');");
    expect(await fs.readFile(path.join(folder, 'lesson.md'), 'utf8')).toMatch(/^# Causal mask\n\n\*\*The idea\.\*\*/);

    const titled = await runCli(['pack', 'new-exercise', dir, 'attention/alibi', '--title', 'ALiBi biases']);
    expect(titled.code).toBe(0);
    expect((await readJson(path.join(dir, 'pack.json'))).exercises[2]).toEqual({ id: 'attention/alibi', title: 'ALiBi biases' });

    const valid = await runCli(['pack', 'validate', dir]);
    expect(valid.stdout).toContain('✓ attention/causal-mask: 2 misconceptions, 2 hints');
    expect(valid.stdout).toContain('my-course 0.1.0 is valid: 3 exercises');
    expect(valid.code).toBe(0);
  });

  test('a taken id, an invalid id and a folder without a pack are refused, each in one line, and nothing is written', async () => {
    const dir = await newPack();
    const manifestBefore = await fs.readFile(path.join(dir, 'pack.json'), 'utf8');
    const taken = await runCli(['pack', 'new-exercise', dir, 'basics/relu']);
    expect(taken.code).toBe(2);
    expect(taken.stderr.split('\n')[0]).toBe(`llm-tutor: ${path.join(dir, 'pack.json')} already lists the exercise "basics/relu".`);
    const invalid = await runCli(['pack', 'new-exercise', dir, 'Attention/Causal_Mask']);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr.split('\n')[0]).toBe('llm-tutor: "Attention/Causal_Mask" is not a valid exercise id: it must be lower-case words joined by "-" and "/", e.g. "attention/causal-mask".');
    expect(await fs.readFile(path.join(dir, 'pack.json'), 'utf8')).toBe(manifestBefore);
    expect(await fs.readdir(dir)).not.toContain('Attention');

    await fs.mkdir(path.join(dir, 'extra', 'one'), { recursive: true });
    const stray = await runCli(['pack', 'new-exercise', dir, 'extra/one']);
    expect(stray.code).toBe(2);
    expect(stray.stderr.split('\n')[0]).toBe(`llm-tutor: ${path.join(dir, 'extra', 'one')} already exists, though pack.json does not list it.`);

    const empty = tempDir();
    const noPack = await runCli(['pack', 'new-exercise', empty, 'basics/gelu']);
    expect(noPack.code).toBe(2);
    expect(noPack.stderr).toBe(`llm-tutor: ${empty} holds no pack (no pack.json).\nCreate one with \`llm-tutor pack new ${empty}\`, or give the folder of an existing pack.\n`);
    expect(await fs.readdir(empty)).toEqual([]);
  });
});

describe('pack preview: an exercise as a learner meets it, without a workspace', () => {
  test('the lesson, the first case with its expected output, and every hint; the first exercise by default', { timeout: 120_000 }, async () => {
    const dir = await newPack();
    const outside = tempDir();
    const preview = await runCli(['pack', 'preview', dir], { cwd: outside });
    expect(preview.stderr).toBe('');
    expect(preview.code).toBe(0);
    const text = preview.stdout;
    expect(text).toContain('Preview of my-course/basics/relu (1 exercise in the pack): the lesson, an example case and the hints, as a learner sees them.\nReLU\n\nThe idea. The rectified linear unit keeps positive numbers');
    expect(text).toContain('\nPitfalls\n\n• Keeping the negatives and zeroing the positives');
    expect(text).toContain(
      [
        'Example',
        '',
        'my-course/basics/relu — case 1 of 4: the lesson example (seed 42)',
        '',
        'call  relu(x: Vector): Vector',
        '',
        'x  number[5]',
        '      0    1    2    3    4',
        '     -2 -0.5    0  1.5    3',
        '',
        'expected output  number[5]',
        '     0   1   2   3   4',
        '     0   0   0 1.5   3',
        '',
        'Hints',
        '',
        'Hint 1/2',
        '  Look at each entry on its own: what happens to a negative one?',
        '',
        'Hint 2/2',
        '  x.map((v) => (v > 0 ? v : 0)).',
        '',
        'Hint for “the comparison is the wrong way round”',
        '  Try x = [-2, 3] by hand: which entry should survive? Check the direction of your comparison.',
        '',
        'Hint for “a leaky ReLU instead of a ReLU”',
        '  What should a negative entry become: a small multiple of itself, or exactly 0?',
      ].join('\n'),
    );
    expect(await fs.readdir(outside)).toEqual([]);
  });

  test('an exercise by id, with the seed asked for; an unknown id names the pack\'s exercises', { timeout: 120_000 }, async () => {
    const dir = await newPack();
    await runCli(['pack', 'new-exercise', dir, 'attention/causal-mask']);
    const preview = await runCli(['pack', 'preview', dir, 'causal-mask', '--seed', '7']);
    expect(preview.code).toBe(0);
    expect(preview.stdout).toContain('Preview of my-course/attention/causal-mask (2 exercises in the pack)');
    expect(preview.stdout).toContain('\nCausal mask\n\nThe idea. In a sentence or two');
    expect(preview.stdout).toContain('my-course/attention/causal-mask — case 1 of 4: the lesson example (seed 7)\n\ncall  causalMask(x: Vector): Vector');

    const unknown = await runCli(['pack', 'preview', dir, 'gelu']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(`llm-tutor: Unknown exercise "gelu".\nThe exercises of the pack in ${dir}: basics/relu, attention/causal-mask.\n`);
    const extra = await runCli(['pack', 'preview', dir, 'basics/relu', 'more']);
    expect(extra.code).toBe(2);
    expect(extra.stderr.split('\n')[0]).toBe('llm-tutor: llm-tutor pack preview takes at most 2 arguments; got 3: ' + `${dir} basics/relu more.`);
  });
});
