import { describe, expect, test } from 'vitest';
import { smoothQuantScales } from '../../../exercises/inference/quant/smoothquant/solution.js';
import { lessonW, lessonWAbsMax, lessonX, lessonXAbsMax } from '../../../exercises/inference/quant/smoothquant/exercise.js';
import { loadTf } from '../../../src/reference/backend.js';
import { reference, solutionWith, wrong, wrongAlternatives } from '../../helpers/exercises.js';
import { expectClose, mm } from '../../helpers/matrices.js';
import { expectPropertyBroken, expectSolutionHolds } from '../../helpers/properties.js';
import { expectEachMisconceptionDiagnosed, inferenceFile, runLessonJs, seededCases } from './compress-helpers.js';

const id = 'quant/smoothquant';
const qualified = `inference/${id}`;
const balanced = 'with α = 0.5 the smoothed activations and weights share each channel\'s maximum';
type Args = [number[], number[], number];
const scales = async (...args: Args) => (await reference(qualified, ...args)) as number[];

/** smooth.py's two lines in tfjs (float32): tf.maximum for the clamps, tf.pow, tf.div. */
async function tfScales(x: number[], w: number[], alpha: number): Promise<number[]> {
  const { tf } = await loadTf();
  return tf.tidy(() => tf.maximum(tf.div(tf.pow(tf.tensor1d(x), alpha), tf.pow(tf.maximum(tf.tensor1d(w), 1e-5), 1 - alpha)), 1e-5).arraySync() as number[]);
}

/** Round half to even, as torch.round. */
const roundEven = (x: number) => {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
};
/** Symmetric int8 with one scale per tensor, dequantised. */
const fakeQuant = (m: number[][]) => {
  const scale = Math.max(...m.flat().map(Math.abs)) / 127;
  return m.map((row) => row.map((v) => roundEven(v / scale) * scale));
};
/** Max and mean |Q(X)·Q(W) − X·W|. */
function int8Error(x: number[][], w: number[][]): [number, number] {
  const exact = mm(x, w);
  const errors = mm(fakeQuant(x), fakeQuant(w)).flatMap((row, i) => row.map((v, j) => Math.abs(v - exact[i][j])));
  return [Math.max(...errors), errors.reduce((a, b) => a + b, 0) / errors.length];
}
const smooth = (s: number[]) => ({ x: lessonX.map((row) => row.map((v, j) => v / s[j])), w: lessonW.map((row, j) => row.map((v) => v * s[j])) });

