import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { ExerciseProgress, State } from '../../src/core/common/schemas.js';
import { definitionDigest, definitionDigests } from '../../src/core/packs/definition-digest.js';
import type { ExerciseRef, Pack } from '../../src/core/packs/packs.js';
import { markChangedDefinitions, markChangedPasses } from '../../src/core/workspace/graded-files.js';
import { emptyState } from '../../src/core/workspace/state-store.js';
import type { Workspace } from '../../src/core/workspace/workspace.js';
import { tempDir } from '../helpers/cli.js';

/** A pack folder holding `files` (path under it → text), with the exercises `ids`. */
async function packWith(files: Record<string, string>, ids = ['attention/mask']): Promise<{ dir: string; refs: ExerciseRef[] }> {
  const dir = tempDir('llm-tutor-definition-');
  for (const [file, text] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await fs.writeFile(path.join(dir, file), text);
  }
  const pack = { dir, manifest: { id: 'p', version: '0.2.0' }, builtin: false } as unknown as Pack;
  return { dir, refs: ids.map((id) => ({ packId: 'p', id, key: `p/${id}`, dir: path.join(dir, ...id.split('/')), pack }) as ExerciseRef) };
}

const mask = {
  'attention/mask/exercise.ts': "import { scores } from '../math.js';\nexport default scores;\n",
  'attention/mask/lesson.md': 'The lesson.',
  'attention/mask/lesson.zh-CN.md': '课程',
  'attention/mask/starter.ts': 'export function mask() {}',
  'attention/mask/solution.ts': 'export function mask() { return 1; }',
  'attention/mask/data/weights.bin': 'weights',
  'attention/math.ts': "export { helper } from './helper.js';\nexport const scores = 1;\n",
  'attention/helper.ts': 'export const helper = 1;',
  'attention/unrelated.ts': 'export const other = 1;',
};

describe('definitionDigest', () => {
  test('changes with exercise.ts, a data file beside it, and a module it imports (directly or not); not with the lesson, starter, solution or an unimported module', async () => {
    const { dir, refs } = await packWith(mask);
    const original = await definitionDigest(refs[0]);
    expect(original).toMatch(/^[0-9a-f]{64}$/);
    for (const file of ['attention/mask/lesson.md', 'attention/mask/lesson.zh-CN.md', 'attention/mask/starter.ts', 'attention/mask/solution.ts', 'attention/unrelated.ts']) {
      await fs.appendFile(path.join(dir, file), '\n// edited');
    }
    expect(await definitionDigest(refs[0])).toBe(original);
    for (const file of ['attention/mask/exercise.ts', 'attention/mask/data/weights.bin', 'attention/math.ts', 'attention/helper.ts']) {
      const before = await definitionDigest(refs[0]);
      await fs.appendFile(path.join(dir, file), '\n// edited');
      expect(await definitionDigest(refs[0]), file).not.toBe(before);
    }
  });

  test('an exercise inside another exercise folder is not part of its definition; a folder without exercise.ts has none', async () => {
    const { dir, refs } = await packWith({ 'a/exercise.ts': 'export default 1;', 'a/b/exercise.ts': 'export default 2;', 'c/lesson.md': 'no definition' }, ['a', 'a/b', 'c']);
    const outer = await definitionDigest(refs[0]);
    await fs.appendFile(path.join(dir, 'a', 'b', 'exercise.ts'), '\n// edited');
    expect(await definitionDigest(refs[0])).toBe(outer);
    expect(await definitionDigest(refs[2])).toBeUndefined();
  });
});

describe('markChangedDefinitions', () => {
  const record = (status: ExerciseProgress['status'], definition?: string): ExerciseProgress => ({ status, attempts: 1, revealedHints: [], ...(definition ? { definition } : {}) });
  const stateOf = (records: Record<string, ExerciseProgress>): State => ({ ...emptyState(), exercises: records });

  test('a pass of another definition is changed; a pass of this one, one recorded without a digest, and a failure are left as they are', async () => {
    const { refs } = await packWith({ 'a/exercise.ts': 'export default 1;', 'b/exercise.ts': 'export default 2;', 'c/exercise.ts': 'export default 3;', 'd/exercise.ts': 'export default 4;' }, ['a', 'b', 'c', 'd']);
    const [a, b] = [await definitionDigest(refs[0]), await definitionDigest(refs[1])];
    const state = stateOf({ 'p/a': record('passed', a), 'p/b': record('passed', a), 'p/c': record('passed'), 'p/d': record('failed', a) });
    expect([...(await markChangedDefinitions(refs, state))]).toEqual(['p/b']);
    expect(Object.values(state.exercises).map((p) => p.status)).toEqual(['passed', 'changed', 'passed', 'failed']);
    expect(b).not.toBe(a);
  });

  test('after markChangedPasses, a pass whose files are unchanged but whose exercise changed stays changed', async () => {
    const { refs } = await packWith({ 'a/exercise.ts': 'export default 1;' }, ['a']);
    const ws = { dir: tempDir('llm-tutor-definition-ws-') } as Workspace;
    await fs.mkdir(path.join(ws.dir, 'exercises', 'p'), { recursive: true });
    await fs.writeFile(path.join(ws.dir, 'exercises', 'p', 'a.ts'), 'passed');
    const sha = createHash('sha256').update('passed').digest('hex');
    const state = stateOf({ 'p/a': { ...record('changed', '0'.repeat(64)), gradedFiles: { 'p/a.ts': sha } } });
    await markChangedPasses(ws, state);
    expect(state.exercises['p/a'].status).toBe('passed');
    expect([...(await markChangedDefinitions(refs, state))]).toEqual(['p/a']);
    expect(state.exercises['p/a'].status).toBe('changed');
  });
});

