import { describe, expect, test } from 'vitest';
import { perplexity } from '../../../exercises/training/objectives/perplexity/solution.js';
import { randomInts, randomMatrix, Rng } from '../../../src/core/authoring/rng.js';
import { lessonSequence } from '../../../exercises/training/objectives/objectives-math.js';
import { reference, wrong, wrongAlternatives } from '../../helpers/exercises.js';
import { expectDiagnosedAs, expectTrainingPropertyBroken, testMisconceptionsAndSolution, trainingSolutionWith } from './objectives-helpers.js';

const id = 'objectives/perplexity';
/** The id as reference() and wrong() take it, qualified by its pack. */
const qualified = `training/${id}`;
const uniform = 'equal logits give perplexity V';
const atLeastOne = 'the perplexity is at least 1';
// The lesson's example: logits [[2, 0, 1], [0, 1, 3], [1, 2, 0], [0, 0, 4]], tokens [0, 2, 1, 1].
const [logits, tokens] = lessonSequence;

/** softmax(z)[y], written out directly (small logits only): the test's own computation. */
const probability = (z: number[], y: number) => Math.exp(z[y]) / z.reduce((s, v) => s + Math.exp(v), 0);

describe('objectives/perplexity', () => {
  test("the lesson's table: p = 0.244728, 0.114195, 0.665241, and the perplexity 3.774820 as the geometric mean of 1/p", async () => {
    const p = [probability(logits[0], 2), probability(logits[1], 1), probability(logits[2], 1)];
    [0.244728, 0.114195, 0.665241].forEach((want, t) => expect(p[t]).toBeCloseTo(want, 6));
    const product = p.reduce((acc, x) => acc / x, 1);
    expect(product).toBeCloseTo(53.788406, 5);
    expect(Math.cbrt(product)).toBeCloseTo(3.77482, 5);
    expect((await reference(qualified, logits, tokens)) as number).toBeCloseTo(3.77482, 4);
  });

  test("the reference equals PyTorch's torch.exp(F.cross_entropy(logits[:-1], tokens[1:])) (torch 1.13, float64)", async () => {
    expect((await reference(qualified, logits, tokens)) as number).toBeCloseTo(3.774819811397646, 4);
  });

  test('the reference agrees with the model solution on seeded sequences, and gives V for equal logits', async () => {
    const rng = new Rng(99);
    for (const [t, v] of [[2, 3], [6, 9], [10, 25]]) {
      const args = [randomMatrix(rng, t, v, 1.5), randomInts(rng, t, 0, v - 1)] as const;
      expect((await reference(qualified, ...args)) as number).toBeCloseTo(perplexity(...args), 3);
    }
    expect((await reference(qualified, [[1, 1, 1, 1, 1], [0, 0, 0, 0, 0], [4, 4, 4, 4, 4]], [0, 3, 2])) as number).toBeCloseTo(5, 4);
  });

  test("the pitfalls' numbers on the lesson example", async () => {
    expect((await wrong(qualified, 'exp-of-sum', logits, tokens)) as number).toBeCloseTo(53.788406, 5);
    expect((await wrong(qualified, 'base-2-with-nats', logits, tokens)) as number).toBeCloseTo(2.511158, 6);
    expect((await wrongAlternatives(qualified, 'no-shift', logits, tokens)) as number[]).toEqual([expect.closeTo(3.508745, 6), expect.closeTo(1.388679, 6)]);
    expect((await wrong(qualified, 'mean-of-exp', logits, tokens)) as number).toBeCloseTo(4.782104, 6);
    expect((await wrong(qualified, 'loss-not-exponentiated', logits, tokens)) as number).toBeCloseTo(1.328353, 6);
    expect(2 ** Math.log(6)).toBeCloseTo(3.46, 2);
  });

  test('grading: a learner who writes 2 ** loss is diagnosed as base-2-with-nats', async () => {
    await expectDiagnosedAs(id, await trainingSolutionWith(id, ['Math.exp(total / positions)', '2 ** (total / positions)']), 'base-2-with-nats');
  });

  testMisconceptionsAndSolution(id, { [uniform]: 2, [atLeastOne]: 2 });

  test('check yourself: returning the loss breaks both properties', async () => {
    const source = await trainingSolutionWith(id, ['Math.exp(total / positions)', 'total / positions']);
    await expectTrainingPropertyBroken(id, source, uniform, /^With (6|50) equal logits in every row your perplexity is \S+, not (6|50)\. Each position gives its target p = 1\/(6|50)/);
    await expectTrainingPropertyBroken(id, source, atLeastOne, /^Your perplexity is \S+\. The loss is a mean of −log p with p ≤ 1/);
  });
});
