import { describe, expect, test } from 'vitest';
import { dataParallelGrad } from '../../../exercises/scaling/parallel/data-parallel/solution.js';
import { lessonData, lessonShards } from '../../../exercises/scaling/parallel/data-parallel/exercise.js';
import { loadTf, registerGradients } from '../../../src/reference/backend.js';
import type { Tf } from '../../../src/core/authoring/exercise.js';
import { reference, wrongAlternatives } from '../../helpers/exercises.js';
import { expectClose } from '../../helpers/matrices.js';
import { expectPropertyBroken, expectSolutionHolds, solutionSource } from '../../helpers/properties.js';
import { expectEachMisconceptionDiagnosed, grade, lessonBlock, runLessonJs, seededCases } from './scaling-helpers.js';

const id = 'parallel/data-parallel';
const qualified = `scaling/${id}`;
const split = "however the batch is split, the gradient is the whole batch's";
const allReduce = async (grads: number[][], sizes: number[]) => (await reference(qualified, grads, sizes)) as number[];

/**
 * tfjs autodiff of linear regression's loss, mean over examples `from`..`to` − 1
 * of ½(x·w + b − y)²: the gradient [∂w…, ∂b] one rank (or one GPU) computes.
 */
function autodiffGradient(tf: Tf, x: number[][], y: number[], theta: number[], from: number, to: number): number[] {
  registerGradients();
  const d = theta.length - 1;
  const xs = tf.tensor2d(x.slice(from, to));
  const ys = tf.tensor1d(y.slice(from, to));
  const loss = (w: ReturnType<Tf['tensor']>, b: ReturnType<Tf['tensor']>) => {
    const predicted = tf.add(tf.squeeze(tf.matMul(xs, tf.reshape(w, [d, 1])), [1]), b);
    return tf.div(tf.sum(tf.mul(0.5, tf.square(tf.sub(predicted, ys)))), to - from);
  };
  const [dw, db] = tf.grads(loss)([tf.tensor1d(theta.slice(0, d)), tf.tensor1d(theta.slice(d))]);
  return [...(dw.arraySync() as number[]), ...(db.arraySync() as number[])];
}

/** Every example given its rank's gradient, then the plain mean over examples: the whole batch's gradient written another way. */
function meanOverExamples(grads: number[][], sizes: number[]): number[] {
  const perExample = grads.flatMap((g, i) => Array.from({ length: sizes[i] }, () => g));
  return grads[0].map((_, j) => perExample.reduce((s, g) => s + g[j], 0) / perExample.length);
}

