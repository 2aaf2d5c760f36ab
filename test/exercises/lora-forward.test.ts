import { describe, expect, test } from 'vitest';
import { randomMatrix, Rng } from '../../src/core/authoring/rng.js';
import { lessonExample } from '../../exercises/transformer-core/lora/lora-math.js';
import { diagnoseEachMisconception, reference, wrong } from '../helpers/exercises.js';
import { expectClose, mm } from '../helpers/matrices.js';

const id = 'lora/forward';

// The lesson's worked example (lessonExample in lora-math.ts): in 3, out 2, r 2, α 4 (α/r = 2).
const { x, w0, a, b } = lessonExample;

describe(id, () => {
  test('reference matches the lesson worked example: [[3, 2], [−3, −8]]', async () => {
    expectClose((await reference(id, x, w0, a, b, 4)) as number[][], [[3, 2], [-3, -8]], 6);
  });

  test('reference: h = x·W0 + (α/r)·x·ΔW with ΔW = A·B formed explicitly, on seeded shapes', async () => {
    const rng = new Rng(2106);
    for (const [n, din, dout, r, alpha] of [
      [3, 6, 5, 2, 8],
      [1, 8, 4, 4, 16],
      [4, 5, 9, 3, 6],
    ]) {
      const xs = randomMatrix(rng, n, din);
      const w = randomMatrix(rng, din, dout, 0.5);
      const aa = randomMatrix(rng, din, r, 0.5);
      const bb = randomMatrix(rng, r, dout, 0.5);
      const delta = mm(aa, bb);
      const want = mm(xs, w.map((row, i) => row.map((v, j) => v + (alpha / r) * delta[i][j])));
      expectClose((await reference(id, xs, w, aa, bb, alpha)) as number[][], want, 4);
    }
  });

  test('reference: with B = 0 (LoRA\'s initialisation) the layer is exactly x·W0', async () => {
    const got = (await reference(id, x, w0, a, [[0, 0], [0, 0]], 16)) as number[][];
    expect(got).toEqual([[1, 2], [-1, 0]]);
  });

  test('the wrong scalings give the lesson table: α, α/√r, none, α/in; base path dropped', async () => {
    expectClose((await wrong(id, 'scale-alpha', x, w0, a, b, 4)) as number[][], [[5, 2], [-5, -16]], 6);
    expectClose((await wrong(id, 'rslora-scaling', x, w0, a, b, 4)) as number[][], [[1 + 2 * Math.SQRT2, 2], [-1 - 2 * Math.SQRT2, -8 * Math.SQRT2]], 6);
    expectClose((await wrong(id, 'no-scaling', x, w0, a, b, 4)) as number[][], [[2, 2], [-2, -4]], 6);
    expectClose((await wrong(id, 'rank-from-wrong-axis', x, w0, a, b, 4)) as number[][], [[7 / 3, 2], [-7 / 3, -16 / 3]], 6);
    expectClose((await wrong(id, 'base-path-dropped', x, w0, a, b, 4)) as number[][], [[2, 0], [-2, -8]], 6);
  });

  test('x·B·A: NaN from loops that read missing entries when in ≠ r; x·W0 + (α/r)·x·B·A when in = out = r', async () => {
    const lessonOut = (await wrong(id, 'b-before-a', x, w0, a, b, 4)) as number[][];
    expect(lessonOut.flat().every(Number.isNaN)).toBe(true);
    const sq = { x: [[1, -1]], w0: [[1, 2], [3, 4]], a: [[1, 0], [2, 1]], b: [[0, 1], [1, 1]] };
    // x·W0 = [−2, −2], x·B = [−1, 0], (x·B)·A = [−1, 0], α/r = 2; the right order gives (x·A)·B = [−1, −2], h = [−4, −6].
    const want = [[-4, -2]];
    expect(await wrong(id, 'b-before-a', sq.x, sq.w0, sq.a, sq.b, 4)).toEqual(want);
    expectClose((await reference(id, sq.x, sq.w0, sq.a, sq.b, 4)) as number[][], [[-4, -6]], 6);
  });

  for (const seed of [7, 42, 2024]) {
    test(`every misconception fails the reference and is diagnosed as itself (seed ${seed})`, async () => {
      for (const result of await diagnoseEachMisconception(id, seed)) {
        expect(result.failingCases, result.id).toBeGreaterThan(0);
        expect(result.diagnosed, result.id).toBe(result.id);
      }
    });
  }
});
