import { mkdtempSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gradeExercise } from '../../src/core/grading/grade.js';
import type { Verdict } from '../../src/core/grading/verdict.js';
import { loadExercise } from '../helpers/exercises.js';

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

/** The worked example of the scaled-dot-product lesson, which the padding-mask lesson reuses: T = 2 queries, 3 keys, d = 4. */
export const attentionLesson = {
  q: [
    [1, 0, 1, 0],
    [0, 2, 0, 2],
  ],
  k: [
    [1, 1, 0, 0],
    [0, 0, 2, 0],
    [1, 0, 1, 2],
  ],
  v: [
    [1, 0],
    [0, 1],
    [1, 1],
  ],
};
