import { describe, expect, test } from 'vitest';
import { quantizePerChannel } from '../../../exercises/inference/quant/per-channel/solution.js';
import { halvesW, lessonW, zeroColumnW } from '../../../exercises/inference/quant/per-channel/exercise.js';
import { loadTf } from '../../../src/reference/backend.js';
import { reference, solutionWith, wrong, wrongAlternatives } from '../../helpers/exercises.js';
import { expectClose } from '../../helpers/matrices.js';
import { expectPropertyBroken, expectSolutionHolds } from '../../helpers/properties.js';
import { absErrors, expectEachMisconceptionDiagnosed, expectNear, grade, inferenceFile, runLessonJs, seededCases } from './quant-helpers.js';

const id = 'quant/per-channel';
const qualified = `inference/${id}`;
const column8 = 'multiplying one column of w by 8 multiplies its scale by 8 and changes nothing else';
type PerChannel = { q: number[][]; scales: number[] };
const quantise = async (w: number[][]) => (await reference(qualified, w)) as PerChannel;

const lessonQ = [
  [45, -35, 58],
  [-127, 127, -81],
  [93, -70, 127],
  [-19, 18, -104],
];

/** Per-channel written with tfjs: column maxima by tf.max over axis 0, tf.round (half to even) in float32. */
async function tfPerChannel(w: number[][]): Promise<PerChannel> {
  const { tf } = await loadTf();
  return tf.tidy(() => {
    const t = tf.tensor2d(w);
    const m = tf.max(tf.abs(t), 0);
    const safe = tf.where(tf.equal(m, 0), tf.onesLike(m), m);
    const q = (tf.round(tf.div(tf.mul(127, t), safe)).arraySync() as number[][]).map((row) => row.map((v) => v + 0));
    return { q, scales: (m.arraySync() as number[]).map((v) => v / 127) };
  });
}

/** One scale for the whole matrix: quant/int8-absmax's reference on the flattened weight, its scale repeated per column. */
async function oneScale(w: number[][]): Promise<PerChannel> {
  const { q, scale } = (await reference('inference/quant/int8-absmax', w.flat())) as { q: number[]; scale: number };
  const cols = w[0].length;
  return { q: w.map((_, i) => q.slice(i * cols, (i + 1) * cols)), scales: w[0].map(() => scale) };
}

/** The dequantised matrix and its errors against w, by plain loops. */
function errors(w: number[][], { q, scales }: PerChannel) {
  return absErrors(w.flat(), q.flatMap((row) => row.map((v, j) => v * scales[j])));
}

/** One column's errors. */
const columnErrors = (w: number[][], out: PerChannel, j: number) =>
  absErrors(
    w.map((row) => row[j]),
    out.q.map((row) => row[j] * out.scales[j]),
  );

