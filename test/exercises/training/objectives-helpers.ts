import { promises as fs } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { builtinPacksDir } from '../../../src/core/common/paths.js';
import type { Verdict } from '../../../src/core/grading/verdict.js';
import { diagnoseEachMisconception, gradeLearnerSource } from '../../helpers/exercises.js';
import { propertyResults } from '../../helpers/properties.js';

// The objectives track's tests grade learner files of the training pack: the
// model solution, or the solution with one mistake put in.

const pack = 'training';

/** The model solution of an exercise of the training pack (`objectives/perplexity`), as source. */
export function trainingSolution(id: string): Promise<string> {
  return fs.readFile(path.join(builtinPacksDir, pack, id, 'solution.ts'), 'utf8');
}

/** The model solution with each `[from, to]` replaced (`from` must occur in it). */
export async function trainingSolutionWith(id: string, ...edits: [from: string, to: string][]): Promise<string> {
  let source = await trainingSolution(id);
  for (const [from, to] of edits) {
    if (!source.includes(from)) throw new Error(`${id}/solution.ts has no "${from}"`);
    source = source.replace(from, to);
  }
  return source;
}

/** Grades one learner file for an exercise of the training pack. */
export function gradeTraining(id: string, source: string, seed = 7): Promise<Verdict> {
  return gradeLearnerSource(id, { [`${id}.ts`]: source }, seed, pack);
}

/** Asserts that the model solution passes every case, each of `properties` with `count` cases, on seeds 7 and 99. */
export async function expectTrainingSolutionHolds(id: string, properties: Record<string, number>): Promise<void> {
  const source = await trainingSolution(id);
  for (const seed of [7, 99]) {
    const verdict = await gradeTraining(id, source, seed);
    expect(verdict.cases.filter((c) => c.status !== 'pass').map((c) => `${c.name}: ${c.message}`)).toEqual([]);
    for (const [property, count] of Object.entries(properties)) expect(propertyResults(verdict, property), property).toHaveLength(count);
  }
}

/** Asserts that every case of `property` fails for `source`, with a message matching `message`. */
export async function expectTrainingPropertyBroken(id: string, source: string, property: string, message: RegExp): Promise<void> {
  const results = propertyResults(await gradeTraining(id, source), property);
  expect(results.length).toBeGreaterThan(0);
  for (const r of results) {
    expect(r.status, r.name).toBe('fail');
    expect(r.message).toMatch(message);
  }
}

/** Asserts that each misconception fails the reference and is diagnosed as itself, on seeds 7 and 99. */
export async function expectEachMisconceptionDiagnosed(id: string): Promise<void> {
  for (const seed of [7, 99]) {
    for (const result of await diagnoseEachMisconception(id, seed, pack)) {
      expect(result.failingCases, `${result.id} (seed ${seed})`).toBeGreaterThan(0);
      expect(result.diagnosed, `${result.id} (seed ${seed})`).toBe(result.id);
    }
  }
}
