import { promises as fs } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { buildCases } from '../../../src/core/grading/grade.js';
import { loadTf } from '../../../src/reference/backend.js';
import { builtinPacksDir } from '../../../src/core/common/paths.js';
import { diagnoseEachMisconception, loadExercise, reference } from '../../helpers/exercises.js';
import { expectClose } from '../../helpers/matrices.js';

// Checks shared by the tests of the training pack's block track.

/** The lesson of a training exercise (`block/mlp`). */
export const trainingLesson = (id: string) => fs.readFile(path.join(builtinPacksDir, 'training', id, 'lesson.md'), 'utf8');

/** The training exercise's model solution, as source. */
export const trainingSolution = (id: string) => fs.readFile(path.join(builtinPacksDir, 'training', id, 'solution.ts'), 'utf8');

/**
 * The lesson's sections in the pack's order (Pitfalls, Conventions, Check
 * yourself, Where it comes from, What it is for, In practice last), and code
 * lines that fit 76 columns.
 */
export async function expectLessonLayout(id: string): Promise<void> {
  const lesson = await trainingLesson(id);
  const headings = [...lesson.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
  const order = ['Pitfalls', 'Conventions', 'Check yourself', 'Where it comes from', 'What it is for', 'In practice: PyTorch and TensorFlow.js'];
  expect(headings.filter((h) => order.includes(h))).toEqual(order);
  expect(headings.slice(-order.length + 1)).toEqual(order.slice(1));
  const fenced = [...lesson.matchAll(/```\w*\n([\s\S]*?)```/g)].flatMap((m) => m[1].split('\n'));
  const indented = lesson.split('\n').filter((line) => line.startsWith('    '));
  for (const line of [...fenced, ...indented]) expect(line.length, line).toBeLessThanOrEqual(76);
}

/**
 * Runs the ```js block of the lesson's In practice section on the first two
 * cases (seed 7), its arguments under the signature's names, and compares
 * `result` with the reference's output.
 */
export async function expectJsBlockMatchesReference(id: string, names: string[]): Promise<void> {
  const lesson = await trainingLesson(id);
  const last = lesson.slice(lesson.lastIndexOf('\n## '));
  expect(last).toMatch(/\*\*What differs\.\*\* /);
  expect(last).toMatch(/```python\n(?:[\s\S]*?\n)?result = /);
  const code = /```js\n([\s\S]*?)```/.exec(last)![1];
  const { ref, definition } = await loadExercise(`training/${id}`);
  const { tf } = await loadTf();
  for (const c of buildCases(ref, definition, 7).slice(0, 2)) {
    const args = c.args as unknown[];
    const result = await new Function('tf', ...names, `return (async () => {\n${code}\nreturn result;\n})();`)(tf, ...args);
    const plain = typeof result?.arraySync === 'function' ? result.arraySync() : result;
    expectClose(plain, await reference(`training/${id}`, ...args), 4, c.name);
  }
}

/** Every misconception fails the reference and is diagnosed as itself, on seeds 7 and 99. */
export async function expectMisconceptionsDiagnosed(id: string): Promise<void> {
  for (const seed of [7, 99]) {
    for (const result of await diagnoseEachMisconception(id, seed, 'training')) {
      expect(result.failingCases, `${result.id} (seed ${seed})`).toBeGreaterThan(0);
      expect(result.diagnosed, `${result.id} (seed ${seed})`).toBe(result.id);
    }
  }
}
