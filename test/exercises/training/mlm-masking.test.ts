import { describe, expect, test } from 'vitest';
import { mlmMask } from '../../../exercises/training/objectives/mlm-masking/solution.js';
import { randomInts, Rng, uniforms } from '../../../src/core/authoring/rng.js';
import { reference, wrong } from '../../helpers/exercises.js';
import { expectDiagnosedAs, expectTrainingPropertyBroken, testMisconceptionsAndSolution, trainingSolutionWith } from './objectives-helpers.js';

const id = 'objectives/mlm-masking';
/** The id as reference() and wrong() take it, qualified by its pack. */
const qualified = `training/${id}`;
const labelled = 'a label is −100 or the original token, and only labelled positions change';
const specials = 'special tokens are never picked';

/** The lesson's example: "[CLS] my dog is very hairy [SEP]", [MASK] = 3, V = 20, rate 0.15. */
const lesson = [
  [1, 11, 12, 13, 14, 15, 2],
  { pick: [0.05, 0.62, 0.11, 0.48, 0.09, 0.13, 0.71], action: [0.5, 0.2, 0.34, 0.77, 0.85, 0.93, 0.1], random: [0.3, 0.9, 0.55, 0.05, 0.42, 0.66, 0.2] },
  { maskId: 3, vocabSize: 20, rate: 0.15, special: [0, 1, 2, 3] },
] as const;
const args = () => structuredClone(lesson) as unknown as Parameters<typeof mlmMask>;

describe('objectives/mlm-masking', () => {
  test("the lesson's table, worked by hand: dog → [MASK], very → ⌊0.42·20⌋ = 8, hairy kept, [CLS] not picked", async () => {
    expect(Math.floor(0.42 * 20)).toBe(8);
    expect(await reference(qualified, ...args())).toEqual({ inputs: [1, 11, 3, 13, 8, 15, 2], labels: [-100, -100, 12, -100, 14, 15, -100] });
  });

  test('the reference agrees with the model solution on seeded sentences, and leaves its arguments as they were', async () => {
    const rng = new Rng(2024);
    for (const [n, v, rate] of [[8, 30, 0.15], [15, 50, 0.4], [20, 25, 0.8]]) {
      const tokens = [1, ...randomInts(rng, n, 4, v - 1), 2];
      const u = { pick: uniforms(rng, n + 2), action: uniforms(rng, n + 2), random: uniforms(rng, n + 2) };
      const cfg = { maskId: 3, vocabSize: v, rate, special: [0, 1, 2, 3] };
      const before = JSON.stringify(tokens);
      expect(await reference(qualified, tokens, u, cfg)).toEqual(mlmMask(tokens, u, cfg));
      expect(JSON.stringify(tokens)).toBe(before);
    }
  });

  test("the pitfalls' outputs on the lesson example", async () => {
    expect(((await wrong(qualified, 'every-pick-masked', ...args())) as { inputs: number[] }).inputs).toEqual([1, 11, 3, 13, 3, 3, 2]);
    expect(((await wrong(qualified, 'labels-everywhere', ...args())) as { labels: number[] }).labels).toEqual([1, 11, 12, 13, 14, 15, 2]);
    expect(await wrong(qualified, 'specials-picked', ...args())).toEqual({ inputs: [3, 11, 3, 13, 8, 15, 2], labels: [1, -100, 12, -100, 14, 15, -100] });
    expect(((await wrong(qualified, 'label-is-the-input', ...args())) as { labels: number[] }).labels).toEqual([-100, -100, 3, -100, 8, 15, -100]);
    expect(((await wrong(qualified, 'random-and-keep-swapped', ...args())) as { inputs: number[] }).inputs).toEqual([1, 11, 3, 13, 14, 13, 2]);
  });

  test('the boundaries: pick = rate is not picked, action 0.8 draws a random id, 0.9 keeps; the inclusive variant decides the other way', async () => {
    const tokens = [1, 20, 21, 22, 23, 24, 2];
    const u = { pick: [0.1, 0.25, 0.1, 0.2, 0.05, 0, 0.3], action: [0.1, 0.1, 0.8, 0.9, 0.8, 0.79, 0.2], random: [0.5, 0.5, 0.999, 0.5, 0, 0.5, 0.5] };
    const cfg = { maskId: 3, vocabSize: 30, rate: 0.25, special: [0, 1, 2, 3] };
    expect(await reference(qualified, tokens, u, cfg)).toEqual({ inputs: [1, 20, 29, 22, 0, 3, 2], labels: [-100, -100, 21, 22, 23, 24, -100] });
    expect(await wrong(qualified, 'inclusive-bounds', tokens, u, cfg)).toEqual({ inputs: [1, 3, 3, 15, 3, 3, 2], labels: [-100, 20, 21, 22, 23, 24, -100] });
  });

  test('grading: a learner who turns every pick into [MASK] is diagnosed as every-pick-masked', async () => {
    await expectDiagnosedAs(id, await trainingSolutionWith(id, ['if (u.action[t] < 0.8) inputs[t] = cfg.maskId;\n    else if (u.action[t] < 0.9) inputs[t] = Math.floor(u.random[t] * cfg.vocabSize);', 'inputs[t] = cfg.maskId;']), 'every-pick-masked');
  });

  testMisconceptionsAndSolution(id, { [labelled]: 2, [specials]: 2 });

  test('check yourself: labelling with the new input, or picking specials, breaks the property it names', async () => {
    // The label read after the input was replaced: [MASK] or the random id instead of the original token.
    const labelAfter = await trainingSolutionWith(id, ['labels[t] = tokens[t];\n', ''], ['Math.floor(u.random[t] * cfg.vocabSize);\n', 'Math.floor(u.random[t] * cfg.vocabSize);\n    labels[t] = inputs[t];\n']);
    await expectTrainingPropertyBroken(id, labelAfter, labelled, /^Position \d+ has label \d+, but its original token is \d+: the label is what the model must recover/);
    const pickSpecials = await trainingSolutionWith(id, ['cfg.special.includes(tokens[t]) || ', '']);
    await expectTrainingPropertyBroken(id, pickSpecials, specials, /^Position \d+ holds the special token \d+, yet your function gave it input -?\d+ and label -?\d+\. Specials/);
  });
});
