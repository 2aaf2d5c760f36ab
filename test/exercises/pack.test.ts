import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadDefinition } from '../../src/core/packs/definitions.js';
import { listBuiltinPackIds, loadPack, type ExerciseRef } from '../../src/core/packs/packs.js';
import { builtinPacksDir } from '../../src/core/common/paths.js';
import { diagnoseEachMisconception, exerciseFolders, gradeLearnerSource } from '../helpers/exercises.js';

/** Every built-in pack, each checked the same way: its folder, exercise folders on disk and manifest. */
const packs = await Promise.all(
  (await listBuiltinPackIds()).map(async (packId) => {
    const packDir = path.join(builtinPacksDir, packId);
    return { packId, packDir, ids: exerciseFolders(packDir), pack: await loadPack(packDir, true) };
  }),
);

describe.each(packs)('$packId, every exercise', ({ packId, packDir, ids, pack }) => {
  const refOf = (id: string): ExerciseRef => ({ packId, id, key: `${packId}/${id}`, title: id, dir: path.join(packDir, id), number: 0, pack, points: 1, partialCredit: false });

  /** Grades one of the exercise's own files (solution.ts or starter.ts) as a learner file. */
  const gradeOwnFile = async (id: string, which: 'solution.ts' | 'starter.ts', seed: number) =>
    gradeLearnerSource(id, { [`${id}.ts`]: await fs.readFile(path.join(packDir, id, which), 'utf8') }, seed, packId);

  test('every exercise folder is listed in pack.json, in the curriculum order', () => {
    expect([...pack.manifest.exercises.map((e) => e.id)].sort()).toEqual(ids);
  });

  describe.each(ids)('%s', (id) => {
    test('has a lesson with the idea first, a starter, a solution and 2–3 hints', async () => {
      const lesson = await fs.readFile(path.join(packDir, id, 'lesson.md'), 'utf8');
      expect(lesson).toMatch(/^# .+\n\n\*\*The idea\.\*\* /);
      expect(await fs.readFile(path.join(packDir, id, 'starter.ts'), 'utf8')).toContain("throw new Error('not implemented')");
      const definition = await loadDefinition(refOf(id));
      expect(definition.hints.length).toBeGreaterThanOrEqual(2);
      expect(definition.hints.length).toBeLessThanOrEqual(3);
      expect(definition.misconceptions?.length ?? 0).toBeGreaterThanOrEqual(2);
    });

    test('every misconception has a hint of its own, short, and not its message again', async () => {
      const definition = await loadDefinition(refOf(id));
      for (const m of definition.misconceptions ?? []) {
        const hint = typeof m.hint === 'string' ? m.hint : m.hint?.en;
        expect(hint, m.id).toMatch(/\S/);
        expect(hint, m.id).not.toBe(typeof m.message === 'string' ? m.message : m.message.en);
        expect(hint!.length, m.id).toBeLessThanOrEqual(240);
      }
    });

    test.each([11, 2024])('the model solution passes and the starter fails (seed %i)', async (seed) => {
      const solved = await gradeOwnFile(id, 'solution.ts', seed);
      expect(solved.summary, solved.cases.filter((c) => c.status !== 'pass').map((c) => `${c.name}: ${c.message}`).join('\n')).toMatch(/^All \d+ cases pass\.$/);
      const starter = await gradeOwnFile(id, 'starter.ts', seed);
      expect(starter.status).toBe('error');
    }, 60_000);

    test('each misconception fails the reference and is diagnosed as itself', async () => {
      for (const seed of [7, 99]) {
        for (const result of await diagnoseEachMisconception(id, seed, packId)) {
          expect(result.failingCases, `${result.id} (seed ${seed})`).toBeGreaterThan(0);
          expect(result.diagnosed, `${result.id} (seed ${seed})`).toBe(result.id);
        }
      }
    }, 120_000);
  });
});
