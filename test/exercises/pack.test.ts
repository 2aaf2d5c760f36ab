import path from 'node:path';
import { mkdtempSync, promises as fsp } from 'node:fs';
import os from 'node:os';
import { afterAll, describe, expect, test } from 'vitest';
import { loadDefinition } from '../../src/core/packs/definitions.js';
import { listBuiltinPackIds, loadPack, type ExerciseRef } from '../../src/core/packs/packs.js';
import { builtinPacksDir } from '../../src/core/common/paths.js';
import { gradePrepared, prepareExercise } from '../../src/core/grading/grade.js';
import type { Verdict } from '../../src/core/grading/verdict.js';
import { SubmissionSandbox } from '../../src/sandbox/submission-sandbox.js';
import { diagnoseEachMisconception, exerciseFolders } from '../helpers/exercises.js';

/** Every built-in pack, each checked the same way: its folder, exercise folders on disk and manifest. */
const packs = await Promise.all(
  (await listBuiltinPackIds()).map(async (packId) => {
    const packDir = path.join(builtinPacksDir, packId);
    return { packId, packDir, ids: exerciseFolders(packDir), pack: await loadPack(packDir, true) };
  }),
);

describe.each(packs)('$packId, every exercise', ({ packId, packDir, ids, pack }) => {
  const refOf = (id: string): ExerciseRef => ({ packId, id, key: `${packId}/${id}`, title: id, dir: path.join(packDir, id), number: 0, pack, points: 1, partialCredit: false });

  /**
   * Every exercise's own solution.ts (or starter.ts) as the files of one
   * learner, graded the way `llm-tutor grade` grades a submission: one sandbox
   * child runs the files in turn while it stays clean (a fresh one after
   * anything else), and the reference computes once per exercise and seed for
   * both files. Opened at the first grading of each seed.
   */
  const submissions = new Map<string, Promise<{ root: string; sandbox: SubmissionSandbox }>>();
  const submission = (which: 'solution.ts' | 'starter.ts', seed: number) => {
    const key = `${which}#${seed}`;
    if (!submissions.has(key)) {
      submissions.set(
        key,
        (async () => {
          const root = path.join(mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-own-files-')), 'exercises');
          const files: string[] = [];
          for (const id of ids) {
            const file = path.join(root, packId, `${id}.ts`);
            await fsp.mkdir(path.dirname(file), { recursive: true });
            await fsp.writeFile(file, await fsp.readFile(path.join(packDir, id, which), 'utf8'));
            files.push(file);
          }
          const limits = await Promise.all(ids.map(async (id) => (await loadDefinition(refOf(id))).timeoutMs ?? 5000));
          return { root, sandbox: await SubmissionSandbox.open(files, root, { timeoutMs: Math.max(...limits) }) };
        })(),
      );
    }
    return submissions.get(key)!;
  };
  afterAll(async () => {
    for (const opened of submissions.values()) await (await opened).sandbox.close();
  });

  /** The verdicts of the exercise's own solution.ts and starter.ts on `seed`. */
  const gradeOwnFiles = async (id: string, seed: number): Promise<Verdict[]> => {
    const prepared = prepareExercise(refOf(id), await loadDefinition(refOf(id)), seed);
    const verdicts: Verdict[] = [];
    for (const which of ['solution.ts', 'starter.ts'] as const) {
      const { root, sandbox } = await submission(which, seed);
      verdicts.push(await gradePrepared(prepared, { learnerFile: path.join(root, packId, `${id}.ts`), allowedRoot: root, sandbox }));
    }
    return verdicts;
  };

  test('every exercise folder is listed in pack.json, in the curriculum order', () => {
    expect([...pack.manifest.exercises.map((e) => e.id)].sort()).toEqual(ids);
  });

  describe.each(ids)('%s', (id) => {
    test('has a lesson with the idea first, a starter, a solution and 2–3 hints', async () => {
      const lesson = await fsp.readFile(path.join(packDir, id, 'lesson.md'), 'utf8');
      expect(lesson).toMatch(/^# .+\n\n\*\*The idea\.\*\* /);
      expect(await fsp.readFile(path.join(packDir, id, 'starter.ts'), 'utf8')).toContain("throw new Error('not implemented')");
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
      const [solved, starter] = await gradeOwnFiles(id, seed);
      expect(solved.summary, solved.cases.filter((c) => c.status !== 'pass').map((c) => `${c.name}: ${c.message}`).join('\n')).toMatch(/^All \d+ cases pass\.$/);
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
