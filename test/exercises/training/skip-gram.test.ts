import { describe, expect, test } from 'vitest';
import { skipGramLoss } from '../../../exercises/training/objectives/skip-gram/solution.js';
import { randomMatrix, randomVector, Rng } from '../../../src/core/authoring/rng.js';
import { reference, wrong, wrongAlternatives } from '../../helpers/exercises.js';
import { expectDiagnosedAs, expectTrainingPropertyBroken, testMisconceptionsAndSolution, trainingSolutionWith } from './objectives-helpers.js';

const id = 'objectives/skip-gram';
/** The id as reference() and wrong() take it, qualified by its pack. */
const qualified = `training/${id}`;
const zeroCenter = 'a zero center vector gives (K + 1)·ln 2';
const moreNegatives = 'adding a negative never lowers the loss';
const center = [1, 0.5];
const context = [0.8, 1.2];
const negatives = [
  [-0.5, 0.4],
  [1, -1],
];

/** −log σ(x) from its definition, σ(x) = 1 / (1 + e^−x) (moderate x only): the test's own computation. */
const negLogSigmoid = (x: number) => -Math.log(1 / (1 + Math.exp(-x)));

describe('objectives/skip-gram', () => {
  test("the lesson's table: scores 1.4, −0.3, 0.5, terms 0.220417, 0.554355, 0.974077, loss 1.748850", async () => {
    const terms = [negLogSigmoid(0.8 * 1 + 1.2 * 0.5), negLogSigmoid(-(-0.5 * 1 + 0.4 * 0.5)), negLogSigmoid(-(1 * 1 - 1 * 0.5))];
    [0.220417, 0.554355, 0.974077].forEach((want, i) => expect(terms[i]).toBeCloseTo(want, 6));
    expect((await reference(qualified, center, context, negatives)) as number).toBeCloseTo(1.74885, 5);
  });

  test("the reference equals PyTorch's −(F.logsigmoid(u_o @ v_c) + F.logsigmoid(−(U @ v_c)).sum()) (torch 1.13, float64)", async () => {
    expect((await reference(qualified, center, context, negatives)) as number).toBeCloseTo(1.7488496385670849, 5);
  });

  test('hand-derived: a zero center gives (K + 1)·ln 2; a negative equal to the context gives s + 2·log(1 + e^−s); scores −1000 and 800 give 1800', async () => {
    expect((await reference(qualified, [0, 0], context, negatives)) as number).toBeCloseTo(3 * Math.LN2, 5);
    expect(3 * Math.LN2).toBeCloseTo(2.079442, 6);
    expect(7 * Math.LN2).toBeCloseTo(4.85203, 5);
    expect((await reference(qualified, [0.5, -1, 2], [1, 0.5, 0.25], [[1, 0.5, 0.25]])) as number).toBeCloseTo(0.5 + 2 * Math.log(1 + Math.exp(-0.5)), 5);
    expect((await reference(qualified, [10, 10], [-50, -50], [[40, 40], [-3, 1]])) as number).toBeCloseTo(1800, 3);
    expect((await reference(qualified, [1, 2], [0.5, -0.5], [])) as number).toBeCloseTo(negLogSigmoid(-0.5), 5);
  });

  test('the reference agrees with the model solution on seeded vectors', async () => {
    const rng = new Rng(11);
    for (const [d, k] of [[2, 1], [5, 5], [12, 10]]) {
      const args = [randomVector(rng, d, 1), randomVector(rng, d, 1), randomMatrix(rng, k, d, 1)] as const;
      expect((await reference(qualified, ...args)) as number).toBeCloseTo(skipGramLoss(...args), 4);
    }
  });

  test("the pitfalls' numbers on the lesson example", async () => {
    expect((await wrongAlternatives(qualified, 'negative-term-sign', center, context, negatives)) as number[]).toEqual([expect.closeTo(1.54885, 5), expect.closeTo(-1.308015, 5)]);
    expect((await wrong(qualified, 'softmax-over-words', center, context, negatives)) as number).toBeCloseTo(0.463264, 6);
    expect((await wrong(qualified, 'mean-over-negatives', center, context, negatives)) as number).toBeCloseTo(0.984634, 6);
    expect(await wrong(qualified, 'unstable-log-sigmoid', [10, 10], [-50, -50], [[40, 40], [-3, 1]])).toBe(Infinity);
  });

  test('grading: a learner with σ(+u_k·v_c) for the negatives is diagnosed as negative-term-sign', async () => {
    await expectDiagnosedAs(id, await trainingSolutionWith(id, ['loss -= logSigmoid(-dot(negative, center));', 'loss -= logSigmoid(dot(negative, center));']), 'negative-term-sign');
  });

  testMisconceptionsAndSolution(id, { [zeroCenter]: 2, [moreNegatives]: 2 });

  test('check yourself: the negative terms with the wrong sign break both properties', async () => {
    const source = await trainingSolutionWith(id, ['loss -= logSigmoid(-dot(negative, center));', 'loss += logSigmoid(-dot(negative, center));']);
    await expectTrainingPropertyBroken(id, source, zeroCenter, /^With a zero center vector and (2|6) negatives your loss is -?\S+, not (3|7)·ln 2 = \S+\. Every score is 0/);
    await expectTrainingPropertyBroken(id, source, moreNegatives, /^Adding a fourth negative lowered your loss from \S+ to \S+\. Each negative adds its own term/);
  });
});
