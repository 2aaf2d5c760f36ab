import { describe, expect, test } from 'vitest';
import { int8Matmul } from '../../../exercises/inference/quant/int8-matmul/solution.js';
import { lessonArgs, lessonWFloat, lessonXFloat } from '../../../exercises/inference/quant/int8-matmul/exercise.js';
import { loadTf } from '../../../src/reference/backend.js';
import { reference, solutionWith, wrong, wrongAlternatives } from '../../helpers/exercises.js';
import { expectClose, mm } from '../../helpers/matrices.js';
import { expectPropertyBroken, expectSolutionHolds } from '../../helpers/properties.js';
import { absErrors, expectEachMisconceptionDiagnosed, grade, lessonBlock, runLessonJs, seededCases } from './quant-helpers.js';

const id = 'quant/int8-matmul';
const qualified = `inference/${id}`;
const column = 'doubling wScales[j] doubles column j of the output and leaves the rest unchanged';
const xScaleDoubled = 'doubling xScale doubles every output';
type Args = [number[][], number, number[][], number[]];
const multiply = async (...args: Args) => (await reference(qualified, ...args)) as number[][];

/** The other order: dequantise both operands to floats first, then the plain triple-loop product. */
function dequantiseFirst(xq: number[][], xScale: number, wq: number[][], wScales: number[]): number[][] {
  return mm(
    xq.map((row) => row.map((v) => v * xScale)),
    wq.map((row) => row.map((v, j) => v * wScales[j])),
  );
}

/** tf.matMul of the integer matrices (exact in float32 below 2²⁴), then each column times xScale·wScales[j]. */
async function tfInt8Matmul(xq: number[][], xScale: number, wq: number[][], wScales: number[]): Promise<number[][]> {
  const { tf } = await loadTf();
  return tf.tidy(() => {
    const acc = tf.matMul(tf.tensor2d(xq), tf.tensor2d(wq)).arraySync() as number[][];
    return acc.map((row) => row.map((v, j) => v * xScale * wScales[j]));
  });
}

