import { describe, expect, test } from 'vitest';
import { diagnoseEachMisconception, gradeLearnerSource, reference, solutionWith, wrong } from '../helpers/exercises.js';
import { expectClose } from '../helpers/matrices.js';
import { attentionLesson } from './attention-helpers.js';
import { expectPropertyBroken, expectSolutionHolds } from '../helpers/properties.js';

const id = 'attention/scaled-dot-product';
const permuted = 'permuting keys and values together leaves the output unchanged';

// The lesson's worked example.
const { q, k, v } = attentionLesson;

describe(id, () => {
  test('reference matches the lesson worked example: [[0.616348, 0.767303], [0.909969, 0.755272]]', async () => {
    const got = (await reference(id, q, k, v)) as number[][];
    expectClose(
      got,
      [
        [0.616348, 0.767303],
        [0.909969, 0.755272],
      ],
      5,
    );
  });

  test('reference: the softmax runs over the keys, so identical keys give the mean of v for every query', async () => {
    const key = [0.3, -1.2, 0.5];
    const got = (await reference(id, [[1, 2, 3], [-4, 0, 9]], [key, key, key, key], [[1, 0], [2, 0], [3, 1], [6, 3]])) as number[][];
    expectClose(got, [[3, 1], [3, 1]], 6);
  });

  test('reference: scores near ±1000 stay finite (weights softmax([1, 2, 0]) and softmax([−1, −2, 0]))', async () => {
    const got = (await reference(
      id,
      [
        [32, 32, 32, 32],
        [-32, -32, -32, -32],
      ],
      [
        [15.625, 15.625, 15.625, 15.625],
        [15.625, 15.625, 15.625, 15.6875],
        [15.5625, 15.625, 15.625, 15.625],
      ],
      [
        [1, 0],
        [0, 1],
        [0, 0],
      ],
    )) as number[][];
    // softmax([1, 2, 0]) = [0.244728, 0.665241, 0.090031]; softmax([−1, −2, 0]) = [0.244728, 0.090031, 0.665241].
    expectClose(
      got,
      [
        [0.244728, 0.665241],
        [0.244728, 0.090031],
      ],
      5,
    );
  });

  test('the no-max-subtraction variant gives NaN on large scores, as naive float64 code does', async () => {
    const got = (await wrong(id, 'no-max-subtraction', [[40]], [[30], [29]], [[1], [2]])) as number[][];
    expect(Number.isNaN(got[0][0])).toBe(true);
  });

  test('the lesson example with the scale after the softmax: each row of weights sums to 0.5, the output is half the unscaled one', async () => {
    // Hand-worked: unscaled scores [1, 2, 2] and [2, 0, 4]; their softmaxes, then ·v, then ÷ √4.
    const row0 = [Math.exp(-1), 1, 1].map((e) => e / (Math.exp(-1) + 2));
    const row1 = [Math.exp(-2), Math.exp(-4), 1].map((e) => e / (Math.exp(-2) + Math.exp(-4) + 1));
    expectClose(row0, [0.155362, 0.422319, 0.422319], 6);
    expectClose(row1, [0.11731, 0.015876, 0.866813], 6);
    const halved = [row0, row1].map((p) => [(p[0] + p[2]) / 2, (p[1] + p[2]) / 2]);
    expectClose(halved, [
      [0.288841, 0.422319],
      [0.492062, 0.441345],
    ]);
    expectClose(await wrong(id, 'scale-after-softmax', q, k, v), halved, 6);
  });

  test('the lesson example with one softmax over the whole score matrix: rows sum to 0.389459 and 0.610541', async () => {
    // Hand-worked: S = [[0.5, 1, 1], [1, 0, 2]], exponentiated after subtracting the overall max 2, over one total.
    const exps = [
      [Math.exp(-1.5), Math.exp(-1), Math.exp(-1)],
      [Math.exp(-1), Math.exp(-2), 1],
    ];
    const total = exps.flat().reduce((a, b) => a + b, 0);
    expect(total).toBeCloseTo(2.462104, 6);
    const weights = exps.map((row) => row.map((e) => e / total));
    expectClose(weights, [
      [0.090626, 0.149417, 0.149417],
      [0.149417, 0.054967, 0.406157],
    ]);
    expectClose(
      weights.map((row) => row.reduce((a, b) => a + b, 0)),
      [0.389459, 0.610541],
    );
    const out = weights.map((p) => [p[0] + p[2], p[1] + p[2]]);
    expectClose(out, [
      [0.240043, 0.298833],
      [0.555573, 0.461124],
    ]);
    expectClose(await wrong(id, 'softmax-over-whole-matrix', q, k, v), out, 6);
  });

  test('grading: a learner who scales the weights after the softmax is diagnosed as scale-after-softmax', async () => {
    const source = await solutionWith(id, ['return dot * scale;', 'return dot;'], ['const w = e / sum;', 'const w = (e / sum) * scale;']);
    const verdict = await gradeLearnerSource(id, { [`${id}.ts`]: source });
    expect(verdict.status).toBe('fail');
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'scale-after-softmax', confidence: 'full' });
  });

  for (const seed of [7, 42, 2024]) {
    test(`every misconception fails the reference and is diagnosed as itself (seed ${seed})`, async () => {
      for (const result of await diagnoseEachMisconception(id, seed)) {
        expect(result.failingCases, result.id).toBeGreaterThan(0);
        expect(result.diagnosed, result.id).toBe(result.id);
      }
    });
  }

  test('check yourself (lesson): keys in the order 2, 0, 1 with their values give the hand-worked outputs again', async () => {
    const order = [2, 0, 1];
    const got = (await reference(id, q, order.map((j) => k[j]), order.map((j) => v[j]))) as number[][];
    expectClose(
      got,
      [
        [0.616348, 0.767303],
        [0.909969, 0.755272],
      ],
      5,
    );
  });

  test('check yourself: the model solution keeps its output when keys and values are permuted together (seeds 7 and 99)', async () => {
    await expectSolutionHolds(id, { [permuted]: 2 });
  });

  test('check yourself: attention that favours later keys by their index breaks the permutation property', async () => {
    const byIndex = `export function attention(q: Matrix, k: Matrix, v: Matrix): Matrix {
  return q.map((qi) => {
    const s = k.map((kj, j) => qi.reduce((a, x, c) => a + x * kj[c], 0) / Math.sqrt(qi.length) + 0.5 * j);
    const e = s.map((x) => Math.exp(x - Math.max(...s)));
    const total = e.reduce((a, b) => a + b, 0);
    return v[0].map((_, c) => e.reduce((a, w, j) => a + (w / total) * v[j][c], 0));
  });
}`;
    await expectPropertyBroken(id, byIndex, permuted, /^attention\(q, k, v\) and attention\(q, k′, v′\), .* differ: \[\d\]\[\d\] is \S+ in the first and \S+ in the second\. Each key's weight depends only on q·k_j/);
  });
});

