import { describe, expect, test } from 'vitest';
import { sequenceLogProb } from '../../../exercises/alignment-multimodal/preference/sequence-logprob/solution.js';
import { confidentLogits, lessonLogits, lessonPromptLen, lessonTokens } from '../../../exercises/alignment-multimodal/preference/sequence-logprob/exercise.js';
import { loadTf } from '../../../src/reference/backend.js';
import { reference, solutionWith, wrong } from '../../helpers/exercises.js';
import { expectPropertyBroken, expectSolutionHolds } from '../../helpers/properties.js';
import {
  expectEachMisconceptionDiagnosed,
  expectWithinTolerance,
  grade,
  lessonBlock,
  lessonSection,
  printed,
  runLessonJs,
  seededCases,
  tfSequenceLogProb,
} from './preference-helpers.js';

const id = 'preference/sequence-logprob';
const qualified = `alignment-multimodal/${id}`;
const shift = 'adding the same number to every logit of a row changes nothing (±1000 too)';
const unusedRows = 'the rows that predict prompt tokens, and the last row, do not change the result';
type Args = [number[][], number[], number];
const logProb = async (...args: Args) => (await reference(qualified, ...args)) as number;
const lesson: Args = [lessonLogits, lessonTokens, lessonPromptLen];

describe(id, () => {
  test('the lesson example by hand: log-sum-exps 2.407606 and 1.551445, terms −1.407606, −0.551445, −1.407606, sum −3.366657', async () => {
    const e = Math.E;
    const lse210 = Math.log(e * e + e + 1);
    const lse100 = Math.log(e + 2);
    expect(lse210).toBeCloseTo(2.407606, 6);
    expect(lse100).toBeCloseTo(1.551445, 6);
    expect(Math.log(2 * e + 1)).toBeCloseTo(1.861995, 6);
    // Row 1 gives token 2 (= 1) logit 1, row 2 gives token 3 (= 0) logit 1, row 3 gives token 4 (= 2) logit 1.
    const terms = [1 - lse210, 1 - lse100, 1 - lse210];
    expect(terms[1]).toBeCloseTo(-0.551445, 6);
    const sum = terms.reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(-3.366657, 6);
    expect(await logProb(...lesson)).toBeCloseTo(sum, 12);
    // The probability of the response, as a product of the three probabilities.
    const softmax = (row: number[]) => row.map((x) => Math.exp(x) / row.reduce((s, y) => s + Math.exp(y), 0));
    const product = softmax(lessonLogits[1])[1] * softmax(lessonLogits[2])[0] * softmax(lessonLogits[3])[2];
    expect(Math.exp(await logProb(...lesson))).toBeCloseTo(product, 12);
    expect(product).toBeCloseTo(0.034505, 6);
  });

  test('the lesson\'s heatmap is softmax of each row of logits', async () => {
    const rows = (await lessonBlock(id, 'heatmap')).split('\n').filter((l) => /^r\d /.test(l));
    expect(rows).toHaveLength(5);
    rows.forEach((line, r) => {
      const values = line.trim().split(/\s+/).slice(1).map(Number);
      const z = lessonLogits[r];
      const sum = z.reduce((s, x) => s + Math.exp(x), 0);
      values.forEach((v, k) => expect(v, `row ${r}, token ${k}`).toBeCloseTo(Math.exp(z[k]) / sum, 6));
    });
  });

  test('PyTorch 1.13 (trainers.py\'s _get_batch_logps, float64) on the lesson example for every promptLen, on a 6-token sequence, and on the confident row', async () => {
    // labels = torch.tensor([tokens]); labels[:, :promptLen] = -100; labels = labels[:, 1:].clone();
    // logits = logits[:, :-1, :]; mask = labels != -100; labels[labels == -100] = 0;
    // per = torch.gather(logits.log_softmax(-1), 2, labels.unsqueeze(2)).squeeze(2); (per * mask).sum(-1)
    const torchByPromptLen = [-3.774262607265192, -3.774262607265192, -3.3666566428208116, -1.9590506783764314, -1.4076059644443804];
    for (const [promptLen, want] of torchByPromptLen.entries()) expect(await logProb(lessonLogits, lessonTokens, promptLen), `promptLen ${promptLen}`).toBeCloseTo(want, 12);
    const x = [
      [0.5, -1.2, 2.0, 0.3],
      [1.1, 0.4, -0.7, -2.2],
      [-0.3, 0.9, 0.0, 1.7],
      [2.4, -0.5, 0.6, -1.0],
      [0.0, 0.0, 3.1, -0.4],
      [-1.5, 1.3, 0.2, 0.8],
    ];
    expect(await logProb(x, [3, 1, 2, 0, 2, 1], 2)).toBeCloseTo(-10.139071133632838, 12);
    expect(await logProb(x, [3, 1, 2, 0, 2, 1], 1)).toBeCloseTo(-13.708270441001856, 12);
    expect(await logProb(confidentLogits, lessonTokens, lessonPromptLen)).toBeCloseTo(-1002.8152119288889, 9);
    // The same with average_log_prob=True: (per * mask).sum(-1) / mask.sum(-1).
    expect(await wrong(qualified, 'averaged', ...lesson)).toBeCloseTo(-1.1222188809402704, 12);
  });

  test('the reference and the model solution agree with tf.logSoftmax on every seeded case', async () => {
    for (const c of await seededCases(id)) {
      const args = c.args as Args;
      const want = await logProb(...args);
      expect(sequenceLogProb(...args), c.name).toBeCloseTo(want, 10);
      expectWithinTolerance(await tfSequenceLogProb(...args), want, c.name);
    }
  });

  test('the wrong variants on the lesson example are the numbers its Pitfalls quote', async () => {
    const pitfalls = await lessonSection(id, 'Pitfalls');
    const cases: [string, number][] = [
      ['prompt-included', -3.774263],
      ['no-shift', -5.821045],
      ['averaged', -1.122219],
    ];
    for (const [misconception, value] of cases) {
      const got = (await wrong(qualified, misconception, ...lesson)) as number;
      expect(got, misconception).toBeCloseTo(value, 6);
      expect(pitfalls, misconception).toContain(printed(got));
    }
    // The naive log-softmax is right on the lesson, −Infinity on the confident row; the stable sum there is −1002.815212.
    expect(await wrong(qualified, 'naive-log-softmax', ...lesson)).toBeCloseTo(await logProb(...lesson), 12);
    expect(await wrong(qualified, 'naive-log-softmax', confidentLogits, lessonTokens, lessonPromptLen)).toBe(-Infinity);
    expect(pitfalls).toContain(printed(await logProb(confidentLogits, lessonTokens, lessonPromptLen)));
    expect(pitfalls).toContain('−Infinity');
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    expect(await expectEachMisconceptionDiagnosed(id)).toEqual(['prompt-included', 'no-shift', 'averaged', 'naive-log-softmax']);
  });

  test('check yourself: the model solution holds both properties; a log-softmax without the max breaks the first, scoring from t = 1 the second', async () => {
    await expectSolutionHolds(qualified, { [shift]: 1, [unusedRows]: 1 });
    const unstable = await solutionWith(qualified, ['sum += Math.exp(z - max);', 'sum += Math.exp(z);'], ['return row[k] - max - Math.log(sum);', 'return row[k] - Math.log(sum);']);
    await expectPropertyBroken(qualified, unstable, shift, /^Your log-probability is -?[\d.e+-]+ for the logits and (NaN|-?Infinity|-?[\d.e+-]+) with every even row \+1000/);
    const fromOne = await solutionWith(qualified, ['let t = Math.max(promptLen, 1);', 'let t = 1;']);
    await expectPropertyBroken(qualified, fromOne, unusedRows, /^With a prompt of 3 tokens out of 7, only rows 2 to 5/);
  });

  test('grading: a learner who scores the prompt too fails, diagnosed as prompt-included', async () => {
    const verdict = await grade(id, await solutionWith(qualified, ['let t = Math.max(promptLen, 1);', 'let t = 1;']));
    expect(verdict.status).toBe('fail');
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'prompt-included', confidence: 'full' });
  });

  test('grading: a learner who averages fails, diagnosed as averaged', async () => {
    const source = await solutionWith(qualified, ['  return total;\n', '  return total / (tokens.length - Math.max(promptLen, 1));\n']);
    const verdict = await grade(id, source);
    expect(verdict.status).toBe('fail');
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'averaged', confidence: 'full' });
  });

  test('the ```js block of In practice gives the reference\'s output on the lesson example and with promptLen 0', async () => {
    const { tf } = await loadTf();
    for (const promptLen of [2, 0]) {
      const got = (await runLessonJs(id, tf, { logits: lessonLogits, tokens: lessonTokens, promptLen })) as number;
      expectWithinTolerance(got, await logProb(lessonLogits, lessonTokens, promptLen), `promptLen ${promptLen}`);
    }
  });
});
