import { expect } from 'vitest';
import type { CaseResult, Verdict } from '../../../src/core/grading/verdict.js';
import type { PreparedCase } from '../../../src/core/grading/grade.js';
import { packExercises } from '../../helpers/pack-exercises.js';

// Grading the optim track's exercises (pack `training`) as a learner's file:
// the model solution, the solution with one mistake put in, the starter.

export const { file: trainingFile, casesOn, grade, expectEachMisconceptionDiagnosed, runLessonJs } = packExercises('training');

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


