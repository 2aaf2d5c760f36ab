import { describe, expect, test } from 'vitest';
import { diagnoseEachMisconception, reference, wrong } from '../helpers/exercises.js';
import { expectClose } from '../helpers/matrices.js';
import { attentionLesson } from './attention-helpers.js';
import { expectPropertyBroken, expectSolutionHolds } from '../helpers/properties.js';

const id = 'attention/causal-mask';
const firstQuery = 'with n = m, the first query sees only the first key: its output is v[0]';
const appended = 'adding a token at the end leaves the earlier outputs unchanged';

/** The m × m identity as v: the output row is then the row of attention weights itself. */
const identity = (m: number) => Array.from({ length: m }, (_, i) => Array.from({ length: m }, (_, j) => (i === j ? 1 : 0)));
/** All-zero queries: every visible key scores 0, so the weights are uniform over the visible keys. */
const zeros = (rows: number, cols: number) => Array.from({ length: rows }, () => new Array<number>(cols).fill(0));

describe(id, () => {
  test('reference matches the lesson worked example: [[0.377541, 0.622459], [0.909969, 0.755272]]', async () => {
    const got = (await reference(
      id,
      [
        [1, 0, 1, 0],
        [0, 2, 0, 2],
      ],
      [
        [1, 1, 0, 0],
        [0, 0, 2, 0],
        [1, 0, 1, 2],
      ],
      [
        [1, 0],
        [0, 1],
        [1, 1],
      ],
    )) as number[][];
    expectClose(
      got,
      [
        [0.377541, 0.622459],
        [0.909969, 0.755272],
      ],
      5,
    );
  });

  test('bottom-right, n < m: with 2 queries and 5 keys the visibility rows are 11110 / 11111', async () => {
    const got = (await reference(id, zeros(2, 3), zeros(5, 3), identity(5))) as number[][];
    expectClose(
      got,
      [
        [0.25, 0.25, 0.25, 0.25, 0],
        [0.2, 0.2, 0.2, 0.2, 0.2],
      ],
      6,
    );
    // Masked keys get weight exactly 0.
    expect(got[0][4]).toBe(0);
  });

  test('bottom-right, n > m: with 4 queries and 2 keys the first 2 rows see no key and are exactly zeros', async () => {
    const got = (await reference(id, zeros(4, 3), zeros(2, 3), identity(2))) as number[][];
    expect(got.slice(0, 2)).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expectClose(got.slice(2), [[1, 0], [0.5, 0.5]], 6);
  });

  test('n = m: the rule is the usual lower triangle (1000 / 1100 / 1110 / 1111)', async () => {
    const got = (await reference(id, zeros(4, 2), zeros(4, 2), identity(4))) as number[][];
    expectClose(
      got,
      [
        [1, 0, 0, 0],
        [0.5, 0.5, 0, 0],
        [1 / 3, 1 / 3, 1 / 3, 0],
        [0.25, 0.25, 0.25, 0.25],
      ],
      6,
    );
  });

  test('the top-left variant gives 10000 / 11000 for 2 queries and 5 keys, the NaN variant of diagonal-excluded NaN rows', async () => {
    const topLeft = (await wrong(id, 'top-left-alignment', zeros(2, 3), zeros(5, 3), identity(5))) as number[][];
    expectClose(
      topLeft,
      [
        [1, 0, 0, 0, 0],
        [0.5, 0.5, 0, 0, 0],
      ],
      6,
    );
    const strict = (await wrong(id, 'diagonal-excluded', zeros(3, 2), zeros(3, 2), identity(3))) as number[][];
    expect(strict[0].every(Number.isNaN)).toBe(true);
    expectClose(strict.slice(1), [[1, 0, 0], [0.5, 0.5, 0]], 6);
  });

  for (const seed of [7, 42, 2024]) {
    test(`every misconception fails the reference and is diagnosed as itself (seed ${seed})`, async () => {
      for (const result of await diagnoseEachMisconception(id, seed)) {
        expect(result.failingCases, result.id).toBeGreaterThan(0);
        expect(result.diagnosed, result.id).toBe(result.id);
      }
    });
  }

  test('check yourself (lesson): with n = m = 2 the first query outputs v[0] = [1, 0]; a third query, key and value at the end leave the two rows as they were', async () => {
    const { q, k, v } = attentionLesson;
    const square = (await reference(id, q, k.slice(0, 2), v.slice(0, 2))) as number[][];
    expectClose(square.slice(0, 1), [[1, 0]], 6);
    const longer = (await reference(id, [...q, [1, 1, 1, 1]], [...k, [0, 1, 0, -1]], [...v, [5, 5]])) as number[][];
    expectClose(
      longer.slice(0, 2),
      [
        [0.377541, 0.622459],
        [0.909969, 0.755272],
      ],
      5,
    );
  });

  test('check yourself: the model solution outputs v[0] for the first query and keeps earlier outputs when a token is added (seeds 7 and 99)', async () => {
    await expectSolutionHolds(id, { [firstQuery]: 1, [appended]: 2 });
  });

  test('check yourself: a mask that lets each query see one key ahead breaks both properties', async () => {
    const oneAhead = `export function causalAttention(q: Matrix, k: Matrix, v: Matrix): Matrix {
  const shift = k.length - q.length;
  return q.map((qi, i) => {
    const visible = k.slice(0, Math.min(k.length, shift + i + 2));
    const s = visible.map((kj) => qi.reduce((a, x, c) => a + x * kj[c], 0) / Math.sqrt(qi.length));
    const e = s.map((x) => Math.exp(x - Math.max(...s)));
    const total = e.reduce((a, b) => a + b, 0);
    return v[0].map((_, c) => e.reduce((a, w, j) => a + (w / total) * v[j][c], 0));
  });
}`;
    await expectPropertyBroken(id, oneAhead, firstQuery, /^causalAttention returned \[\S+, \S+\] for query 0, but v\[0\] is \[\S+, \S+\]\. With as many queries as keys, query 0 is at position 0/);
    await expectPropertyBroken(id, oneAhead, appended, /^Adding one query, key and value at the end changed the outputs of the earlier queries \(your outputs before, and the same rows after: \[\d\]\[\d\] is \S+ in the first and \S+ in the second\)\. A causal query sees only keys at or before its own position/);
  });
});

