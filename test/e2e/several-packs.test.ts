import { existsSync, promises as fs, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { repoRoot, runCli, tempDir } from '../helpers/cli.js';
import { addBuiltinPack, copyPackage, firstOfTransformerCore, trainingForTests, type PackageCopy } from '../helpers/package-copy.js';

// The learner's path through several built-in packs, run on a copy of the package whose built-in packs are
// transformer-core cut to two exercises and a small `training` (which sorts before transformer-core by name).

const tcVersion = firstOfTransformerCore(2).version as string;
const readJson = async (file: string) => JSON.parse(await fs.readFile(file, 'utf8'));
const stateOf = (ws: string) => readJson(path.join(ws, '.llm-tutor', 'state.json'));

/** Copies the model solution of `id` in `packDir` (relative to the repository) over the workspace's learner file. */
async function solve(ws: string, pack: string, packDir: string, id: string): Promise<void> {
  await fs.copyFile(path.join(repoRoot, packDir, id, 'solution.ts'), path.join(ws, 'exercises', pack, `${id}.ts`));
}

async function copyWithBothPacks(): Promise<PackageCopy> {
  const copy = await copyPackage();
  await addBuiltinPack(copy, 'exercises/transformer-core', firstOfTransformerCore(2));
  await addBuiltinPack(copy, 'fixtures/packs/points', trainingForTests());
  return copy;
}

describe('a workspace made with two built-in packs', () => {
  let copy: PackageCopy;
  let ws: string;
  const cli = (...args: string[]) => runCli([...args, '--workspace', ws], { bin: copy.bin });

  beforeAll(async () => {
    copy = await copyWithBothPacks();
    ws = path.join(tempDir(), 'ws');
    const init = await runCli(['init', ws, '--seed', '7'], { bin: copy.bin });
    expect(init.stdout.split('\n')[0]).toBe(`Created an llm-tutor workspace in ${path.relative(os.tmpdir(), ws)} with 4 exercises (transformer-core, training).`);
  });

  test('init enables both, in syllabus order, and offers nothing', async () => {
    expect((await readJson(path.join(ws, 'llm-tutor.json'))).packs).toEqual(['transformer-core', 'training']);
    expect((await stateOf(ws)).builtinPacksKnown).toEqual(['transformer-core', 'training']);
    expect(existsSync(path.join(ws, 'exercises', 'training', 'scalar', 'clamp.ts'))).toBe(true);
    expect((await cli('list')).stderr).toBe('');
  });

  test('init takes --packs, and says so when given --pack', async () => {
    const r = await runCli(['init', path.join(tempDir(), 'other'), '--pack', 'training'], { bin: copy.bin });
    expect(r.stderr).toBe('llm-tutor: init enables packs with --packs, not --pack.\nRun `llm-tutor init --packs training` (the built-in packs it requires are enabled too).\n');
    expect(r.code).toBe(2);
  });

  test('list groups the exercises by pack and track, with a progress line per pack', async () => {
    const r = await cli('list');
    expect(r.stdout).toBe(
      [
        `Transformer core (transformer-core ${tcVersion}) 0/2 passed`,
        '    foundations',
        '  1 · foundations/matmul             Matrix multiplication ← current',
        '  2 · foundations/softmax            A numerically stable softmax',
        '',
        'Training (training 0.1.0) 0/2 passed',
        '    scalar',
        '  3 · scalar/leaky-relu              Leaky ReLU of one number',
        '  4 · scalar/clamp                   Clamp a number into a range',
        '',
        '0 of 4 exercises pass.',
        '',
      ].join('\n'),
    );
    const json = JSON.parse((await cli('list', '--json')).stdout) as { number: number; pack: string; track: string; id: string }[];
    expect(json.map(({ number, pack, track, id }) => `${number} ${pack} ${track} ${id}`)).toEqual(['1 transformer-core foundations foundations/matmul', '2 transformer-core foundations foundations/softmax', '3 training scalar scalar/leaky-relu', '4 training scalar scalar/clamp']);
  });
});

test('next moves on to the second pack once the first passes, and --pack narrows every command to one pack', async () => {
  const copy = await copyWithBothPacks();
  const ws = path.join(tempDir(), 'ws');
  const cli = (...args: string[]) => runCli([...args, '--workspace', ws], { bin: copy.bin });
  expect((await runCli(['init', ws, '--seed', '7'], { bin: copy.bin })).code).toBe(0);
  for (const id of ['foundations/matmul', 'foundations/softmax']) {
    await solve(ws, 'transformer-core', 'exercises/transformer-core', id);
    expect((await cli('check', id)).code).toBe(0);
  }

  const next = await cli('next', '--once');
  expect(next.stdout.split('\n')[0]).toBe('Training ░░░░░░░░░░░░░░░░░░░░ 0/2 solved');
  expect(next.stdout.split('\n')[2]).toBe('3. Leaky ReLU of one number (scalar/leaky-relu)');
  expect(next.code).toBe(1);

  const firstPack = await cli('next', '--once', '--pack', 'transformer-core');
  expect(firstPack.stdout.split('\n')[0]).toBe('All 2 exercises pass. Well done!');
  expect(firstPack.code).toBe(0);

  const list = await cli('list', '--pack', 'training');
  expect(list.stdout.split('\n').slice(0, 3)).toEqual(['Training (training 0.1.0) 0/2 passed', '    scalar', '  3 ✗ scalar/leaky-relu              Leaky ReLU of one number ← current']);
  expect(list.stdout).not.toContain('Transformer core');

  const hint = await cli('hint', '--pack', 'training');
  expect(hint.stdout.split('\n')[0]).toBe('training/scalar/leaky-relu — Leaky ReLU of one number');

  const lesson = await cli('lesson', '--pack', 'training', '--no-pager');
  expect(lesson.stdout.split('\n')[0]).toBe('Leaky ReLU');

  const check = await cli('check', '--pack', 'training', '--json');
  expect(JSON.parse(check.stdout).exerciseKey).toBe('training/scalar/leaky-relu');
  expect(check.code).toBe(1);

  const outside = await cli('check', 'matmul', '--pack', 'training');
  expect(outside.stderr.split('\n')[0]).toBe('llm-tutor: Unknown exercise "matmul".');
  expect(outside.code).toBe(2);

  // Without --pack the current exercise is leaky-relu, which has not passed; in transformer-core there is none.
  const solution = await cli('solution', '--pack', 'transformer-core');
  expect(solution.stderr.split('\n')[0]).toBe('llm-tutor: Every exercise passes: there is no current exercise.');
  expect(solution.code).toBe(2);

  const reset = await cli('reset', '--pack', 'training', '--yes');
  expect(reset.stdout.split('\n')[0]).toBe(`Restored the starter of training/scalar/leaky-relu in ${path.relative(os.tmpdir(), path.join(ws, 'exercises', 'training', 'scalar', 'leaky-relu.ts'))}.`);

  const doctor = await cli('doctor', '--pack', 'training');
  expect(doctor.stdout).toContain(`${ws}: 2 exercises`);

  const unknown = await cli('list', '--pack', 'scaling');
  expect(unknown.stderr).toBe('llm-tutor: The pack "scaling" is not enabled in this workspace.\nEnabled packs: transformer-core, training.\n');
  expect(unknown.code).toBe(2);
});

test('a workspace made before a built-in pack shipped is offered it once, then enables it with pack add, keeping its progress', async () => {
  const copy = await copyPackage();
  await addBuiltinPack(copy, 'exercises/transformer-core', firstOfTransformerCore(2));
  const ws = path.join(tempDir(), 'ws');
  const cli = (...args: string[]) => runCli([...args, '--workspace', ws], { bin: copy.bin });
  expect((await runCli(['init', ws, '--seed', '7'], { bin: copy.bin })).code).toBe(0);
  await solve(ws, 'transformer-core', 'exercises/transformer-core', 'foundations/matmul');
  expect((await cli('check', 'matmul')).code).toBe(0);
  // A progress file written before llm-tutor recorded the built-in packs it knew of.
  const state = await stateOf(ws);
  delete state.builtinPacksKnown;
  await fs.writeFile(path.join(ws, '.llm-tutor', 'state.json'), JSON.stringify(state));

  // The llm-tutor update that brings `training`.
  await addBuiltinPack(copy, 'fixtures/packs/points', trainingForTests());
  const first = await cli('list');
  expect(first.stderr).toBe('New built-in pack: training (2 exercises) — enable it with `llm-tutor pack add training`\n');
  expect(first.stdout.split('\n')[0]).toBe(`Transformer core (transformer-core ${tcVersion}) 1/2 passed`);
  expect(first.stdout).not.toContain('Training');
  expect((await stateOf(ws)).builtinPacksKnown).toEqual(['transformer-core', 'training']);
  expect((await cli('list')).stderr).toBe('');

  const add = await cli('pack', 'add', 'training');
  expect(add.stdout.split('\n')[0]).toBe('Enabled training 0.1.0 (Training): 2 exercises.');
  expect((await readJson(path.join(ws, 'llm-tutor.json'))).packs).toEqual(['transformer-core', 'training']);
  const after = await cli('list');
  expect(after.stderr).toBe('');
  expect(after.stdout).toContain('  1 ✓ foundations/matmul ');
  expect(after.stdout).toContain('Training (training 0.1.0) 0/2 passed');
  expect(after.stdout).toContain('1 of 4 exercises pass.');
});

test('a new built-in pack that requires a pack the workspace has not enabled says to enable that one first', async () => {
  const copy = await copyPackage();
  await addBuiltinPack(copy, 'fixtures/packs/points', { ...trainingForTests(), id: 'extra', title: 'Extra', requires: { packs: [] } });
  const ws = path.join(tempDir(), 'ws');
  expect((await runCli(['init', ws, '--packs', 'extra', '--seed', '7'], { bin: copy.bin })).code).toBe(0);
  await addBuiltinPack(copy, 'exercises/transformer-core', firstOfTransformerCore(2));
  await addBuiltinPack(copy, 'fixtures/packs/points', trainingForTests());
  const r = await runCli(['list', '--workspace', ws], { bin: copy.bin });
  expect(r.stderr).toBe(
    [
      'New built-in pack: transformer-core (2 exercises) — enable it with `llm-tutor pack add transformer-core`',
      'New built-in pack: training (2 exercises) — enable it with `llm-tutor pack add transformer-core`, then `llm-tutor pack add training`',
      '',
    ].join('\n'),
  );
  // pack add places a built-in pack at its place in the syllabus: before the packs that come after it.
  await runCli(['pack', 'add', 'training', '--workspace', ws], { bin: copy.bin }).then((add) => expect(add.stderr).toContain('requires the pack "transformer-core"'));
  expect((await runCli(['pack', 'add', 'transformer-core', '--workspace', ws], { bin: copy.bin })).code).toBe(0);
  expect((await runCli(['pack', 'add', 'training', '--workspace', ws], { bin: copy.bin })).code).toBe(0);
  expect((await readJson(path.join(ws, 'llm-tutor.json'))).packs).toEqual(['transformer-core', 'training', 'extra']);
});

// Holds as each pack of the syllabus lands in exercises/: a new workspace enables every built-in pack, in this order.
test('init with the real built-in packs enables them all, in syllabus order', async () => {
  const syllabus = ['transformer-core', 'training', 'scaling', 'inference', 'alignment-multimodal', 'mini-gpt'];
  const shipped = readdirSync(path.join(repoRoot, 'exercises')).filter((name) => existsSync(path.join(repoRoot, 'exercises', name, 'pack.json')));
  const expected = [...syllabus.filter((id) => shipped.includes(id)), ...shipped.filter((id) => !syllabus.includes(id)).sort()];
  expect(expected[0]).toBe('transformer-core');
  const ws = path.join(tempDir(), 'ws');
  const r = await runCli(['init', ws, '--seed', '7']);
  expect(r.code).toBe(0);
  expect((await readJson(path.join(ws, 'llm-tutor.json'))).packs).toEqual(expected);
  const listed = JSON.parse((await runCli(['list', '--json', '--workspace', ws])).stdout) as { pack: string }[];
  expect([...new Set(listed.map((e) => e.pack))]).toEqual(expected);
});