describe(id, () => {
  test('the lesson example by hand: column maxima 0.34, 2.9, 0.11; q[0][0] = round(44.8235) = 45, q[3][2] = round(−103.9091) = −104', async () => {
    const got = await quantise(lessonW);
    expect(got.q).toEqual(lessonQ);
    [0.34, 2.9, 0.11].forEach((m, j) => expectNear(got.scales[j], m / 127, `scale ${j}`));
    expectClose(got.scales, [0.0026772, 0.0228346, 0.0008661], 7);
    expect(0.12 / got.scales[0]).toBeCloseTo(44.8235, 4);
    expect(-0.09 / got.scales[2]).toBeCloseTo(-103.9091, 4);
    for (let j = 0; j < 3; j++) expect(Math.max(...got.q.map((row) => Math.abs(row[j])))).toBe(127);
  });

  test('the lesson\'s table: per-tensor against per-channel, column by column and over the matrix', async () => {
    const perChannel = await quantise(lessonW);
    const perTensor = await oneScale(lessonW);
    expect(perTensor.q).toEqual([[5, -35, 2], [-15, 127, -3], [11, -70, 5], [-2, 18, -4]]);
    const rows = [
      [0.005827, 0.003465, 0.001024, 0.000591],
      [0.011024, 0.003346, 0.011024, 0.003346],
      [0.004331, 0.002835, 0.000236, 0.000118],
    ];
    const factors = rows.map(([tMax, tMean, cMax, cMean], j) => {
      const t = columnErrors(lessonW, perTensor, j);
      const c = columnErrors(lessonW, perChannel, j);
      expect([t.max, t.mean, c.max, c.mean].map((v) => +v.toFixed(6)), `column ${j}`).toEqual([tMax, tMean, cMax, cMean]);
      return [t.max / c.max, t.mean / c.mean].map(Math.round);
    });
    // The gains the lesson quotes: about 6 in column 0, 18 to 24 in column 2.
    expect(factors).toEqual([[6, 6], [1, 1], [18, 24]]);
    const all = [errors(lessonW, perTensor), errors(lessonW, perChannel)].map((e) => [e.max, e.mean].map((v) => +v.toFixed(6)));
    expect(all).toEqual([
      [0.011024, 0.003215],
      [0.011024, 0.001352],
    ]);
  });

  test('the lesson\'s two heatmaps are the entries\' errors in thousandths, per tensor then per channel', async () => {
    const perTensor = await oneScale(lessonW);
    const blocks = (await inferenceFile(id, 'lesson.md')).split('```heatmap\n').slice(1).map((b) => b.split('```')[0]);
    expect(blocks).toHaveLength(2);
    [perTensor, await quantise(lessonW)].forEach(({ q, scales }, b) => {
      const cells = blocks[b].split('\n').filter((line) => /^r\d/.test(line)).flatMap((line) => line.split(/\s+/).slice(1).map(Number));
      const want = q.flatMap((row, i) => row.map((v, j) => Math.abs(lessonW[i][j] - v * scales[j]) * 1000));
      expect(cells).toHaveLength(12);
      cells.forEach((v, k) => expect(v, `heatmap ${b}, cell ${k}`).toBeCloseTo(want[k], 3));
    });
  });

  test('exact halves go to even; an all-zero column has scale 0 and q 0; one input channel puts every column at ±127', async () => {
    expect(await quantise(halvesW)).toEqual({ q: [[127, 5, 0], [2, 127, -2], [-4, -2, 127]], scales: [1, 0.5, 1] });
    const zero = await quantise(zeroColumnW);
    expect(zero.q).toEqual([[127, 0, -76], [-76, 0, 127]]);
    expect(zero.scales[1]).toBe(0);
    expect((await quantise([[1.2, -2, 0.5]])).q).toEqual([[127, -127, 127]]);
  });

  test('the reference and the model solution agree with tf.max over axis 0 and tf.round on every seeded case', async () => {
    for (const c of await seededCases(id)) {
      const [w] = c.args as [number[][]];
      const want = await tfPerChannel(w);
      for (const got of [await quantise(w), quantizePerChannel(w)]) {
        expect(got.q, c.name).toEqual(want.q);
        got.scales.forEach((s, j) => expectNear(s, want.scales[j], `${c.name}: scale ${j}`));
      }
    }
  });

  test('the wrong variants as the Pitfalls quote them: per row, per tensor, Math.round', async () => {
    const perRow = (await wrong(qualified, 'per-row', lessonW)) as PerChannel;
    expect(perRow.q).toEqual([[19, -127, 8], [-15, 127, -3], [20, -127, 9], [-16, 127, -29]]);
    expectClose(perRow.scales, [0.8 / 127, 2.9 / 127, 1.6 / 127, 0.4 / 127], 12);
    const perTensor = (await wrongAlternatives(qualified, 'per-tensor', lessonW)) as PerChannel[];
    expect(perTensor.map((p) => p.q)).toEqual([[[5, -35, 2], [-15, 127, -3], [11, -70, 5], [-2, 18, -4]], [[5, -35, 2], [-15, 127, -3], [11, -70, 5], [-2, 18, -4]]]);
    expect(perTensor.map((p) => p.scales.length)).toEqual([3, 1]);
    expect(((await wrong(qualified, 'round-half-up', halvesW)) as PerChannel).q).toEqual([[127, 5, 1], [3, 127, -1], [-3, -1, 127]]);
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    expect(await expectEachMisconceptionDiagnosed(id)).toEqual(['per-row', 'per-tensor', 'round-half-up']);
  });

  test('grading: the solution quantising rows instead of columns is diagnosed as per-row', async () => {
    const source = `export function quantizePerChannel(w: number[][]) {
  const scales = w.map((row) => Math.max(...row.map(Math.abs)) / 127);
  const q = w.map((row, i) => row.map((v) => {
    const r = Math.round(v / scales[i]);
    return r - v / scales[i] === 0.5 && r % 2 !== 0 ? r - 1 : r;
  }));
  return { q, scales };
}`;
    const verdict = await grade(id, source);
    expect(verdict.status).toBe('fail');
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'per-row' });
  });

  test('check yourself: the model solution holds the property (seeds 7 and 99); one scale for the tensor breaks it', async () => {
    await expectSolutionHolds(qualified, { [column8]: 2 });
    const perTensor = await solutionWith(qualified, ['for (const row of w) row.forEach((v, j) => (absmax[j] = Math.max(absmax[j], Math.abs(v))));', 'const all = Math.max(...w.flat().map(Math.abs));\n  absmax.fill(all);']);
    await expectPropertyBroken(qualified, perTensor, column8, /^After column \d was multiplied by 8, your scales went from .*; only scale \d should change/);
  });

  test('the ```js block of In practice gives the reference\'s output on the lesson example and on the halves', async () => {
    const { tf } = await loadTf();
    for (const w of [lessonW, halvesW]) {
      const got = (await runLessonJs(id, tf, { w })) as PerChannel;
      const want = await quantise(w);
      expect(got.q.map((row) => row.map((v) => v + 0))).toEqual(want.q);
      expectClose(got.scales, want.scales, 7);
    }
  });
});
