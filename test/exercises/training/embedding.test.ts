import { describe, expect, test } from 'vitest';
import { embed } from '../../../exercises/training/block/embedding/solution.js';
import { lessonEmbedding } from '../../../exercises/training/block/embedding/exercise.js';
import { buildCases } from '../../../src/core/grading/grade.js';
import { gradeLearnerSource, loadExercise, reference, wrong } from '../../helpers/exercises.js';
import { expectClose } from '../../helpers/matrices.js';
import { expectJsBlockMatchesReference, expectLessonLayout, expectMisconceptionsDiagnosed, trainingSolution } from './block-helpers.js';

const id = 'block/embedding';
const qualified = `training/${id}`;

/** The lesson's table, added up by hand: wte[token] + wpe[t]. */
const lessonRows = [
  [0 + 0.1, 2 + 0, 0 + 0],
  [1 + 0, 0 + 0.1, -1 + 0],
  [0 + 0, 2 + 0, 0 + 0.1],
];

describe(id, () => {
  test('the lesson example: the reference and the model solution give the hand-added rows', async () => {
    expectClose(await reference(qualified, ...lessonEmbedding), lessonRows, 6);
    expectClose(embed(...lessonEmbedding), lessonRows, 12);
  });

  test('the lesson\'s pitfalls: positions from 1, no position, wpe by token', async () => {
    expectClose(await wrong(qualified, 'positions-from-1', ...lessonEmbedding), [
      [0, 2.1, 0],
      [1, 0, -0.9],
      [0.2, 2.2, 0.2],
    ]);
    expect(await wrong(qualified, 'position-missing', ...lessonEmbedding)).toEqual([
      [0, 2, 0],
      [1, 0, -1],
      [0, 2, 0],
    ]);
    expectClose(((await wrong(qualified, 'wpe-by-token', ...lessonEmbedding)) as number[][])[0], [0.2, 2.2, 0.2]);
  });

  test('the reference agrees with the model solution on every case of two seeds, and no case reads past the context', async () => {
    const { ref, definition } = await loadExercise(qualified);
    for (const seed of [7, 99]) {
      for (const c of buildCases(ref, definition, seed)) {
        const [tokens, wte, wpe] = c.args as Parameters<typeof embed>;
        expect(tokens.length, c.name).toBeLessThanOrEqual(wpe.length);
        expect(Math.max(...tokens), c.name).toBeLessThan(wte.length);
        expectClose(await reference(qualified, tokens, wte, wpe), embed(tokens, wte, wpe), 5, c.name);
      }
    }
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    await expectMisconceptionsDiagnosed(id);
  });

  test('the prefix property holds for the solution and fails for positions counted from the end', async () => {
    const solved = await gradeLearnerSource(id, { [`${id}.ts`]: await trainingSolution(id) }, 7, 'training');
    const property = (v: typeof solved) => v.cases.filter((c) => c.name.startsWith('the first k tokens embed to the first k rows'));
    expect(property(solved).map((c) => c.status)).toEqual(['pass', 'pass']);
    const fromEnd = (await trainingSolution(id)).replace('wpe[t][c]', 'wpe[tokens.length - 1 - t][c]');
    const verdict = await gradeLearnerSource(id, { [`${id}.ts`]: fromEnd }, 7, 'training');
    expect(property(verdict).map((c) => c.status)).toEqual(['fail', 'fail']);
    expect(property(verdict)[0].message).toMatch(/^Embedding the first k tokens alone and embedding the whole sequence give different first k rows/);
  });

  test('the lesson: its sections in order, and the js block of In practice computes the reference', async () => {
    await expectLessonLayout(id);
    await expectJsBlockMatchesReference(id, ['tokens', 'wte', 'wpe']);
  });
});
