import { promises as fs } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { builtinPacksDir } from '../../../src/core/common/paths.js';
import type { CaseResult, Verdict } from '../../../src/core/grading/verdict.js';
import { toPlainOutput } from '../../../src/core/grading/read-back.js';
import type { Tf } from '../../../src/core/authoring/exercise.js';
import { buildCases, type PreparedCase } from '../../../src/core/grading/grade.js';
import { diagnoseEachMisconception, gradeLearnerSource, loadExercise } from '../../helpers/exercises.js';

// Grading the optim track's exercises (pack `training`) as a learner's file:
// the model solution, the solution with one mistake put in, the starter.

/** A file of an exercise of the training pack (`solution.ts`, `lesson.md`...). */
export function trainingFile(id: string, file: string): Promise<string> {
  return fs.readFile(path.join(builtinPacksDir, 'training', id, file), 'utf8');
}

/** The cases of exercise `id` of the training pack on `seed`. */
export async function casesOn(id: string, seed: number): Promise<PreparedCase[]> {
  const { ref, definition } = await loadExercise(`training/${id}`);
  return buildCases(ref, definition, seed);
}

/** The cases on seeds 7 and 99 together, each seed's at most 12 (grading stays fast). */
export async function seededCases(id: string): Promise<PreparedCase[]> {
  const both = [await casesOn(id, 7), await casesOn(id, 99)];
  for (const cases of both) expect(cases.length).toBeLessThanOrEqual(12);
  return both.flat();
}

/** The model solution with each `[from, to]` replaced (each `from` must occur in it). */
export async function solutionWith(id: string, ...edits: [from: string, to: string][]): Promise<string> {
  let source = await trainingFile(id, 'solution.ts');
  for (const [from, to] of edits) {
    expect(source, `${id}/solution.ts`).toContain(from);
    source = source.replace(from, to);
  }
  return source;
}

/** Grades `source` as the learner's file of exercise `id` of the training pack. */
export function grade(id: string, source: string, seed = 7): Promise<Verdict> {
  return gradeLearnerSource(id, { [`${id}.ts`]: source }, seed, 'training');
}

/** The results of one property's cases, named `<property>: <case>`. */
export function propertyResults(verdict: Verdict, property: string): CaseResult[] {
  return verdict.cases.filter((c) => c.name.startsWith(`${property}: `));
}

/** Asserts that the model solution passes every case on seeds 7 and 99, each property with `count` cases. */
export async function expectSolutionHolds(id: string, properties: Record<string, number>): Promise<void> {
  const source = await trainingFile(id, 'solution.ts');
  for (const seed of [7, 99]) {
    const verdict = await grade(id, source, seed);
    expect(verdict.cases.filter((c) => c.status !== 'pass').map((c) => `${c.name}: ${c.message}`)).toEqual([]);
    for (const [property, count] of Object.entries(properties)) expect(propertyResults(verdict, property), property).toHaveLength(count);
  }
}

/** Asserts that every case of `property` fails for `source`, with a message matching `message`. */
export async function expectPropertyBroken(id: string, source: string, property: string, message: RegExp): Promise<void> {
  const results = propertyResults(await grade(id, source), property);
  expect(results.length).toBeGreaterThan(0);
  for (const r of results) {
    expect(r.status, r.name).toBe('fail');
    expect(r.message).toMatch(message);
  }
}

/** Asserts that every misconception fails the reference and is diagnosed as itself, on seeds 7 and 99; returns their ids. */
export async function expectEachMisconceptionDiagnosed(id: string): Promise<string[]> {
  let ids: string[] = [];
  for (const seed of [7, 99]) {
    const results = await diagnoseEachMisconception(id, seed, 'training');
    for (const result of results) {
      expect(result.failingCases, `${result.id} (seed ${seed})`).toBeGreaterThan(0);
      expect(result.diagnosed, `${result.id} (seed ${seed})`).toBe(result.id);
    }
    ids = results.map((r) => r.id);
  }
  return ids;
}

/** The ```js block of a lesson's last section (In practice), run with `tf` and the arguments by name; returns its `result` as plain data (a tensor read back). */
export async function runLessonJs(id: string, tf: Tf, args: Record<string, unknown>): Promise<unknown> {
  const lesson = await trainingFile(id, 'lesson.md');
  const last = lesson.slice(lesson.lastIndexOf('\n## '));
  expect(last).toMatch(/^\n## In practice: PyTorch and TensorFlow\.js\n/);
  const code = /```js\n([\s\S]*?)```/.exec(last)![1];
  const names = Object.keys(args);
  const run = new Function('tf', ...names, `${code}\nreturn result;`) as (...values: unknown[]) => unknown;
  return toPlainOutput({ tf, exerciseDir: '' }, () => run(tf, ...names.map((n) => args[n])));
}
