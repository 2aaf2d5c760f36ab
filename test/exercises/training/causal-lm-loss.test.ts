import { describe, expect, test } from 'vitest';
import { causalLmLoss } from '../../../exercises/training/objectives/causal-lm-loss/solution.js';
import { randomMatrix, randomInts, Rng } from '../../../src/core/authoring/rng.js';
import { lessonSequence } from '../../../exercises/training/objectives/objectives-math.js';
import { reference, wrong, wrongAlternatives } from '../../helpers/exercises.js';
import { expectDiagnosedAs, expectTrainingPropertyBroken, testMisconceptionsAndSolution, trainingSolutionWith } from './objectives-helpers.js';

const id = 'objectives/causal-lm-loss';
/** The id as reference() and wrong() take it, qualified by its pack. */
const qualified = `training/${id}`;
const lastRow = 'the last row of logits does not change the loss';
const firstToken = 'the first token does not change the loss';
// The lesson's example: logits [[2, 0, 1], [0, 1, 3], [1, 2, 0], [0, 0, 4]], tokens [0, 2, 1, 1].
const [logits, tokens] = lessonSequence;

/** −log p of token y under softmax(z), written out directly (small logits only): the test's own computation. */
const directNll = (z: number[], y: number) => -Math.log(Math.exp(z[y]) / z.reduce((s, v) => s + Math.exp(v), 0));

describe(id, () => {
  test("the lesson's table: row losses 1.407606, 2.169846, 0.407606 and their mean 1.328353, by hand and by the reference", async () => {
    const rows = [directNll(logits[0], 2), directNll(logits[1], 1), directNll(logits[2], 1)];
    [1.407606, 2.169846, 0.407606].forEach((want, t) => expect(rows[t]).toBeCloseTo(want, 6));
    expect(2 + Math.log(1 + Math.exp(-2) + Math.exp(-1))).toBeCloseTo(2.407606, 6);
    expect(3 + Math.log(1 + Math.exp(-2) + Math.exp(-3))).toBeCloseTo(3.169846, 6);
    expect((await reference(qualified, logits, tokens)) as number).toBeCloseTo(1.328353, 5);
  });

  test("the reference equals PyTorch's F.cross_entropy(logits[:-1], tokens[1:]) on the lesson example (torch 1.13, float64)", async () => {
    expect((await reference(qualified, logits, tokens)) as number).toBeCloseTo(1.3283526494816822, 5);
    // F.cross_entropy(logits, tokens), without the shift: the no-shift pitfall.
    expect((await wrong(qualified, 'no-shift', logits, tokens)) as number).toBeCloseTo(1.2552585620483099, 9);
  });

  test('the reference agrees with the model solution on seeded sequences, and stays finite for logits near ±1000', async () => {
    const rng = new Rng(2024);
    for (const [t, v] of [[2, 4], [5, 7], [9, 30]]) {
      const args = [randomMatrix(rng, t, v, 2), randomInts(rng, t, 0, v - 1)] as const;
      expect((await reference(qualified, ...args)) as number).toBeCloseTo(causalLmLoss(...args), 4);
    }
    const large = [[1000, 999, 0], [-1000, -1001, -1003], [0, 1000, 0]];
    // By hand: row 0 against token 1 costs 1000 + log(1 + e^−1) − 999; row 1 against token 0 costs log(1 + e^−1 + e^−3).
    const want = (1 + Math.log(1 + Math.exp(-1)) + Math.log(1 + Math.exp(-1) + Math.exp(-3))) / 2;
    expect((await reference(qualified, large, [2, 1, 0])) as number).toBeCloseTo(want, 4);
    expect(causalLmLoss(large, [2, 1, 0])).toBeCloseTo(want, 9);
  });

  test("the pitfalls' numbers on the lesson example", async () => {
    expect((await wrongAlternatives(qualified, 'no-shift', logits, tokens)) as number[]).toEqual([expect.closeTo(1.255259, 6), expect.closeTo(0.328353, 6)]);
    expect((await wrongAlternatives(qualified, 'last-position-included', logits, tokens)) as number[]).toEqual([expect.closeTo(0.996264, 6), expect.closeTo(2.005259, 6)]);
    expect((await wrong(qualified, 'shifted-backwards', logits, tokens)) as number).toBeCloseTo(3.204476, 6);
    expect((await wrong(qualified, 'sum-instead-of-mean', logits, tokens)) as number).toBeCloseTo(3.985058, 6);
    expect(await wrong(qualified, 'log-of-softmax', [[1000, 0], [0, 0]], [0, 1])).toBe(Infinity);
  });

  test('grading: a learner who scores each row against its own token is diagnosed as no-shift', async () => {
    await expectDiagnosedAs(id, await trainingSolutionWith(id, ['logits[t][tokens[t + 1]]', 'logits[t][tokens[t]]']), 'no-shift');
  });

  testMisconceptionsAndSolution(id, { [lastRow]: 2, [firstToken]: 2 });

  test('check yourself: a learner without the shift breaks both properties', async () => {
    const source = `export function causalLmLoss(logits: Matrix, tokens: number[]): number {
  let total = 0;
  for (let t = 0; t < tokens.length; t++) {
    const m = Math.max(...logits[t]);
    total += m + Math.log(logits[t].reduce((s, v) => s + Math.exp(v - m), 0)) - logits[t][tokens[t]];
  }
  return total / tokens.length;
}`;
    await expectTrainingPropertyBroken(id, source, lastRow, /^Replacing the last row of logits changed your loss from \S+ to \S+\. The last position predicts/);
    await expectTrainingPropertyBroken(id, source, firstToken, /^Changing tokens\[0\] changed your loss from \S+ to \S+\. No position predicts the first token/);
  });
});
