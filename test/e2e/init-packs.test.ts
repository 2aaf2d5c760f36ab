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
