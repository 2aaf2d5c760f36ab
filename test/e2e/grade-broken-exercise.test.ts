import { promises as fs } from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { learnerFile, repoRoot, runCli, tempDir } from '../helpers/cli.js';

// Class grading prepares each exercise as the grading reaches it (its first submission's child already running):
// an exercise whose cases cannot be built still stops the whole grading, with the exercise's own message, as it did
// when every exercise was prepared before any submission.
test('an exercise whose cases() throws stops the class grading, even the last one, after others were graded', { timeout: 120_000 }, async () => {
  const root = tempDir('llm-tutor-grade-broken-');
  const pack = path.join(root, 'pack');
  await fs.cp(path.join(repoRoot, 'fixtures', 'packs', 'points'), pack, { recursive: true });
  const definition = path.join(pack, 'scalar', 'clamp', 'exercise.ts');
  const source = await fs.readFile(definition, 'utf8');
  const broken = source.replace("    { name: 'inside the range', args: [0.5, 0, 1] },", "    ...((): { name: string; args: Args }[] => {\n      throw new Error('no cases today');\n    })(),");
  expect(broken).not.toBe(source);
  await fs.writeFile(definition, broken);
  const ws = path.join(root, 'class', 'alice');
  const init = await runCli(['init', ws, '--seed', '1']);
  expect(init.code).toBe(0);
  for (const id of ['scalar/leaky-relu', 'scalar/clamp']) {
    const file = learnerFile(ws, id, 'points');
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.copyFile(path.join(pack, id, 'solution.ts'), file);
  }
  const r = await runCli(['grade', 'class', '--pack', pack, '--seed', '7'], { cwd: root });
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toContain(`llm-tutor: ${definition}: cases() threw: no cases today\n`);
});
