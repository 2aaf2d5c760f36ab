import { describe, expect, test } from 'vitest';
import { tensorParallelMlp } from '../../../exercises/scaling/parallel/tensor-parallel-mlp/solution.js';
import { lessonMlp, type TensorParallelMlp } from '../../../exercises/scaling/parallel/tensor-parallel-mlp/exercise.js';
import { loadTf } from '../../../src/reference/backend.js';
import { reference, wrong } from '../../helpers/exercises.js';
import { expectClose, mm } from '../../helpers/matrices.js';
import { expectPropertyBroken, expectSolutionHolds, solutionSource } from '../../helpers/properties.js';
import { expectEachMisconceptionDiagnosed, grade, lessonBlock, runLessonJs, seededCases } from './scaling-helpers.js';

const id = 'parallel/tensor-parallel-mlp';
const qualified = `scaling/${id}`;
const unsplit = 'out is the unsplit MLP, gelu(x·w1)·w2, whatever the number of ranks';
const oneReduce = 'one all-reduce and nothing after it: out = Σ partials';
type Weights = { w1: number[][]; w2: number[][] };
const run = async (x: number[][], p: Weights, ranks: number) => (await reference(qualified, x, p, ranks)) as TensorParallelMlp;
const [x, p] = lessonMlp;

/** GELU (tanh form) written out from the training pack's lesson, not imported from the exercise. */
const gelu = (z: number) => z / 2 + (z / 2) * Math.tanh(0.7978845608028654 * (z + 0.044715 * z * z * z));

/**
 * The MLP hidden unit by hidden unit: unit h belongs to rank ⌊h / k⌋ and adds
 * gelu(x·w1[:, h]) times w2's row h to that rank's partial.
 */
function byHiddenUnit(x: number[][], { w1, w2 }: Weights, ranks: number): TensorParallelMlp {
  const k = w1[0].length / ranks;
  const partials = Array.from({ length: ranks }, () => x.map(() => new Array<number>(w2[0].length).fill(0)));
  for (let h = 0; h < w1[0].length; h++) {
    x.forEach((row, t) => {
      const a = gelu(row.reduce((s, v, i) => s + v * w1[i][h], 0));
      w2[h].forEach((v, j) => (partials[Math.floor(h / k)][t][j] += a * v));
    });
  }
  return { partials, out: x.map((_, t) => w2[0].map((_, j) => partials.reduce((s, part) => s + part[t][j], 0))) };
}

