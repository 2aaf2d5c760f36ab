import { describe, expect, test } from 'vitest';
import { unembed } from '../../../exercises/training/block/tied-unembedding/solution.js';
import { lessonUnembedding } from '../../../exercises/training/block/tied-unembedding/exercise.js';
import { buildCases } from '../../../src/core/grading/grade.js';
import { gradeLearnerSource, loadExercise, reference, wrong, wrongAlternatives } from '../../helpers/exercises.js';
import { expectClose } from '../../helpers/matrices.js';
import { expectJsBlockMatchesReference, expectLessonLayout, expectMisconceptionsDiagnosed, trainingSolution } from './block-helpers.js';

const id = 'block/tied-unembedding';
const qualified = `training/${id}`;

/** The lesson's table, worked by hand: h[t] · wte[v]. */
const lessonLogits = [
  [2 * 1 + 1 * 0, 2 * 0 + 1 * 1, 2 * 1 + 1 * 1],
  [0, -1, -1],
];

describe(id, () => {
  test('the lesson example: the reference and the model solution give the hand-worked logits', async () => {
    expectClose(await reference(qualified, ...lessonUnembedding), lessonLogits, 6);
    expect(unembed(...lessonUnembedding)).toEqual(lessonLogits);
  });

  test('the lesson\'s pitfalls: softmax([2, 1, 3]) and the 1/√2 factor', async () => {
    const [probs, logProbs] = (await wrongAlternatives(qualified, 'softmax-applied', ...lessonUnembedding)) as number[][][];
    expectClose(probs[0], [0.244728, 0.090031, 0.665241], 6);
    expectClose(logProbs[0], [2 - Math.log(Math.E ** 1 + Math.E ** 2 + Math.E ** 3), -2.407606, -0.407606], 5);
    expectClose(((await wrong(qualified, 'scaled-by-sqrt-c', ...lessonUnembedding)) as number[][])[0], [1.414214, 0.707107, 2.12132], 5);
  });

  test('the reference agrees with the model solution on every case of two seeds; one case has a square wte', async () => {
    const { ref, definition } = await loadExercise(qualified);
    for (const seed of [7, 99]) {
      const cases = buildCases(ref, definition, seed);
      expect(cases.some((c) => (c.args as number[][][])[1].length === (c.args as number[][][])[1][0].length)).toBe(true);
      for (const c of cases) {
        const [h, wte] = c.args as [number[][], number[][]];
        expectClose(await reference(qualified, h, wte), unembed(h, wte), 4, c.name);
      }
    }
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    await expectMisconceptionsDiagnosed(id);
  });

  test('the linearity property holds for the solution and fails for a learner that adds a bias of 1', async () => {
    const property = (v: Awaited<ReturnType<typeof gradeLearnerSource>>) => v.cases.filter((c) => c.name.startsWith('the logits are linear in h'));
    const solved = await gradeLearnerSource(id, { [`${id}.ts`]: await trainingSolution(id) }, 7, 'training');
    expect(property(solved).map((c) => c.status)).toEqual(['pass', 'pass']);
    const biased = (await trainingSolution(id)).replace('token.reduce((sum, w, c) => sum + w * row[c], 0)', 'token.reduce((sum, w, c) => sum + w * row[c], 1)');
    const verdict = await gradeLearnerSource(id, { [`${id}.ts`]: biased }, 7, 'training');
    expect(property(verdict).map((c) => c.status)).toEqual(['fail', 'fail']);
    expect(property(verdict)[0].message).toMatch(/^2·unembed\(h, wte\) and unembed\(2·h, wte\) differ/);
  });

  test('the lesson: its sections in order, and the js block of In practice computes the reference', async () => {
    await expectLessonLayout(id);
    await expectJsBlockMatchesReference(id, ['h', 'wte']);
  });
});
