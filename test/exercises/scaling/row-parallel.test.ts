import { describe, expect, test } from 'vitest';
import { rowParallelLinear } from '../../../exercises/scaling/parallel/row-parallel/solution.js';
import { lessonB, lessonRow, lessonW, lessonX, type RowParallel } from '../../../exercises/scaling/parallel/row-parallel/exercise.js';
import { loadTf } from '../../../src/reference/backend.js';
import { reference, wrongAlternatives } from '../../helpers/exercises.js';
import { expectClose, mm } from '../../helpers/matrices.js';
import { expectPropertyBroken, expectSolutionHolds, solutionSource } from '../../helpers/properties.js';
import { expectEachMisconceptionDiagnosed, grade, lessonBlock, runLessonJs, seededCases } from './scaling-helpers.js';

const id = 'parallel/row-parallel';
const qualified = `scaling/${id}`;
const anySplit = "out does not depend on how x's columns are split across ranks";
const biasOnce = 'the bias is added once, after the all-reduce: out = Σ partials + b';
const run = async (xShards: number[][][], w: number[][], b: number[]) => (await reference(qualified, xShards, w, b)) as RowParallel;

/** x put back together from its shards, then x·w + b with tfjs in one piece: what every split must give. */
async function wholeLayer(xShards: number[][][], w: number[][], b: number[]): Promise<number[][]> {
  const { tf } = await loadTf();
  const x = xShards[0].map((_, t) => xShards.flatMap((s) => s[t]));
  return tf.tidy(() => tf.add(tf.matMul(tf.tensor2d(x), tf.tensor2d(w)), tf.tensor1d(b)).arraySync() as number[][]);
}

/** Each partial as a sum over its own input indices i of x[t][i]·w[i][j], indices counted from the start of x. */
function byInputIndex(xShards: number[][][], w: number[][]): number[][][] {
  let first = 0;
  return xShards.map((s) => {
    const from = first;
    first += s[0].length;
    return s.map((row) => w[0].map((_, j) => row.reduce((sum, v, i) => sum + v * w[from + i][j], 0)));
  });
}

