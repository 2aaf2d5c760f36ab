import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { repoRoot, runCli, tempDir } from '../helpers/cli.js';

// What the README's "Choosing the packs" section says of `init --packs`.
test('init --packs takes built-in ids and pack folders, a relative folder read from the workspace', async () => {
  const root = tempDir();
  await fs.cp(path.join(repoRoot, 'fixtures', 'packs', 'pinned'), path.join(root, 'my-course'), { recursive: true });
  const r = await runCli(['init', 'my-llm', '--packs', 'transformer-core', '../my-course', '--seed', '3'], { cwd: root });
  const core = JSON.parse(await fs.readFile(path.join(repoRoot, 'exercises', 'transformer-core', 'pack.json'), 'utf8')).exercises.length;
  const pinned = JSON.parse(await fs.readFile(path.join(root, 'my-course', 'pack.json'), 'utf8')).exercises.length;
  expect(r.stdout.split('\n')[0]).toBe(`Created an llm-tutor workspace in my-llm with ${core + pinned} exercises (transformer-core, pinned).`);
  expect(r.code).toBe(0);
  expect(JSON.parse(await fs.readFile(path.join(root, 'my-llm', 'llm-tutor.json'), 'utf8')).packs).toEqual(['transformer-core', '../my-course']);
  expect(existsSync(path.join(root, 'my-llm', 'exercises', 'pinned', 'basics', 'softmax.ts'))).toBe(true);
});

test('init --packs with an unknown id or a folder not found is one line, exit 2, and no llm-tutor.json', async () => {
  const root = tempDir();
  const unknown = await runCli(['init', 'ws', '--packs', 'my-cours'], { cwd: root });
  expect(unknown.code).toBe(2);
  expect(unknown.stderr.split('\n')[0]).toBe('llm-tutor: Unknown pack "my-cours".');
  const missing = await runCli(['init', 'ws', '--packs', './my-course'], { cwd: root });
  expect(missing.code).toBe(2);
  expect(missing.stderr.split('\n')[0]).toBe(`llm-tutor: Pack folder not found: ${path.join(root, 'ws', 'my-course')}`);
  expect(existsSync(path.join(root, 'ws', 'llm-tutor.json'))).toBe(false);
});

test('init --packs with a pack that requires others enables the built-in ones too, in syllabus order, and says so', async () => {
  const root = tempDir();
  const r = await runCli(['init', 'ws', '--packs', 'mini-gpt', '--seed', '3'], { cwd: root });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const lines = r.stdout.split('\n');
  expect(lines[0]).toMatch(/^Created an llm-tutor workspace in ws with \d+ exercises \(transformer-core, training, scaling, inference, mini-gpt\)\.$/);
  expect(lines[1]).toBe('Also enabled, as the packs chosen require them: transformer-core, training, scaling, inference.');
  expect(JSON.parse(await fs.readFile(path.join(root, 'ws', 'llm-tutor.json'), 'utf8')).packs).toEqual(['transformer-core', 'training', 'scaling', 'inference', 'mini-gpt']);
  // The workspace opens: list works on it.
  const list = await runCli(['list', '--workspace', path.join(root, 'ws')]);
  expect(list.code).toBe(0);
  // A choice that already holds what it needs is written as given, with no extra line.
  const given = await runCli(['init', 'ws2', '--packs', 'transformer-core', 'inference', '--seed', '3'], { cwd: root });
  expect(given.stdout).not.toContain('Also enabled');
  expect(JSON.parse(await fs.readFile(path.join(root, 'ws2', 'llm-tutor.json'), 'utf8')).packs).toEqual(['transformer-core', 'inference']);
});

test('a pack folder that requires a pack neither built in nor given is one line, exit 2, and no llm-tutor.json', async () => {
  const root = tempDir();
  const course = path.join(root, 'my-course');
  await fs.cp(path.join(repoRoot, 'fixtures', 'packs', 'pinned'), course, { recursive: true });
  const manifest = JSON.parse(await fs.readFile(path.join(course, 'pack.json'), 'utf8'));
  await fs.writeFile(path.join(course, 'pack.json'), JSON.stringify({ ...manifest, requires: { ...manifest.requires, packs: ['basics-course'] } }, null, 2));
  const r = await runCli(['init', 'ws', '--packs', '../my-course'], { cwd: root });
  expect(r.code).toBe(2);
  expect(r.stderr.split('\n')[0]).toBe(`llm-tutor: The pack "${manifest.id}" requires the pack "basics-course", which is neither built in nor among --packs.`);
  expect(r.stderr).toContain('Add the folder of the pack "basics-course" to --packs.');
  expect(existsSync(path.join(root, 'ws', 'llm-tutor.json'))).toBe(false);
});
