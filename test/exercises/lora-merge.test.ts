import { describe, expect, test } from 'vitest';
import { randomMatrix, Rng } from '../../src/core/authoring/rng.js';
import { lessonExample } from '../../exercises/transformer-core/lora/lora-math.js';
import { diagnoseEachMisconception, reference, wrong } from '../helpers/exercises.js';
import { expectClose, mm } from '../helpers/matrices.js';
import { expectPropertyBroken, expectSolutionHolds } from '../helpers/properties.js';

const id = 'lora/merge';
const zeroB = 'with B = 0, the merged weight is W0';
const forward = 'x·merged equals the LoRA forward pass x·W0 + (α/r)·(x·A)·B';

// The lesson's worked example (lessonExample in lora-math.ts): in 3, out 2, r 2, α 4 (α/r = 2).
const { w0, a, b } = lessonExample;

describe(id, () => {
  test('reference matches the lesson worked example: [[3, 4], [0, −1], [3, 7]], and x·merged = [[3, 2], [−3, −8]]', async () => {
    const merged = (await reference(id, w0, a, b, 4)) as number[][];
    expectClose(merged, [[3, 4], [0, -1], [3, 7]], 6);
    expectClose(mm(lessonExample.x, merged), [[3, 2], [-3, -8]], 6);
  });

  test('x·mergeLora(W0, A, B, α) equals loraForward(x, W0, A, B, α) on seeded inputs', async () => {
    const rng = new Rng(2305);
    for (let trial = 0; trial < 6; trial++) {
      const n = rng.int(1, 4);
      const din = rng.int(2, 10);
      const dout = rng.int(2, 10);
      const r = rng.int(1, Math.min(din, dout));
      const alpha = rng.pick([1, 4, 8, 16, 32]);
      const x = randomMatrix(rng, n, din);
      const w = randomMatrix(rng, din, dout, 0.5);
      const aa = randomMatrix(rng, din, r, 0.5);
      const bb = randomMatrix(rng, r, dout, 0.5);
      const merged = (await reference(id, w, aa, bb, alpha)) as number[][];
      expect([merged.length, merged[0].length]).toEqual([din, dout]);
      const viaForward = (await reference('lora/forward', x, w, aa, bb, alpha)) as number[][];
      expectClose(mm(x, merged), viaForward, 4);
    }
  });

  test('reference: with B = 0 the merged weight is W0', async () => {
    expect(await reference(id, w0, a, [[0, 0], [0, 0]], 8)).toEqual(w0);
  });

  test('the wrong variants give the lesson\'s values', async () => {
    expectClose((await wrong(id, 'scaling-missing', w0, a, b, 4)) as number[][], [[2, 2], [0, 0], [2, 4]], 6);
    expectClose((await wrong(id, 'scale-alpha', w0, a, b, 4)) as number[][], [[5, 8], [0, -3], [5, 13]], 6);
    expectClose((await wrong(id, 'update-only', w0, a, b, 4)) as number[][], [[2, 4], [0, -2], [2, 6]], 6);
    expectClose((await wrong(id, 'rslora-scaling', w0, a, b, 4)) as number[][], [[1 + 2 * Math.SQRT2, 4 * Math.SQRT2], [0, 1 - 2 * Math.SQRT2], [1 + 2 * Math.SQRT2, 1 + 6 * Math.SQRT2]], 6);
  });

  test('B·A: does not apply to the lesson shapes (every way of writing it throws); on a square layer it is W0 + (α/r)·(A·B)ᵀ', async () => {
    expect(await wrong(id, 'b-times-a', w0, a, b, 4)).toBeUndefined();
    const sq = { w0: [[0, 0], [0, 0]], a: [[1], [2]], b: [[3, 4]] }; // A·B = [[3, 4], [6, 8]], r = 1
    expect(await wrong(id, 'b-times-a', sq.w0, sq.a, sq.b, 1)).toEqual([[3, 6], [4, 8]]);
    expect(await reference(id, sq.w0, sq.a, sq.b, 1)).toEqual([[3, 4], [6, 8]]);
  });

  for (const seed of [7, 42, 2024]) {
    test(`every misconception fails the reference and is diagnosed as itself (seed ${seed})`, async () => {
      for (const result of await diagnoseEachMisconception(id, seed)) {
        expect(result.failingCases, result.id).toBeGreaterThan(0);
        expect(result.diagnosed, result.id).toBe(result.id);
      }
    });
  }

  test('check yourself (lesson): with B = 0 the merge of the worked example is W0; x·merged is the forward pass [[3, 2], [−3, −8]]', async () => {
    expectClose((await reference(id, w0, a, b.map((row) => row.map(() => 0)), 4)) as number[][], w0, 6);
    const merged = (await reference(id, w0, a, b, 4)) as number[][];
    expectClose(mm(lessonExample.x, merged), [[3, 2], [-3, -8]], 5);
  });

  test('check yourself: the model solution keeps W0 when B = 0 and agrees with the forward pass (seeds 7 and 99)', async () => {
    await expectSolutionHolds(id, { [zeroB]: 2, [forward]: 2 });
  });

  test('check yourself: scaling W0 along with the update breaks both properties', async () => {
    const scaledSum = `export function mergeLora(w0: Matrix, a: Matrix, b: Matrix, alpha: number): Matrix {
  const s = alpha / a[0].length;
  return w0.map((row, i) => row.map((w, j) => s * (w + a[i].reduce((t, v, k) => t + v * b[k][j], 0))));
}`;
    await expectPropertyBroken(id, scaledSum, zeroB, /^With B all zeros, your merged weight and W0 differ: \[\d\]\[\d\] is \S+ in the first and \S+ in the second\. The update \(α\/r\)·A·B is then zero/);
    await expectPropertyBroken(id, scaledSum, forward, /^For the token x = \[-0\.5, 1, 0\.5, 0, -0\.5(, \S+)*\], x·merged is \[.*\] but the LoRA forward pass gives \[.*\]\. A merged weight must compute what the unmerged layer computed/);
  });
});