describe(id, () => {
  test('the lesson\'s operands: xq = round(127·x/3), wq and wScales from per-channel\'s lesson', () => {
    const [xq, xScale, wq, wScales] = lessonArgs;
    expect(xq).toEqual([[42, -85, 21, 127], [-21, 59, 106, -42]]);
    expect(xScale).toBe(3 / 127);
    expect(wq).toEqual([[45, -35, 58], [-127, 127, -81], [93, -70, 127], [-19, 18, -104]]);
    expectClose(wScales, [0.34 / 127, 2.9 / 127, 0.11 / 127], 15);
    expectClose(wScales.map((s) => xScale * s * 1e5), [6.32401, 53.9401, 2.046], 4);
  });

  test('the lesson example by hand: acc[0][0] = 1890 + 10795 + 1953 − 2413 = 12225, and y as the table gives it', async () => {
    const [xq, , wq] = lessonArgs;
    expect(xq[0].map((v, k) => v * wq[k][0])).toEqual([1890, 10795, 1953, -2413]);
    const got = await multiply(...lessonArgs);
    expect(got[0][0]).toBeCloseTo((12225 * (3 / 127) * 0.34) / 127, 12);
    expectClose(got, [[0.773111, -6.175603, -0.024961], [0.140267, 0.028049, 0.242104]], 6);
    expect(mm(xq, wq)).toEqual([[12225, -11449, -1220], [2218, 52, 11833]]);
  });

  test('what it costs: against the float product x·w, max 0.031951 at y[1][1], mean 0.009941; one scale for the weight, mean 0.016182; the bars are the six errors', async () => {
    const float = mm(lessonXFloat, lessonWFloat);
    expectClose(float, [[0.775, -6.2, -0.025], [0.139, 0.06, 0.242]], 12);
    const got = await multiply(...lessonArgs);
    const { max, mean } = absErrors(float.flat(), got.flat());
    expect([max, mean].map((v) => +v.toFixed(6))).toEqual([0.031951, 0.009941]);
    expect(Math.abs(got[1][1] - float[1][1])).toBe(max);
    const [xq, xScale] = lessonArgs;
    const wqTensor = lessonWFloat.map((row) => row.map((v) => Math.round((127 * v) / 2.9)));
    const perTensor = await multiply(xq, xScale, wqTensor, [2.9 / 127, 2.9 / 127, 2.9 / 127]);
    const e = absErrors(float.flat(), perTensor.flat());
    expect([e.max, e.mean].map((v) => +v.toFixed(6))).toEqual([0.031951, 0.016182]);
    const bars = (await lessonBlock(id, 'bars')).split('\n').filter((line) => /^t\d/.test(line)).map((line) => Number(line.trim().split(/\s+/).at(-1)));
    expect(bars).toHaveLength(6);
    bars.forEach((v, k) => expect(v, `bar ${k}`).toBeCloseTo(Math.abs(got.flat()[k] - float.flat()[k]), 6));
  });

  test('the reference and the model solution agree with dequantising first and with tf.matMul on every seeded case', async () => {
    for (const c of await seededCases(id)) {
      const args = c.args as Args;
      const want = dequantiseFirst(...args);
      const viaTf = await tfInt8Matmul(...args);
      for (const got of [await multiply(...args), int8Matmul(...args)]) {
        expectClose(got, want, 9, c.name);
        expectClose(got, viaTf, 9, c.name);
      }
    }
  });

  test('the largest products: 64 products of ±127·127 sum exactly to ±1032256', async () => {
    const xq = [new Array(64).fill(127), new Array(64).fill(-127)];
    const wq = Array.from({ length: 64 }, () => [127, -127]);
    expect(await multiply(xq, 1, wq, [1, 1])).toEqual([[1032256, -1032256], [-1032256, 1032256]]);
  });

  test('the wrong variants as the Pitfalls quote them: wScales by the output row gives y[1][2] = 6.382733, by wq\'s row NaN; xScale forgotten gives y[0][1] = −261.434', async () => {
    const [byOutputRow, byWeightRow] = (await wrongAlternatives(qualified, 'wrong-scale-axis', ...lessonArgs)) as number[][][];
    expect(byOutputRow[1][2]).toBeCloseTo(6.382733, 6);
    expect(byOutputRow[1][2]).toBeCloseTo((11833 * 3 * 2.9) / (127 * 127), 12);
    expect(byWeightRow.flat().every(Number.isNaN)).toBe(true);
    const forgotten = (await wrong(qualified, 'x-scale-forgotten', ...lessonArgs)) as number[][];
    expect(forgotten[0][1]).toBeCloseTo(-261.434, 3);
    expect(forgotten[0][1] / (await multiply(...lessonArgs))[0][1]).toBeCloseTo(127 / 3, 9);
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    expect(await expectEachMisconceptionDiagnosed(id)).toEqual(['wrong-scale-axis', 'x-scale-forgotten']);
  });

  test('grading: scales indexed by the token are diagnosed as the wrong axis', async () => {
    const verdict = await grade(id, await solutionWith(qualified, ['y[j] = acc * (xScale * wScales[j]);', 'y[j] = acc * (xScale * wScales[xq.indexOf(row)]);']));
    expect(verdict.status).toBe('fail');
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'wrong-scale-axis' });
  });

  test('check yourself: the model solution holds both properties (seeds 7 and 99); the wrong axis and a forgotten xScale break them', async () => {
    await expectSolutionHolds(qualified, { [column]: 2, [xScaleDoubled]: 1 });
    const byToken = await solutionWith(qualified, ['y[j] = acc * (xScale * wScales[j]);', 'y[j] = acc * (xScale * wScales[xq.indexOf(row)]);']);
    await expectPropertyBroken(qualified, byToken, column, /^With wScales \[.*\] changed to \[.*\], column \d of your output should double/);
    const noXScale = await solutionWith(qualified, ['y[j] = acc * (xScale * wScales[j]);', 'y[j] = acc * wScales[j];']);
    await expectPropertyBroken(qualified, noXScale, xScaleDoubled, /^Row 0 went from .* when xScale doubled/);
  });

  test('the ```js block of In practice gives the reference\'s output on the lesson example and on a random case', async () => {
    const { tf } = await loadTf();
    const cases = await seededCases(id);
    for (const args of [lessonArgs, cases[1].args as Args]) {
      const [xq, xScale, wq, wScales] = args;
      const got = (await runLessonJs(id, tf, { xq, xScale, wq, wScales })) as number[][];
      expectClose(got, await multiply(...args), 5);
    }
  });
});
