import { promises as fs } from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { builtinPacksDir } from '../../../src/core/common/paths.js';
import { gradientReference } from '../../../src/core/grading/gradient.js';
import { toPlainOutput } from '../../../src/core/grading/read-back.js';
import type { Verdict } from '../../../src/core/grading/verdict.js';
import { diagnoseEachMisconception, gradeLearnerSource, loadExercise } from '../../helpers/exercises.js';

// What the backprop track's tests share: the autodiff reference of a
// gradient exercise, grading a learner file, and the checks every exercise runs.

const pack = 'training';

/** The gradient exercise's reference (TensorFlow.js autodiff of its forward pass) on explicit arguments, as plain data. */
export async function autodiff(id: string, ...args: unknown[]): Promise<unknown> {
  const { definition, ctx } = await loadExercise(`${pack}/${id}`);
  return toPlainOutput(ctx, () => gradientReference(definition.gradient!)(ctx, ...args));
}

/** The model solution of a training exercise, as source. */
export function solutionSource(id: string): Promise<string> {
  return fs.readFile(path.join(builtinPacksDir, pack, id, 'solution.ts'), 'utf8');
}

/** The model solution with one mistake put in: the text `from`, which must occur in solution.ts, replaced by `to`. */
export async function solutionWith(id: string, from: string, to: string): Promise<string> {
  const source = await solutionSource(id);
  if (!source.includes(from)) throw new Error(`${id}/solution.ts has no "${from}"`);
  return source.replace(from, to);
}

/** Grades one learner file for training exercise `id`. */
export function gradeOne(id: string, source: string, seed = 7): Promise<Verdict> {
  return gradeLearnerSource(id, { [`${id}.ts`]: source }, seed, pack);
}

/** The failing cases of a verdict as `name: message` lines (empty when every case passes). */
export function failures(verdict: Verdict): string[] {
  return verdict.cases.filter((c) => c.status !== 'pass').map((c) => `${c.name}: ${c.message}`);
}

/** Asserts that every misconception fails the reference and is diagnosed as itself, on seeds 7 and 99. */
export async function expectEachMisconceptionDiagnosed(id: string): Promise<void> {
  for (const seed of [7, 99]) {
    for (const result of await diagnoseEachMisconception(id, seed, pack)) {
      expect(result.failingCases, `${result.id} (seed ${seed})`).toBeGreaterThan(0);
      expect(result.diagnosed, `${result.id} (seed ${seed})`).toBe(result.id);
    }
  }
}

/** Asserts that the model solution passes every case on seeds 7 and 99, each named property among them with `count` cases. */
export async function expectSolutionHolds(id: string, properties: Record<string, number>): Promise<void> {
  const source = await solutionSource(id);
  for (const seed of [7, 99]) {
    const verdict = await gradeOne(id, source, seed);
    expect(failures(verdict)).toEqual([]);
    for (const [property, count] of Object.entries(properties)) expect(verdict.cases.filter((c) => c.name.startsWith(`${property}: `)), property).toHaveLength(count);
  }
}

/** Registers the tests every exercise of the track has: each misconception diagnosed as itself, and the model solution passing with its properties. */
export function testDiagnosisAndSolution(id: string, properties: Record<string, number>): void {
  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', () => expectEachMisconceptionDiagnosed(id));
  test('check yourself: the model solution passes every case and holds every property (seeds 7 and 99)', () => expectSolutionHolds(id, properties));
}

/** Grades `source` and asserts that every case of `property` fails with a message matching `message`; returns the verdict. */
export async function expectPropertyBroken(id: string, source: string, property: string, message: RegExp): Promise<Verdict> {
  const verdict = await gradeOne(id, source);
  const results = verdict.cases.filter((c) => c.name.startsWith(`${property}: `));
  expect(results.length).toBeGreaterThan(0);
  for (const r of results) {
    expect(r.status, r.name).toBe('fail');
    expect(r.message).toMatch(message);
  }
  return verdict;
}

/** Asserts that a verdict fails and names `misconceptionId` as the likely mistake (every failing case explained). */
export function expectDiagnosed(verdict: Verdict, misconceptionId: string): void {
  expect(verdict.status).toBe('fail');
  expect(verdict.diagnosis).toMatchObject({ misconceptionId, confidence: 'full' });
}

/** Registers a test: the model solution with `from` replaced by `to` (one classic mistake) is graded and diagnosed as `misconceptionId`. */
export function testMistakeDiagnosed(id: string, mistake: string, [from, to]: [string, string], misconceptionId: string): void {
  test(`grading: a learner who ${mistake} is diagnosed as ${misconceptionId}`, async () => {
    expectDiagnosed(await gradeOne(id, await solutionWith(id, from, to)), misconceptionId);
  });
}

/** The greatest |a − b| over two nested number arrays (or records of them) of one shape. */
export function maxAbsDiff(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b);
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) return a.reduce((worst: number, x, i) => Math.max(worst, maxAbsDiff(x, b[i])), 0);
  if (isRecord(a) && isRecord(b) && Object.keys(a).sort().join() === Object.keys(b).sort().join()) return Object.keys(a).reduce((worst, k) => Math.max(worst, maxAbsDiff(a[k], b[k])), 0);
  throw new Error(`shapes differ: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** A seeded `[rows, cols]` matrix of numbers in [−scale, scale), from a small linear congruential generator independent of the tutor's. */
export function seededMatrix(seed: number, rows: number, cols: number, scale = 2): number[][] {
  let state = seed >>> 0;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => (2 * next() - 1) * scale));
}
