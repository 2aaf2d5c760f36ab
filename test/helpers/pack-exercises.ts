import { promises as fs } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { builtinPacksDir } from '../../src/core/common/paths.js';
import type { Tf } from '../../src/core/authoring/exercise.js';
import { buildCases, type PreparedCase } from '../../src/core/grading/grade.js';
import { toPlainOutput } from '../../src/core/grading/read-back.js';
import type { Verdict } from '../../src/core/grading/verdict.js';
import { diagnoseEachMisconception, gradeLearnerSource, loadExercise, preparedExercise } from './exercises.js';

/**
 * The tests' view of one built-in pack's exercises, by their id in that pack
 * (`moe/capacity`): their files, cases, a learner's file graded, every
 * misconception diagnosed, and the lessons' In practice code run.
 */
export function packExercises(packId: string) {
  /** A file of an exercise (`solution.ts`, `lesson.md`...). */
  const file = (id: string, name: string): Promise<string> => fs.readFile(path.join(builtinPacksDir, packId, id, name), 'utf8');

  /** The cases of exercise `id` on `seed`. */
  async function casesOn(id: string, seed: number): Promise<PreparedCase[]> {
    const { ref, definition } = await loadExercise(`${packId}/${id}`);
    return buildCases(ref, definition, seed);
  }

  /** The cases on seeds 7 and 99 together. */
  async function seededCases(id: string): Promise<PreparedCase[]> {
    return [...(await casesOn(id, 7)), ...(await casesOn(id, 99))];
  }

  /**
   * The cases on seeds 7 and 99, each with the reference's output (of a
   * stepwise case, of its first step): computed once, for these and for the
   * gradings of the test file on those seeds.
   */
  async function seededExpected(id: string): Promise<(PreparedCase & { expected: unknown })[]> {
    const out: (PreparedCase & { expected: unknown })[] = [];
    for (const seed of [7, 99]) {
      const prepared = await preparedExercise(id, seed, packId);
      const { expected } = await prepared.reference;
      out.push(...prepared.cases.map((c, i) => ({ ...c, expected: expected[i] })));
    }
    return out;
  }

  /** The one case of seed 7 whose name contains `part`. */
  async function namedCase(id: string, part: string): Promise<PreparedCase> {
    const found = (await casesOn(id, 7)).filter((c) => c.name.includes(part));
    expect(found.map((c) => c.name), part).toHaveLength(1);
    return found[0];
  }

  /** Grades `source` as the learner's file of exercise `id`. */
  const grade = (id: string, source: string, seed = 7): Promise<Verdict> => gradeLearnerSource(id, { [`${id}.ts`]: source }, seed, packId);

  /** Asserts that every misconception fails the reference and is diagnosed as itself, on seeds 7 and 99; returns their ids. */
  async function expectEachMisconceptionDiagnosed(id: string): Promise<string[]> {
    let ids: string[] = [];
    for (const seed of [7, 99]) {
      const results = await diagnoseEachMisconception(id, seed, packId);
      for (const result of results) {
        expect(result.failingCases, `${result.id} (seed ${seed})`).toBeGreaterThan(0);
        expect(result.diagnosed, `${result.id} (seed ${seed})`).toBe(result.id);
      }
      ids = results.map((r) => r.id);
    }
    return ids;
  }

  /** The ```js block of a lesson's last section (In practice), run with `tf` and the arguments by name; returns its `result` as plain data (a tensor read back). */
  async function runLessonJs(id: string, tf: Tf, args: Record<string, unknown>): Promise<unknown> {
    const lesson = await file(id, 'lesson.md');
    const last = lesson.slice(lesson.lastIndexOf('\n## '));
    expect(last).toMatch(/^\n## In practice: PyTorch and TensorFlow\.js\n/);
    const code = /```js\n([\s\S]*?)```/.exec(last)![1];
    const names = Object.keys(args);
    const run = new Function('tf', ...names, `${code}\nreturn result;`) as (...values: unknown[]) => unknown;
    return toPlainOutput({ tf, exerciseDir: '' }, () => run(tf, ...names.map((n) => args[n])));
  }

  /** The contents of the lesson's first fenced block of `language` (a picture, whose numbers a test checks). */
  async function lessonBlock(id: string, language: string): Promise<string> {
    const match = new RegExp('```' + language + '\\n([\\s\\S]*?)```').exec(await file(id, 'lesson.md'));
    expect(match, `${id}: a \`\`\`${language} block`).not.toBeNull();
    return match![1];
  }

  return { file, casesOn, seededCases, seededExpected, namedCase, grade, expectEachMisconceptionDiagnosed, runLessonJs, lessonBlock };
}
