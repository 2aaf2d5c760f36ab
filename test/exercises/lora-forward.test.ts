import { describe, expect, test } from 'vitest';
import { randomMatrix, Rng } from '../../src/core/authoring/rng.js';
import { lessonExample } from '../../exercises/transformer-core/lora/lora-math.js';
import { diagnoseEachMisconception, reference, wrong } from '../helpers/exercises.js';
import { expectClose, mm } from '../helpers/matrices.js';
import { expectPropertyBroken, expectSolutionHolds } from '../helpers/properties.js';

const id = 'lora/forward';
const zeroB = 'with B = 0, the output is x·W0';
const doubled = 'doubling α doubles the change from x·W0';

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

  test('check yourself (lesson): with B = 0 the worked example gives x·W0 = [[1, 2], [−1, 0]]; with α = 8 the change from x·W0 doubles to 4·[[1, 0], [−1, −4]]', async () => {
    const zeroB = b.map((row) => row.map(() => 0));
    expectClose((await reference(id, x, w0, a, zeroB, 4)) as number[][], [[1, 2], [-1, 0]], 6);
    expectClose((await reference(id, x, w0, a, b, 8)) as number[][], [[5, 2], [-5, -16]], 5);
  });

  test('check yourself: the model solution gives x·W0 when B = 0 and doubles its change when α doubles (seeds 7 and 99)', async () => {
    await expectSolutionHolds(id, { [zeroB]: 2, [doubled]: 2 });
  });

  test('check yourself: scaling the frozen path along with the adapter breaks both properties', async () => {
    const scaledSum = `export function loraForward(x: Matrix, w0: Matrix, a: Matrix, b: Matrix, alpha: number): Matrix {
  const s = alpha / a[0].length;
  const times = (p: Matrix, q: Matrix) => p.map((row) => q[0].map((_, j) => row.reduce((t, v, k) => t + v * q[k][j], 0)));
  const base = times(x, w0);
  const update = times(times(x, a), b);
  return base.map((row, i) => row.map((v, j) => s * (v + update[i][j])));
}`;
    await expectPropertyBroken(id, scaledSum, zeroB, /^With B all zeros, your output and x·W0 differ: \[\d\]\[\d\] is \S+ in the first and \S+ in the second\. LoRA starts training with B = 0/);
    await expectPropertyBroken(id, scaledSum, doubled, /^Your output minus x·W0 with 2α, and twice your output minus x·W0 with α, differ: \[\d\]\[\d\] is \S+ in the first and \S+ in the second\. α only scales the adapter path/);
  });
});

