import { promises as fs } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { builtinPacksDir } from '../../../src/core/common/paths.js';
import type { Tf } from '../../../src/core/authoring/exercise.js';
import { toPlainOutput } from '../../../src/core/grading/read-back.js';
import { buildCases, type PreparedCase } from '../../../src/core/grading/grade.js';
import { diagnoseEachMisconception, loadExercise } from '../../helpers/exercises.js';

// The memory and compute tracks of pack `scaling`: their exercises' files,
// cases, misconceptions and lessons' In practice code.

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

/** Asserts that `got` is within a relative 1e-12 of `want` (float64 arithmetic written another way). */
export function expectRelative(got: unknown, want: number, what = ''): void {
  expect(typeof got, what).toBe('number');
  expect(Math.abs((got as number) - want), `${what}: ${got} vs ${want}`).toBeLessThanOrEqual(1e-12 * Math.abs(want));
}

/** The values of the lesson's first ```bars block, in order (the last word of each row after the title and max lines). */
export async function lessonBars(id: string): Promise<number[]> {
  const lesson = await scalingFile(id, 'lesson.md');
  const block = /```bars\n([\s\S]*?)```/.exec(lesson)![1];
  return block
    .split('\n')
    .filter((line) => line.trim() && !/^(title|max):/.test(line))
    .map((line) => Number(line.trim().split(/\s+/).at(-1)));
}
