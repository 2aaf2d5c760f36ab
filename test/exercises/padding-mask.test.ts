import { describe, expect, test } from 'vitest';
import { maskedAttention } from '../../exercises/transformer-core/attention/padding-mask/solution.js';
import { diagnoseEachMisconception, reference, wrong } from '../helpers/exercises.js';
import { expectClose } from '../helpers/matrices.js';
import { attentionLesson, seededMatrix } from './attention-helpers.js';
import { expectPropertyBroken, expectSolutionHolds } from '../helpers/properties.js';

const id = 'attention/padding-mask';
const ignored = 'changing the keys and values no query may see leaves the output unchanged';

// The lesson's worked example.
const { q, k, v } = attentionLesson;
const mask = [
  [true, false, true],
  [false, false, false],
];

/** The m × m identity as v: each output row is then the row of attention weights itself. */
const identity = (m: number) => Array.from({ length: m }, (_, i) => Array.from({ length: m }, (_, j) => (i === j ? 1 : 0)));
const grid = (n: number, m: number, allowed: (i: number, j: number) => boolean) => Array.from({ length: n }, (_, i) => Array.from({ length: m }, (_, j) => allowed(i, j)));

describe(id, () => {
  test('reference matches the lesson worked example: [[1, 0.622459], [0, 0]]', async () => {
    const got = (await reference(id, q, k, v, mask)) as number[][];
    expectClose(got, [
      [1, 0.622459],
      [0, 0],
    ]);
    // The fully masked row is exactly zero, not merely close.
    expect(got[1]).toEqual([0, 0]);
  });

  test('masked keys get weight exactly 0, the rest renormalised (weights read through v = I)', async () => {
    const zerosQ = seededMatrix(1, 3, 4).map((row) => row.map(() => 0));
    const got = (await reference(id, zerosQ, seededMatrix(2, 4, 4), identity(4), grid(3, 4, (i, j) => j !== i))) as number[][];
    expectClose(got, [
      [0, 1 / 3, 1 / 3, 1 / 3],
      [1 / 3, 0, 1 / 3, 1 / 3],
      [1 / 3, 1 / 3, 0, 1 / 3],
    ]);
    got.forEach((row, i) => expect(row[i]).toBe(0));
  });

  test('a key padding mask equals plain attention over the real keys only', async () => {
    const [qq, kk, vv] = [seededMatrix(3, 4, 5), seededMatrix(4, 6, 5), seededMatrix(5, 6, 3)];
    const padded = await reference(id, qq, kk, vv, grid(4, 6, (_, j) => j < 4));
    const truncated = await reference('attention/scaled-dot-product', qq, kk.slice(0, 4), vv.slice(0, 4));
    expectClose(padded, truncated);
  });

  test('the causal mask as data equals attention/causal-mask, with n < m and n > m', async () => {
    for (const [n, m] of [
      [2, 5],
      [5, 3],
      [4, 4],
    ]) {
      const [qq, kk, vv] = [seededMatrix(n, n, 4), seededMatrix(m, m, 4), seededMatrix(n + m, m, 2)];
      const viaMask = await reference(id, qq, kk, vv, grid(n, m, (i, j) => j <= m - n + i));
      expectClose(viaMask, await reference('attention/causal-mask', qq, kk, vv));
    }
  });

  test('the model solution agrees with the reference, a fully masked row included', async () => {
    const [qq, kk, vv] = [seededMatrix(6, 4, 3), seededMatrix(7, 5, 3), seededMatrix(8, 5, 2)];
    const m = grid(4, 5, (i, j) => i !== 2 && (i + j) % 3 !== 0);
    expectClose(maskedAttention(qq, kk, vv, m), await reference(id, qq, kk, vv, m));
  });

  test('the fully-masked-row variants give NaN, the mean of v and the unmasked row on the lesson example', async () => {
    const nan = (await wrong(id, 'fully-masked-row-nan', q, k, v, mask)) as number[][];
    expect(nan[1].every(Number.isNaN)).toBe(true);
    expectClose(nan[0], [1, 0.622459]);
    expectClose(await wrong(id, 'fully-masked-row-mean', q, k, v, mask), [
      [1, 0.622459],
      [2 / 3, 2 / 3],
    ]);
    expectClose(await wrong(id, 'fully-masked-row-unmasked', q, k, v, mask), [
      [1, 0.622459],
      [0.909969, 0.755272],
    ]);
    expectClose(await wrong(id, 'mask-inverted', q, k, v, mask), [
      [0, 1],
      [0.909969, 0.755272],
    ]);
    expectClose(await wrong(id, 'masked-scores-zeroed', q, k, v, mask), [
      [0.813676, 0.692804],
      [2 / 3, 2 / 3],
    ]);
    const product = (await wrong(id, 'mask-built-by-multiplication', q, k, v, mask)) as number[][];
    expect(product.flat().every(Number.isNaN)).toBe(true);
  });

  for (const seed of [7, 42, 2024]) {
    test(`every misconception fails the reference and is diagnosed as itself (seed ${seed})`, async () => {
      for (const result of await diagnoseEachMisconception(id, seed)) {
        expect(result.failingCases, result.id).toBeGreaterThan(0);
        expect(result.diagnosed, result.id).toBe(result.id);
      }
    });
  }

  test('check yourself (lesson): key 1 of the worked example, masked for both queries, can be anything: the output stays [[1, 0.622459], [0, 0]]', async () => {
    const both = [
      [true, false, true],
      [false, false, false],
    ];
    const changed = (await reference(id, q, [k[0], [50, -20, 7, 3], k[2]], [v[0], [100, -100], v[2]], both)) as number[][];
    expectClose(changed, [[1, 0.622459], [0, 0]], 5);
  });

  test('check yourself: the model solution ignores what masked keys hold (seeds 7 and 99)', async () => {
    await expectSolutionHolds(id, { [ignored]: 2 });
  });

  test('check yourself: a mask that only lowers masked scores by 5 lets masked values through', async () => {
    const softPenalty = `export function maskedAttention(q: Matrix, k: Matrix, v: Matrix, mask: boolean[][]): Matrix {
  return q.map((qi, i) => {
    if (!mask[i].some(Boolean)) return v[0].map(() => 0);
    const s = k.map((kj, j) => qi.reduce((t, x, c) => t + x * kj[c], 0) / Math.sqrt(qi.length) - (mask[i][j] ? 0 : 5));
    const e = s.map((z) => Math.exp(z - Math.max(...s)));
    const total = e.reduce((a, b) => a + b, 0);
    return v[0].map((_, c) => e.reduce((t, w, j) => t + (w / total) * v[j][c], 0));
  });
}`;
    await expectPropertyBroken(id, softPenalty, ignored, /^Replacing the keys and values of masked positions changed your output \(before, then after: \[\d\]\[\d\] is \S+ in the first and \S+ in the second\)\. A masked key gets a weight of exactly 0/);
  });
});

