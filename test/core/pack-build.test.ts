import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { buildPack } from '../../src/core/packs/build.js';
import { repoRoot, tempDir } from '../helpers/cli.js';

/** A copy of the features fixture pack, changed by `change`. */
async function featuresCopy(change: (dir: string) => Promise<void>): Promise<string> {
  const dir = path.join(tempDir(), 'features');
  await fs.cp(path.join(repoRoot, 'fixtures', 'packs', 'features'), dir, { recursive: true });
  await change(dir);
  return dir;
}

describe('buildPack', () => {
  test('a scoped package is named as npm pack names it; without package.json, by the pack id', async () => {
    const scoped = await featuresCopy((dir) => fs.writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: '@course/ml-pack', version: '1.0.0' })));
    expect(path.basename((await buildPack(scoped, { solutions: true, cwd: path.dirname(scoped) })).file)).toBe('course-ml-pack-1.0.0.tgz');
    const bare = await featuresCopy((dir) => fs.rm(path.join(dir, 'package.json')));
    const built = await buildPack(bare, { solutions: false, cwd: path.dirname(bare) });
    expect(path.basename(built.file)).toBe('features-1.0.0.tgz');
    expect(built.withheld).toEqual(['stream/total/solution.ts']);
    expect(built.files).toEqual(['pack.json', 'stream/total/exercise.ts', 'stream/total/lesson.md', 'stream/total/starter.ts']);
  });

  test('a link in the pack is refused, naming it, and nothing is written', async () => {
    const linked = await featuresCopy((dir) => fs.symlink('/etc/passwd', path.join(dir, 'stream', 'total', 'data.txt')));
    const out = path.join(path.dirname(linked), 'out.tgz');
    await expect(buildPack(linked, { solutions: false, out, cwd: linked })).rejects.toThrow(`${path.join(linked, 'stream', 'total', 'data.txt')}: not a regular file (a link?), so the build cannot hold it.`);
    expect(await fs.readdir(path.dirname(linked))).toEqual(['features']);
  });
});