describe(id, () => {
  test('the lesson\'s maxima are those of its X and W, and its factors are √(max|X|/max|W|)', async () => {
    expect(lessonXAbsMax).toEqual(lessonX[0].map((_, j) => Math.max(...lessonX.map((row) => Math.abs(row[j])))));
    expect(lessonWAbsMax).toEqual(lessonW.map((row) => Math.max(...row.map(Math.abs))));
    const s = await scales(lessonXAbsMax, lessonWAbsMax, 0.5);
    expectClose(s, [Math.SQRT2, Math.sqrt(240), Math.sqrt(3), Math.sqrt(1 / 0.7)], 12);
    expectClose(s, [1.414214, 15.491933, 1.732051, 1.195229], 6);
    expectClose(lessonXAbsMax.map((x, j) => x / s[j]), [0.848528, 1.549193, 0.866025, 0.83666], 6);
  });

  test('α = 1 gives max|X|, α = 0 gives 1/max|W|; the clamps give 1e-5 and √(30/1e-5)', async () => {
    expectClose(await scales(lessonXAbsMax, lessonWAbsMax, 1), lessonXAbsMax, 12);
    expectClose(await scales(lessonXAbsMax, lessonWAbsMax, 0), lessonWAbsMax.map((w) => 1 / w), 12);
    expectClose(await scales([2, 30, 1], [0.5, 0, 0.25], 0.5), [2, Math.sqrt(3e6), 2], 9);
    expect((await scales([2, 0, 8], [0.5, 0.3, 0.5], 0.5))[1]).toBe(1e-5);
  });

  test('the reference and the model solution agree with tfjs on every seeded case', async () => {
    for (const c of await seededCases(id)) {
      const args = c.args as Args;
      const want = await tfScales(...args);
      const got = await scales(...args);
      got.forEach((v, j) => expect(Math.abs(v - want[j]), `${c.name} [${j}]`).toBeLessThanOrEqual(1e-5 + 1e-4 * Math.abs(want[j])));
      expect(smoothQuantScales(...args), c.name).toEqual(got);
    }
  });

  test('smoothing leaves X·W unchanged and the lesson\'s int8 error table holds', async () => {
    const s = await scales(lessonXAbsMax, lessonWAbsMax, 0.5);
    const { x, w } = smooth(s);
    expectClose(mm(x, w), mm(lessonX, lessonW), 12);
    const swapped = (await wrong(qualified, 'alpha-swapped', lessonXAbsMax, lessonWAbsMax, 0.5)) as number[];
    const rows = (await inferenceFile(id, 'lesson.md')).split('\n').filter((l) => /^\| (before smoothing|smoothed, α = 0\.5|α on the wrong side) \|/.test(l));
    const numbers = rows.map((l) => l.split('|').slice(2, 6).map((c) => c.trim()).filter((c) => c).map(Number));
    expect(numbers).toHaveLength(3);
    const [before, after, wrongSide] = [int8Error(lessonX, lessonW), int8Error(x, w), int8Error(smooth(swapped).x, smooth(swapped).w)];
    expectClose(numbers[0], [24 / 127, 0.7 / 127, ...before], 6);
    expectClose(numbers[1], [1.549193 / 127, 1.549193 / 127, ...after], 6);
    expectClose(numbers[2], wrongSide, 6);
    expect(after[0]).toBeLessThan(before[0] / 4);
  });

  test('the wrong variants on the lesson example: swapped α gives 0.0645 for channel 1, the product 1.549; no clamp gives Infinity and 0', async () => {
    expect(((await wrong(qualified, 'alpha-swapped', lessonXAbsMax, lessonWAbsMax, 0.5)) as number[])[1]).toBeCloseTo(Math.sqrt(0.1 / 24), 9);
    expect(Math.sqrt(0.1 / 24)).toBeCloseTo(0.0645, 4);
    expect(24 / Math.sqrt(0.1 / 24)).toBeCloseTo(371.8, 1);
    expect(((await wrong(qualified, 'product-not-ratio', lessonXAbsMax, lessonWAbsMax, 0.5)) as number[])[1]).toBeCloseTo(1.549193, 6);
    const [none] = (await wrongAlternatives(qualified, 'no-clamp', [2, 30, 0], [0.5, 0, 0.25], 0.5))! as number[][];
    expect(none[1]).toBe(Infinity);
    expect(none[2]).toBe(0);
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    expect(await expectEachMisconceptionDiagnosed(id)).toEqual(['alpha-swapped', 'no-clamp', 'product-not-ratio']);
  });

  test('check yourself: the model solution balances the maxima at α = 0.5; a swapped α breaks it', async () => {
    await expectSolutionHolds(qualified, { [balanced]: 1 });
    const swapped = await solutionWith(qualified, ['x ** alpha / w ** (1 - alpha)', 'w ** alpha / x ** (1 - alpha)']);
    await expectPropertyBroken(qualified, swapped, balanced, /^In channel \d+, max\|X\|\/s = [\d.]+\/[\d.e-]+ = [\d.]+ but s·max\|W\| = [\d.e-]+\. With α = 0\.5/);
  });

  test('the ```js block of In practice gives the reference\'s output on the lesson example and on a zero weight row', async () => {
    const { tf } = await loadTf();
    for (const args of [[lessonXAbsMax, lessonWAbsMax, 0.5], [[2, 30, 1], [0.5, 0, 0.25], 0.5]] as Args[]) {
      const got = (await runLessonJs(id, tf, { xAbsMax: args[0], wAbsMax: args[1], alpha: args[2] })) as number[];
      const want = await scales(...args);
      got.forEach((v, j) => expect(Math.abs(v - want[j])).toBeLessThanOrEqual(1e-5 + 1e-4 * Math.abs(want[j])));
    }
  });
});