describe('definitionDigests, remembered in the cache folder', () => {
  /** Runs `body` with a cache folder of its own. */
  async function withCache<T>(body: (cache: string) => Promise<T>): Promise<T> {
    const before = process.env.LLM_TUTOR_CACHE_DIR;
    const cache = tempDir('llm-tutor-digest-cache-');
    process.env.LLM_TUTOR_CACHE_DIR = cache;
    try {
      return await body(cache);
    } finally {
      if (before === undefined) delete process.env.LLM_TUTOR_CACHE_DIR;
      else process.env.LLM_TUTOR_CACHE_DIR = before;
    }
  }
  test('the same digests as computed afresh; while no file it read has changed, the remembered digest is given', () =>
    withCache(async (cache) => {
      const { refs } = await packWith(mask, ['attention/mask']);
      const fresh = await definitionDigest(refs[0]);
      expect((await definitionDigests(refs)).get('p/attention/mask')).toBe(fresh);
      const file = path.join(cache, 'definition-digests.json');
      const written = JSON.parse(await fs.readFile(file, 'utf8'));
      expect(Object.keys(written.records)).toEqual([refs[0].dir]);
      // What the record was computed from: the folder's defining files, and every file read (the imports two steps away too).
      expect(written.records[refs[0].dir].files.map((f: [string]) => path.relative(path.dirname(path.dirname(refs[0].dir)), f[0])).sort()).toEqual(['attention/helper.ts', 'attention/mask/data/weights.bin', 'attention/mask/exercise.ts', 'attention/math.ts']);
      // A record whose files all still match is trusted as it is (here, one given another digest by hand).
      written.records[refs[0].dir].digest = 'remembered';
      await fs.writeFile(file, JSON.stringify(written));
      expect((await definitionDigests(refs)).get('p/attention/mask')).toBe('remembered');
    }));

  test('a same-size edit that puts the modification time back is still seen (the change time moves)', () =>
    withCache(async () => {
      const { dir, refs } = await packWith(mask, ['attention/mask']);
      const math = path.join(dir, 'attention/math.ts');
      const { atime, mtime } = await fs.stat(math);
      const before = (await definitionDigests(refs)).get('p/attention/mask');
      await new Promise((resolve) => setTimeout(resolve, 20));
      await fs.writeFile(math, (await fs.readFile(math, 'utf8')).replace('scores = 1', 'scores = 2'));
      await fs.utimes(math, atime, mtime);
      const after = (await definitionDigests(refs)).get('p/attention/mask');
      expect(after).not.toBe(before);
      expect(after).toBe(await definitionDigest(refs[0]));
    }));

  test('computed again when a file it read changes, or the folder gains a file', () =>
    withCache(async () => {
      const { dir, refs } = await packWith(mask, ['attention/mask']);
      let last = (await definitionDigests(refs)).get('p/attention/mask');
      for (const change of [
        () => fs.appendFile(path.join(dir, 'attention/helper.ts'), '\n// an imported module, two steps away'),
        () => fs.appendFile(path.join(dir, 'attention/mask/data/weights.bin'), 'more'),
        () => fs.writeFile(path.join(dir, 'attention/mask/data/bias.bin'), 'a new data file'),
        () => fs.rm(path.join(dir, 'attention/mask/data/bias.bin')),
      ]) {
        await change();
        const now = (await definitionDigests(refs)).get('p/attention/mask');
        expect(now).toBe(await definitionDigest(refs[0]));
        expect(now).not.toBe(last);
        last = now;
      }
    }));

  test('a damaged or foreign cache file is read as none and replaced; a cache folder that cannot be written is no error', () =>
    withCache(async (cache) => {
      const { refs } = await packWith(mask, ['attention/mask']);
      const fresh = await definitionDigest(refs[0]);
      const file = path.join(cache, 'definition-digests.json');
      for (const damaged of ['{"format": 1, "records": {', JSON.stringify({ format: 1, records: { [refs[0].dir]: { digest: 'forged', folder: 'x', files: [] } } }), JSON.stringify({ format: 99, records: {} })]) {
        await fs.writeFile(file, damaged);
        expect((await definitionDigests(refs)).get('p/attention/mask')).toBe(fresh);
        expect(JSON.parse(await fs.readFile(file, 'utf8')).records[refs[0].dir].digest).toBe(fresh);
      }
      await fs.rm(cache, { recursive: true });
      await fs.writeFile(cache, 'a file where the cache folder should be');
      expect((await definitionDigests(refs)).get('p/attention/mask')).toBe(fresh);
    }));
});