describe(id, () => {
  test('the lesson example by hand: GELU of whole columns, partials per rank, out [[2.95096, −2.155171, …], …]', async () => {
    const got = await run(x, p, 2);
    expectClose(got.partials, [
      [[2.996363, -2.155171, 0.841192, 0], [-0.158808, 0.158808, 0, 0]],
      [[-0.045402, 0, 0.045402, -0.090805], [1.954598, 0, -1.954598, 3.909195]],
    ], 5);
    expectClose(got.out, [[2.95096, -2.155171, 0.886594, -0.090805], [1.79579, 0.158808, -1.954598, 3.909195]], 5);
  });

  test("the lesson's numbers: x·w1 as the heatmap shows it, and gelu(1) + gelu(2) = 2.79579 against gelu(3) = 2.996363", async () => {
    const rows = (await lessonBlock(id, 'heatmap')).trim().split('\n').slice(2);
    expect(rows.map((line) => line.trim().split(/\s+/).slice(1).map(Number))).toEqual(mm(x, p.w1));
    expect(gelu(1) + gelu(2)).toBeCloseTo(2.79579, 5);
    expect(gelu(3)).toBeCloseTo(2.996363, 6);
    expect(mm(x.map((r) => r.slice(0, 2)), p.w1.slice(0, 2))[0][0]).toBe(1);
    expect(mm(x.map((r) => r.slice(2)), p.w1.slice(2))[0][0]).toBe(2);
  });

  test('on every seeded case the reference and the model solution follow the hidden-unit-by-unit computation and equal the unsplit MLP in tfjs', async () => {
    const { tf } = await loadTf();
    for (const c of await seededCases(id)) {
      const [cx, cp, ranks] = c.args as [number[][], Weights, number];
      const want = byHiddenUnit(cx, cp, ranks);
      const whole = tf.tidy(() => {
        const h = tf.matMul(tf.tensor2d(cx), tf.tensor2d(cp.w1));
        const cube = tf.mul(tf.mul(h, h), h);
        const a = tf.mul(tf.mul(0.5, h), tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(h, tf.mul(0.044715, cube))))));
        return tf.matMul(a, tf.tensor2d(cp.w2)).arraySync() as number[][];
      });
      expectClose(want.out, whole, 4, `${c.name} unsplit`);
      for (const got of [await run(cx, cp, ranks), tensorParallelMlp(cx, cp, ranks)]) {
        expect(Object.keys(got), c.name).toEqual(['partials', 'out']);
        expectClose(got.partials, want.partials, 5, `${c.name} partials`);
        expectClose(got.out, want.out, 5, `${c.name} out`);
      }
    }
  });

  test('the wrong variants on the lesson example: rows split out[0] = [2.478174, …], the GELU after the reduce out[0][0] = gelu(1)', async () => {
    const rows = (await wrong(qualified, 'w1-split-by-rows', x, p, 2)) as TensorParallelMlp;
    expectClose(rows.out[0], [2.478174, -1.954598, 0.003637, 0.519939], 5);
    const late = (await wrong(qualified, 'gelu-after-reduce', x, p, 2)) as TensorParallelMlp;
    expectClose(late.out[0][0], 0.841192, 5);
    expectClose(late.out[0][0], gelu(1), 9);
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    expect(await expectEachMisconceptionDiagnosed(id)).toEqual(['w1-split-by-rows', 'gelu-after-reduce']);
  });

  test('grading: the GELU of partial sums (w1 split by rows) is diagnosed as w1-split-by-rows', async () => {
    const source = `export function tensorParallelMlp(x: number[][], p: { w1: number[][]; w2: number[][] }, ranks: number) {
  const gelu = (z: number) => 0.5 * z * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (z + 0.044715 * z ** 3)));
  const mul = (a: number[][], b: number[][]) => a.map((row) => b[0].map((_, j) => row.reduce((s, v, k) => s + v * b[k][j], 0)));
  const h = x[0].length / ranks;
  const partials = Array.from({ length: ranks }, (_, r) =>
    mul(mul(x.map((row) => row.slice(r * h, (r + 1) * h)), p.w1.slice(r * h, (r + 1) * h)).map((row) => row.map(gelu)), p.w2));
  return { partials, out: partials[0].map((row, t) => row.map((_, j) => partials.reduce((s, q) => s + q[t][j], 0))) };
}`;
    const verdict = await grade(id, source);
    expect(verdict.status).not.toBe('pass');
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'w1-split-by-rows', confidence: 'full' });
  });

  test('check yourself: the model solution holds both properties (seeds 7 and 99)', async () => {
    await expectSolutionHolds(qualified, { [unsplit]: 2, [oneReduce]: 2 });
  });

  test('check yourself: the GELU after the all-reduce breaks both properties', async () => {
    const source = await solutionSource(qualified);
    const late = source
      .replace('const hidden = matmul(x, w1r).map((row) => row.map(gelu));', 'const hidden = matmul(x, w1r);')
      .replace('row.map((_, j) => partials.reduce((sum, part) => sum + part[t][j], 0))', 'row.map((_, j) => gelu(partials.reduce((sum, part) => sum + part[t][j], 0)))');
    expect(late).not.toBe(source);
    await expectPropertyBroken(qualified, late, unsplit, /^On \d ranks your out and gelu\(x·w1\)·w2 differ: \[\d\]\[\d\] is /);
    await expectPropertyBroken(qualified, late, oneReduce, /^Your partials added up are not your out: /);
  });

  test("the ```js block of In practice gives the reference's output on the lesson example", async () => {
    const { tf } = await loadTf();
    const got = (await runLessonJs(id, tf, { x, p, ranks: 2 })) as TensorParallelMlp;
    const want = await run(x, p, 2);
    expectClose(got.partials, want.partials, 5);
    expectClose(got.out, want.out, 5);
  });
});
