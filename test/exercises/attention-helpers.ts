import { mkdtempSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { gradeExercise } from '../../src/core/grading.js';
import type { Verdict } from '../../src/core/verdict.js';
import { loadExercise } from '../helpers/exercises.js';

/** Expects two matrices (or vectors, or lists of matrices) of the same shape to agree to `digits` decimals. */
export function expectClose(got: unknown, want: unknown, digits = 5, where = ''): void {
  if (typeof want === 'number') {
    expect(got, where).toBeCloseTo(want, digits);
    return;
  }
  expect(Array.isArray(got), `${where} is an array`).toBe(true);
  const g = got as unknown[];
  const w = want as unknown[];
  expect(g.length, `${where} length`).toBe(w.length);
  w.forEach((x, i) => expectClose(g[i], x, digits, `${where}[${i}]`));
}

/** Grades `source` as the learner's file for built-in exercise `id`, in a fresh temporary workspace. */
export async function gradeSource(id: string, source: string, seed = 7): Promise<Verdict> {
  const { ref, definition } = await loadExercise(id);
  const root = path.join(mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-attention-')), 'exercises');
  const learnerFile = path.join(root, 'transformer-core', `${id}.ts`);
  await fs.mkdir(path.dirname(learnerFile), { recursive: true });
  await fs.writeFile(learnerFile, source);
  return gradeExercise({ ref, definition, learnerFile, allowedRoot: root, seed });
}

/** A seeded [rows, cols] matrix of small numbers, for tests that need inputs of their own. */
export function seededMatrix(seed: number, rows: number, cols: number): number[][] {
  let state = seed >>> 0;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return Math.round((state / 4294967296) * 4000 - 2000) / 1000;
  };
  return Array.from({ length: rows }, () => Array.from({ length: cols }, next));
}
