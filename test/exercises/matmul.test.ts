import { describe, expect, test } from 'vitest';
import { diagnoseEachMisconception, reference, wrong } from '../helpers/exercises.js';
import { transpose } from '../../src/pack-api.js';
import { expectPropertyBroken, expectSolutionHolds, propertyResults } from '../helpers/properties.js';

const id = 'foundations/matmul';
const identity = 'multiplying by the identity gives the matrix back, on either side';
const transposed = '(A·B)ᵀ = Bᵀ·Aᵀ';

describe('foundations/matmul', () => {
  test('reference matches the lesson worked example [[1,2,3],[4,5,6]]·[[7,8],[9,10],[11,12]] = [[58,64],[139,154]]', async () => {
    const got = await reference('foundations/matmul', [[1, 2, 3], [4, 5, 6]], [[7, 8], [9, 10], [11, 12]]);
    expect(got).toEqual([[58, 64], [139, 154]]);
  });

  test('reference: shapes [n,k]·[k,m] → [n,m], dot product, outer product, identity', async () => {
    const rect = (await reference('foundations/matmul', [[1, 0, 2], [-1, 3, 1]], [[2, 1, 0, 1], [1, 0, -2, 3], [0, 4, 1, -1]])) as number[][];
    expect(rect).toEqual([[2, 9, 2, -1], [1, 3, -5, 7]]);
    expect(await reference('foundations/matmul', [[1, -2, 3, 0.5]], [[2], [1], [-1], [4]])).toEqual([[-1]]);
    expect(await reference('foundations/matmul', [[1], [-2]], [[2, 0, -1]])).toEqual([[2, 0, -1], [-4, 0, 2]]);
    const a = [[2, -1, 0], [5, 3, 1], [0, 4, -2]];
    expect(await reference('foundations/matmul', a, [[1, 0, 0], [0, 1, 0], [0, 0, 1]])).toEqual(a);
  });

  test('the wrong variants behave like the learner code they describe', async () => {
    const a = [[1, 2, 3], [4, 5, 6]];
    const b = [[7, 8], [9, 10], [11, 12]];
    expect(await wrong('foundations/matmul', 'transposed-result', a, b)).toEqual([[58, 139], [64, 154]]);
    expect(await wrong('foundations/matmul', 'rows-share-one-array', a, b)).toEqual([[139, 154], [139, 154]]);
    expect(await wrong('foundations/matmul', 'accumulator-not-reset', a, b)).toEqual([[58, 122], [261, 415]]);
    // a·bᵀ with a [2, 3] b reads b[j][2], which does not exist: NaN, as in JavaScript.
    const rowsTimesRows = (await wrong('foundations/matmul', 'rows-times-rows', a, b)) as number[][];
    expect(rowsTimesRows.flat().every(Number.isNaN)).toBe(true);
  });

  test('a transposed result has the wrong shape when the result is not square, and the right shape but wrong values when it is', async () => {
    const nonSquare: [number[][], number[][]] = [[[1, 0, 2], [-1, 3, 1]], [[2, 1, 0, 1], [1, 0, -2, 3], [0, 4, 1, -1]]];
    const t1 = (await wrong('foundations/matmul', 'transposed-result', ...nonSquare)) as number[][];
    expect([t1.length, t1[0].length]).toEqual([4, 2]);
    const square: [number[][], number[][]] = [[[1, 2], [0, 1], [3, -1]], [[2, 0, 1], [1, 3, -2]]];
    const want = (await reference('foundations/matmul', ...square)) as number[][];
    const t2 = (await wrong('foundations/matmul', 'transposed-result', ...square)) as number[][];
    expect([t2.length, t2[0].length]).toEqual([3, 3]);
    expect(t2).not.toEqual(want);
  });

  test('every misconception fails the reference and is diagnosed as itself', async () => {
    for (const seed of [7, 1, 2024]) {
      for (const result of await diagnoseEachMisconception('foundations/matmul', seed)) {
        expect(result.failingCases, `${result.id} (seed ${seed})`).toBeGreaterThan(0);
        expect(result.diagnosed, `${result.id} (seed ${seed})`).toBe(result.id);
      }
    }
  });

  test('check yourself (lesson): A·I₃ and I₂·A give the lesson\'s A back; (A·B)ᵀ = [[58, 139], [64, 154]] = Bᵀ·Aᵀ', async () => {
    const a = [
      [1, 2, 3],
      [4, 5, 6],
    ];
    const b = [
      [7, 8],
      [9, 10],
      [11, 12],
    ];
    const i2 = [
      [1, 0],
      [0, 1],
    ];
    expect(await reference(id, i2, a)).toEqual(a);
    const i3 = [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ];
    expect(await reference(id, a, i3)).toEqual(a);
    expect(await reference(id, transpose(b), transpose(a))).toEqual([
      [58, 139],
      [64, 154],
    ]);
  });

  test('check yourself: the model solution passes both properties (seeds 7 and 99)', async () => {
    await expectSolutionHolds(id, { [identity]: 2, [transposed]: 2 });
  });

  test('check yourself: an output as wide as a instead of b breaks both properties', async () => {
    const widthOfA = learner('a[0].length', '0');
    await expectPropertyBroken(id, widthOfA, identity, /^Your I·a differs from a: the shapes differ: \[\d, \d\] and \[\d, \d\]\. Entry \[i\]\[j\] of a·b is the sum over p/);
    await expectPropertyBroken(id, widthOfA, transposed, /^Your A·B has \d columns but your Bᵀ·Aᵀ has \d rows: they should be equal/);
  });

  test('check yourself: a sum that starts at p = 1 breaks the identity property, though (A·B)ᵀ = Bᵀ·Aᵀ still holds', async () => {
    const verdict = await expectPropertyBroken(id, learner('b[0].length', '1'), identity, /^Your a·I differs from a: \[0\]\[0\] is 0 in the first and \S+ in the second\./);
    expect(propertyResults(verdict, transposed).map((c) => c.status)).toEqual(['pass', 'pass']);
  });
});

/** A learner's matmul whose output has `width` columns and whose sum starts at p = `from`. */
function learner(width: string, from: string): string {
  return `export function matmul(a: Matrix, b: Matrix): Matrix {
  return a.map((row) =>
    Array.from({ length: ${width} }, (_, j) => {
      let sum = 0;
      for (let p = ${from}; p < b.length; p++) sum += row[p] * b[p][j];
      return sum;
    }),
  );
}`;
}

