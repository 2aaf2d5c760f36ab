import { promises as fs } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { builtinPacksDir } from '../../src/core/common/paths.js';
import type { CaseResult, Verdict } from '../../src/core/grading/verdict.js';
import { gradeLearnerSource, splitExerciseId } from './exercises.js';

// An id is one of transformer-core's, or one qualified by its pack (`training/norms/layer-norm`); a `packId` given names the pack of a bare id.

/** The pack and bare id of `id`, as the helpers below take it. */
const resolve = (id: string, packId?: string): [string, string] => (packId ? [packId, id] : splitExerciseId(id));

/** The model solution of a built-in exercise, as source. */
export function solutionSource(id: string, packId?: string): Promise<string> {
  return fs.readFile(path.join(builtinPacksDir, ...resolve(id, packId), 'solution.ts'), 'utf8');
}

/** Grades one learner file for the exercise (no other file in the workspace). */
export function gradeOne(qualifiedId: string, source: string, seed = 7, packIdOfBareId?: string): Promise<Verdict> {
  const [packId, id] = resolve(qualifiedId, packIdOfBareId);
  return gradeLearnerSource(id, { [`${id}.ts`]: source }, seed, packId);
}

/** The results of one property's cases, named `<property>: <case>`. */
export function propertyResults(verdict: Verdict, property: string): CaseResult[] {
  return verdict.cases.filter((c) => c.name.startsWith(`${property}: `));
}

/**
 * Asserts that the model solution passes every case, `properties` among them
 * (each with `count` cases), on seeds 7 and 99.
 */
export async function expectSolutionHolds(id: string, properties: Record<string, number>, packId?: string): Promise<void> {
  const source = await solutionSource(id, packId);
  for (const seed of [7, 99]) {
    const verdict = await gradeOne(id, source, seed, packId);
    expect(verdict.cases.filter((c) => c.status !== 'pass').map((c) => `${c.name}: ${c.message}`)).toEqual([]);
    for (const [property, count] of Object.entries(properties)) expect(propertyResults(verdict, property), property).toHaveLength(count);
  }
}

/** Asserts that every case of `property` fails with a message matching `message`; returns the verdict. */
export async function expectPropertyBroken(id: string, source: string, property: string, message: RegExp, packId?: string): Promise<Verdict> {
  const verdict = await gradeOne(id, source, 7, packId);
  const results = propertyResults(verdict, property);
  expect(results.length).toBeGreaterThan(0);
  for (const r of results) {
    expect(r.status, r.name).toBe('fail');
    expect(r.message).toMatch(message);
  }
  return verdict;
}