describe(id, () => {
  test('the lesson example by hand: partials [[1, 2, 4, −1], [0, 1, 1, 0]] and [[−1, −1, 2, 0], [−2, 7, −2, 3]], out [[1, 1, 5, −0.5], [−1, 8, −2, 3.5]]', async () => {
    const got = await run(...lessonRow);
    expect(got.partials).toEqual([
      [[1, 2, 4, -1], [0, 1, 1, 0]],
      [[-1, -1, 2, 0], [-2, 7, -2, 3]],
    ]);
    expect(got.out).toEqual([[1, 1, 5, -0.5], [-1, 8, -2, 3.5]]);
  });

  test('the lesson example split 1 + 3: other partials, the same out', async () => {
    const got = await run([lessonX.map((r) => r.slice(0, 1)), lessonX.map((r) => r.slice(1))], lessonW, lessonB);
    expect(got.partials).toEqual([
      [[1, 0, 2, -1], [0, 0, 0, 0]],
      [[-1, 1, 4, 0], [-2, 8, -1, 3]],
    ]);
    expect(got.out).toEqual([[1, 1, 5, -0.5], [-1, 8, -2, 3.5]]);
    expect(got.out).toEqual(mm(lessonX, lessonW).map((row) => row.map((v, j) => v + lessonB[j])));
  });

  test("the lesson's heatmap is w, its rows labelled by rank", async () => {
    const rows = (await lessonBlock(id, 'heatmap')).trim().split('\n').slice(2);
    expect(rows.map((line) => line.trim().split(/\s+/)[0])).toEqual(['r0.in0', 'r0.in1', 'r1.in2', 'r1.in3']);
    expect(rows.map((line) => line.trim().split(/\s+/).slice(1).map(Number))).toEqual(lessonW);
  });

  test('on every seeded case the partials are sums over each rank\'s input indices and out is x·w + b in one piece (tfjs)', async () => {
    for (const c of await seededCases(id)) {
      const [xShards, w, b] = c.args as [number[][][], number[][], number[]];
      const partials = byInputIndex(xShards, w);
      const out = await wholeLayer(xShards, w, b);
      for (const got of [await run(xShards, w, b), rowParallelLinear(xShards, w, b)]) {
        expect(Object.keys(got), c.name).toEqual(['partials', 'out']);
        expectClose(got.partials, partials, 5, `${c.name} partials`);
        expectClose(got.out, out, 5, `${c.name} out`);
      }
    }
  });

  test('the cases include shards of unequal widths', async () => {
    const widths = (await seededCases(id)).map((c) => (c.args[0] as number[][][]).map((s) => s[0].length));
    expect(widths.some((ws) => new Set(ws).size > 1)).toBe(true);
  });

  test('the wrong variants on the lesson example: b twice gives [[2, 1, 4, 0], [0, 8, −3, 4]]; side by side a [2, 8] out', async () => {
    const [withBias, biasInOut] = (await wrongAlternatives(qualified, 'bias-on-every-rank', ...lessonRow)) as RowParallel[];
    expect(withBias.out).toEqual([[2, 1, 4, 0], [0, 8, -3, 4]]);
    expect(withBias.partials[0]).toEqual([[2, 2, 3, -0.5], [1, 1, 0, 0.5]]);
    expect(biasInOut.partials[0]).toEqual([[1, 2, 4, -1], [0, 1, 1, 0]]);
    expect(biasInOut.out).toEqual(withBias.out);
    const side = (await wrongAlternatives(qualified, 'gathered-not-reduced', ...lessonRow)) as RowParallel[];
    expect(side[0].out).toEqual([[1, 2, 4, -1, -1, -1, 2, 0], [0, 1, 1, 0, -2, 7, -2, 3]]);
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    expect(await expectEachMisconceptionDiagnosed(id)).toEqual(['bias-on-every-rank', 'gathered-not-reduced']);
  });

  test('grading: adding b in every rank\'s partial is diagnosed as bias-on-every-rank', async () => {
    const source = (await solutionSource(qualified))
      .replace('xRow.reduce((sum, v, k) => sum + v * rows[k][j], 0)', 'xRow.reduce((sum, v, k) => sum + v * rows[k][j], 0) + b[j]')
      .replace('partials.reduce((sum, p) => sum + p[t][j], 0) + b[j]', 'partials.reduce((sum, p) => sum + p[t][j], 0)');
    const verdict = await grade(id, source);
    expect(verdict.status).toBe('fail');
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'bias-on-every-rank', confidence: 'full' });
  });

  test('check yourself: the model solution holds both properties (seeds 7 and 99)', async () => {
    await expectSolutionHolds(qualified, { [anySplit]: 2, [biasOnce]: 2 });
  });

  test('check yourself: the bias on every rank breaks both properties', async () => {
    const source = (await solutionSource(qualified))
      .replace('xRow.reduce((sum, v, k) => sum + v * rows[k][j], 0)', 'xRow.reduce((sum, v, k) => sum + v * rows[k][j], 0) + b[j]')
      .replace('partials.reduce((sum, p) => sum + p[t][j], 0) + b[j]', 'partials.reduce((sum, p) => sum + p[t][j], 0)');
    await expectPropertyBroken(qualified, source, anySplit, /^x cut into widths [\d +]+ gives a different out from x in one piece \(\d\): \[/);
    await expectPropertyBroken(qualified, source, biasOnce, /^Your partials added up, plus b, are not your out: /);
  });

  test("the ```js block of In practice gives the reference's output on the lesson example", async () => {
    const { tf } = await loadTf();
    const [xShards, w, b] = lessonRow;
    expect(await runLessonJs(id, tf, { xShards, w, b })).toEqual(await run(xShards, w, b));
  });
});