describe(id, () => {
  test('the lesson example by hand: (3·[−2, −1] + 2·[−6, −1.5]) / 5 = [−3.6, −1.2]', async () => {
    expectClose(await allReduce(...lessonShards), [-3.6, -1.2], 6);
    expect(dataParallelGrad(...lessonShards)).toEqual([-18 / 5, -6 / 5]);
  });

  test("the lesson's table: tfjs autodiff gives each rank's gradient and the whole batch's, which the reference matches", async () => {
    const { tf } = await loadTf();
    const { x, y, w, b, sizes } = lessonData;
    const rows = x.map((v) => [v]);
    tf.tidy(() => {
      expectClose(autodiffGradient(tf, rows, y, [w, b], 0, sizes[0]), lessonShards[0][0], 6);
      expectClose(autodiffGradient(tf, rows, y, [w, b], sizes[0], x.length), lessonShards[0][1], 6);
      expectClose(autodiffGradient(tf, rows, y, [w, b], 0, x.length), [-3.6, -1.2], 6);
    });
  });

  test("a random regression split 6/4/3 (and 5/0/8): the reference gives autodiff's gradient of the whole batch", async () => {
    const { tf } = await loadTf();
    const x = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((i) => [Math.sin(i), Math.cos(3 * i), (i % 5) - 2]);
    const y = x.map((row, i) => row[0] - 2 * row[2] + 0.3 * i);
    const theta = [0.5, -0.25, 1, 0.1];
    const whole = tf.tidy(() => autodiffGradient(tf, x, y, theta, 0, 13));
    for (const sizes of [[6, 4, 3], [5, 0, 8]]) {
      let at = 0;
      const grads = sizes.map((n) => (n === 0 ? [0, 0, 0, 0] : tf.tidy(() => autodiffGradient(tf, x, y, theta, at, (at += n)))));
      expectClose(await allReduce(grads, sizes), whole, 5, sizes.join('/'));
    }
  });

  test('the reference and the model solution equal the mean over examples on every seeded case', async () => {
    for (const c of await seededCases(id)) {
      const [grads, sizes] = c.args as [number[][], number[]];
      const want = meanOverExamples(grads, sizes);
      expectClose(await allReduce(grads, sizes), want, 5, c.name);
      expectClose(dataParallelGrad(grads, sizes), want, 12, c.name);
    }
  });

  test('a shard of size 0 contributes nothing, whatever its gradient holds', async () => {
    const want = await allReduce([[1, 2], [5, -5]], [3, 1]);
    expectClose(await allReduce([[1, 2], [1000, NaN], [5, -5]], [3, 0, 1]), want, 6);
    expect(dataParallelGrad([[1, 2], [1000, NaN], [5, -5]], [3, 0, 1])).toEqual(dataParallelGrad([[1, 2], [5, -5]], [3, 1]));
  });

  test('the wrong variants on the lesson example: plain average [−4, −1.25], sums [−8, −2.5] and [−18, −6]', async () => {
    const plain = (await wrongAlternatives(qualified, 'plain-average', ...lessonShards)) as number[][];
    expectClose(plain, [[-4, -1.25], [-4, -1.25]], 9);
    const summed = (await wrongAlternatives(qualified, 'summed', ...lessonShards)) as number[][];
    expectClose(summed, [[-8, -2.5], [-18, -6]], 9);
  });

  test("the lesson's bars show |∂w| of each rank, of the batch and of the plain average", async () => {
    const values = (await lessonBlock(id, 'bars')).split('\n').slice(1, -1).map((line) => Number(line.trim().split(/\s+/).at(-1)));
    const plain = ((await wrongAlternatives(qualified, 'plain-average', ...lessonShards)) as number[][])[0];
    expectClose(values, [2, 6, -(await allReduce(...lessonShards))[0], -plain[0]], 5);
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    expect(await expectEachMisconceptionDiagnosed(id)).toEqual(['plain-average', 'summed']);
  });

  test('grading: averaging the ranks\' gradients as DDP does is diagnosed as plain-average', async () => {
    const source = `export function dataParallelGrad(shardGrads: number[][], shardSizes: number[]) {
  return shardGrads[0].map((_, j) => shardGrads.reduce((s, g) => s + g[j], 0) / shardGrads.length);
}`;
    const verdict = await grade(id, source);
    expect(verdict.status).toBe('fail');
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'plain-average', confidence: 'full' });
  });

  test('check yourself: the model solution holds the property (seeds 7 and 99)', async () => {
    await expectSolutionHolds(qualified, { [split]: 2 });
  });

  test('check yourself: a plain average breaks the property, naming the split', async () => {
    const plain = (await solutionSource(qualified)).replace('summed[j] += n * g;', 'summed[j] += g;').replace('return summed.map((s) => s / total);', 'return summed.map((s) => s / shardGrads.length);');
    expect(plain).not.toBe(await solutionSource(qualified));
    await expectPropertyBroken(qualified, plain, split, /^For the whole batch as one shard your function returns \[.*\]; for the same examples split into shards of \d+(, \d+)+ it returns \[.*\]\. Both are the gradient/);
  });

  test("the ```js block of In practice gives the reference's output on the lesson example", async () => {
    const { tf } = await loadTf();
    const got = (await runLessonJs(id, tf, { shardGrads: lessonShards[0], shardSizes: lessonShards[1] })) as number[];
    expectClose(got, await allReduce(...lessonShards), 5);
  });
});
