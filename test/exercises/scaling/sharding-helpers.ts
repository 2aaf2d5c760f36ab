import { promises as fs } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { builtinPacksDir } from '../../../src/core/common/paths.js';
import type { Verdict } from '../../../src/core/grading/verdict.js';
import { toPlainOutput } from '../../../src/core/grading/read-back.js';
import type { Tf } from '../../../src/core/authoring/exercise.js';
import { buildCases, type PreparedCase } from '../../../src/core/grading/grade.js';
import { diagnoseEachMisconception, gradeLearnerSource, loadExercise } from '../../helpers/exercises.js';

// Grading the parallel track's data- and tensor-parallel exercises (pack
// `scaling`) as a learner's file, their cases, and their lessons' code.

/** A file of an exercise of the scaling pack (`solution.ts`, `lesson.md`...). */
export function scalingFile(id: string, file: string): Promise<string> {
  return fs.readFile(path.join(builtinPacksDir, 'scaling', id, file), 'utf8');
}

/** The cases of exercise `id` of the scaling pack on `seed`. */
export async function casesOn(id: string, seed: number): Promise<PreparedCase[]> {
  const { ref, definition } = await loadExercise(`scaling/${id}`);
  return buildCases(ref, definition, seed);
}

/** The cases on seeds 7 and 99 together. */
export async function seededCases(id: string): Promise<PreparedCase[]> {
  return [...(await casesOn(id, 7)), ...(await casesOn(id, 99))];
}

/** Grades `source` as the learner's file of exercise `id` of the scaling pack. */
export function grade(id: string, source: string, seed = 7): Promise<Verdict> {
  return gradeLearnerSource(id, { [`${id}.ts`]: source }, seed, 'scaling');
}

/** Asserts that every misconception fails the reference and is diagnosed as itself, on seeds 7 and 99; returns their ids. */
export async function expectEachMisconceptionDiagnosed(id: string): Promise<string[]> {
  let ids: string[] = [];
  for (const seed of [7, 99]) {
    const results = await diagnoseEachMisconception(id, seed, 'scaling');
    for (const result of results) {
      expect(result.failingCases, `${result.id} (seed ${seed})`).toBeGreaterThan(0);
      expect(result.diagnosed, `${result.id} (seed ${seed})`).toBe(result.id);
    }
    ids = results.map((r) => r.id);
  }
  return ids;
}

/** The ```js block of a lesson's last section (In practice), run with `tf` and the arguments by name; returns its `result` as plain data. */
export async function runLessonJs(id: string, tf: Tf, args: Record<string, unknown>): Promise<unknown> {
  const lesson = await scalingFile(id, 'lesson.md');
  const last = lesson.slice(lesson.lastIndexOf('\n## '));
  expect(last).toMatch(/^\n## In practice: PyTorch and TensorFlow\.js\n/);
  const code = /```js\n([\s\S]*?)```/.exec(last)![1];
  const names = Object.keys(args);
  const run = new Function('tf', ...names, `${code}\nreturn result;`) as (...values: unknown[]) => unknown;
  return toPlainOutput({ tf, exerciseDir: '' }, () => run(tf, ...names.map((n) => args[n])));
}

/** The contents of a fenced block of `language` in the lesson (the first such block), for a picture's numbers. */
export async function lessonBlock(id: string, language: string): Promise<string> {
  const lesson = await scalingFile(id, 'lesson.md');
  const match = new RegExp('```' + language + '\\n([\\s\\S]*?)```').exec(lesson);
  expect(match, `${id}: a \`\`\`${language} block`).not.toBeNull();
  return match![1];
}
