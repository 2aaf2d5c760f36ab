import { describe, expect, test } from 'vitest';
import { quantizeAsymmetric } from '../../../exercises/inference/quant/int8-zero-point/solution.js';
import { halfZeroPointX, halvesX, lessonX, negativeX, positiveX } from '../../../exercises/inference/quant/int8-zero-point/exercise.js';
import { loadTf } from '../../../src/reference/backend.js';
import { reference, solutionWith, wrong } from '../../helpers/exercises.js';
import { expectPropertyBroken, expectSolutionHolds } from '../../helpers/properties.js';
import { absErrors, expectEachMisconceptionDiagnosed, expectNear, grade, runLessonJs, seededCases, tfRound } from './quant-helpers.js';

const id = 'quant/int8-zero-point';
const qualified = `inference/${id}`;
const inRange = 'q and the zero-point are integers in [0, 2^bits − 1]';
const halfStep = 'every value comes back within half a step: |(q − zeroPoint)·scale − x| ≤ scale/2';
type Asymmetric = { q: number[]; scale: number; zeroPoint: number };
const quantise = async (x: number[], bits: number) => (await reference(qualified, x, bits)) as Asymmetric;
const lessonW = [0.12, -0.8, 0.05, -0.34, 2.9, -0.07, 0.25, -1.6, 0.11, -0.05, 0.4, -0.09];

/**
 * What PyTorch 1.13 printed for these inputs: MinMaxObserver(dtype=torch.quint8,
 * quant_min=0, quant_max=2**bits − 1) observing the float32 tensor, then
 * calculate_qparams() and quantize_per_tensor(...).int_repr() (scales as float32).
 */
const torchRuns: { x: number[]; bits: number; scale: number; zeroPoint: number; q: number[] }[] = [
  { x: lessonX, bits: 8, scale: 0.0380392, zeroPoint: 113, q: [145, 100, 0, 145, 32, 134, 176, 255] },
  { x: lessonX, bits: 4, scale: 0.6467, zeroPoint: 7, q: [9, 6, 0, 9, 2, 8, 11, 15] },
  { x: positiveX, bits: 8, scale: 0.012156862765550613, zeroPoint: 0, q: [25, 140, 181, 74, 4, 255] },
  { x: negativeX, bits: 8, scale: 0.0117647061124444, zeroPoint: 255, q: [85, 221, 153, 0] },
  { x: halvesX, bits: 8, scale: 1, zeroPoint: 0, q: [0, 255, 2, 4, 100, 0] },
  { x: halfZeroPointX, bits: 8, scale: 1, zeroPoint: 12, q: [0, 255, 10, 18] },
  { x: [0, 0, 0], bits: 8, scale: 1.1920928955078125e-7, zeroPoint: 0, q: [0, 0, 0] },
];

/** The scheme written again from torch's observer.py, with tf.round (half to even) for q. */
async function tfAsymmetric(x: number[], bits: number): Promise<Asymmetric> {
  const qmax = 2 ** bits - 1;
  let lo = 0;
  let hi = 0;
  for (const v of x) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  const scale = Math.max((hi - lo) / qmax, 2 ** -23);
  const [r] = await tfRound([lo / scale]);
  const zeroPoint = Math.min(qmax, Math.max(0, -r));
  const q = (await tfRound(x.map((v) => v / scale))).map((v) => Math.min(qmax, Math.max(0, v + zeroPoint)));
  return { q, scale, zeroPoint };
}

describe(id, () => {
  test('the named cases give what PyTorch\'s MinMaxObserver and quantize_per_tensor gave', async () => {
    for (const run of torchRuns) {
      const got = await quantise(run.x, run.bits);
      expect(got.q, JSON.stringify(run.x)).toEqual(run.q);
      expect(got.zeroPoint, JSON.stringify(run.x)).toBe(run.zeroPoint);
      expect(Math.abs(got.scale - run.scale), JSON.stringify(run.x)).toBeLessThanOrEqual(1e-4 * run.scale);
    }
  });

  test('the lesson table by hand: scale 9.7/255, min/scale = −113.0412 so zeroPoint 113; errors max 0.018824 (at −3.1), mean 0.008333', async () => {
    const { q, scale, zeroPoint } = await quantise(lessonX, 8);
    expectNear(scale, 9.7 / 255, 'scale');
    expect(-4.3 / scale).toBeCloseTo(-113.0412, 4);
    expect(zeroPoint).toBe(113);
    const back = q.map((v) => (v - zeroPoint) * scale);
    const table = [1.217255, -0.49451, -4.298431, 1.217255, -3.081176, 0.798824, 2.396471, 5.401569];
    back.forEach((v, i) => expect(v, `entry ${i}`).toBeCloseTo(table[i], 6));
    const { max, mean } = absErrors(lessonX, back);
    expect(max).toBeCloseTo(0.018824, 6);
    expect(Math.abs(back[4] + 3.1)).toBe(max);
    expect(mean).toBeCloseTo(0.008333, 6);
  });

  test('the lesson\'s 4-bit line and its comparisons: 4 bits max 0.226667 mean 0.1575; ReLU output 0.003922 / 0.001340 against absmax 0.008661 / 0.003871; the weight at 8 and 4 bits', async () => {
    const dequantised = ({ q, scale, zeroPoint }: Asymmetric) => q.map((v) => (v - zeroPoint) * scale);
    const four = await quantise(lessonX, 4);
    expect(four.scale).toBeCloseTo(0.646667, 6);
    const e4 = absErrors(lessonX, dequantised(four));
    expect([e4.max, e4.mean].map((v) => +v.toFixed(6))).toEqual([0.226667, 0.1575]);
    const relu = absErrors(positiveX, dequantised(await quantise(positiveX, 8)));
    expect([relu.max, relu.mean].map((v) => +v.toFixed(6))).toEqual([0.003922, 0.00134]);
    // absmax on the same values: scale 3.1/127.
    const absmax = (await reference('inference/quant/int8-absmax', positiveX)) as { q: number[]; scale: number };
    expect(absmax.q).toEqual([12, 70, 90, 37, 2, 127]);
    const viaAbsmax = absErrors(positiveX, absmax.q.map((v) => v * absmax.scale));
    expect([viaAbsmax.max, viaAbsmax.mean].map((v) => +v.toFixed(6))).toEqual([0.008661, 0.003871]);
    for (const [bits, scale, zeroPoint, max, mean] of [
      [8, 0.0176471, 91, 0.005882, 0.003922],
      [4, 0.3, 5, 0.12, 0.081667],
    ]) {
      const got = await quantise(lessonW, bits);
      expect(got.scale).toBeCloseTo(scale, 7);
      expect(got.zeroPoint).toBe(zeroPoint);
      const e = absErrors(lessonW, dequantised(got));
      expect([e.max, e.mean].map((v) => +v.toFixed(6))).toEqual([max, mean]);
    }
  });

  test('the reference and the model solution agree with the scheme rewritten with tf.round on every seeded case', async () => {
    for (const c of await seededCases(id)) {
      const [x, bits] = c.args as [number[], number];
      const want = await tfAsymmetric(x, bits);
      for (const got of [await quantise(x, bits), quantizeAsymmetric(x, bits)]) {
        expect(got.q, c.name).toEqual(want.q);
        expect(got.zeroPoint, c.name).toBe(want.zeroPoint);
        expectNear(got.scale, want.scale, c.name);
      }
    }
  });

  test('the wrong variants as the Pitfalls quote them', async () => {
    const withoutZero = (await wrong(qualified, 'range-without-zero', positiveX, 8)) as Asymmetric;
    expect(withoutZero.q).toEqual([25, 142, 184, 75, 4, 255]);
    expect(withoutZero.zeroPoint).toBe(0);
    expect(withoutZero.scale).toBeCloseTo(0.0119608, 7);
    expect(0.05 / withoutZero.scale).toBeCloseTo(4.1803, 4);
    expect(3.1 / withoutZero.scale).toBeCloseTo(259.18, 2);
    expect(await wrong(qualified, 'range-without-zero', lessonX, 8)).toEqual(await quantise(lessonX, 8));
    const unclamped = (await wrong(qualified, 'zero-point-out-of-range', positiveX, 8)) as Asymmetric;
    expect([unclamped.zeroPoint, unclamped.q]).toEqual([-4, [21, 138, 180, 71, 0, 255]]);
    expect(((await wrong(qualified, 'zero-point-out-of-range', negativeX, 8)) as Asymmetric).zeroPoint).toBe(294);
    expect(((await wrong(qualified, 'round-half-up', halvesX, 8)) as Asymmetric).q).toEqual([0, 255, 3, 4, 101, 1]);
    expect(((await wrong(qualified, 'round-half-up', halfZeroPointX, 8)) as Asymmetric).zeroPoint).toBe(11);
    // torch.qint8 (qmin −128) on the lesson example, as NUMERICS.md gives it.
    const signed = (await wrong(qualified, 'signed-range', lessonX, 8)) as Asymmetric;
    expect([signed.zeroPoint, signed.q]).toEqual([-15, [17, -28, -128, 17, -96, 6, 48, 127]]);
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    expect(await expectEachMisconceptionDiagnosed(id)).toEqual(['range-without-zero', 'zero-point-out-of-range', 'round-half-up', 'signed-range']);
  });

  test('grading: the model solution without 0 in its range is diagnosed as range-without-zero', async () => {
    const source = await solutionWith(qualified, ['Math.min(0, ...x)', 'Math.min(...x)'], ['Math.max(0, ...x)', 'Math.max(...x)']);
    const verdict = await grade(id, source);
    expect(verdict.status).toBe('fail');
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'range-without-zero', confidence: 'full' });
  });

  test('check yourself: the model solution holds both properties (seeds 7 and 99)', async () => {
    await expectSolutionHolds(qualified, { [inRange]: 2, [halfStep]: 2 });
  });

  test('check yourself: an unclamped zero-point from a range without 0 breaks the first property; the range without 0 breaks the second on values from 0.5 up', async () => {
    const unclamped = await solutionWith(
      qualified,
      ['Math.min(0, ...x)', 'Math.min(...x)'],
      ['Math.max(0, ...x)', 'Math.max(...x)'],
      ['clamp(qmin - roundHalfEven(lo / scale), qmin, qmax)', 'qmin - roundHalfEven(lo / scale)'],
    );
    await expectPropertyBroken(qualified, unclamped, inRange, /^Your zero-point is -?\d+, not an integer in \[0, (255|15)\]/);
    const withoutZero = await solutionWith(qualified, ['Math.min(0, ...x)', 'Math.min(...x)'], ['Math.max(0, ...x)', 'Math.max(...x)']);
    const verdict = await grade(id, withoutZero);
    const broken = verdict.cases.filter((c) => c.name.startsWith(`${halfStep}: `) && c.status === 'fail');
    expect(broken.map((c) => c.name)).toEqual([`${halfStep}: 8 values from 0.5 up, 4 bits`]);
    expect(broken[0].message).toMatch(/^x\[\d+\] = [\d.]+ comes back as \(q − zeroPoint\)·scale = \(15 − 0\) · [\d.]+ = [\d.]+, more than scale\/2/);
  });

  test('the ```js block of In practice gives the reference\'s output on the lesson example, the ReLU output and the halves', async () => {
    const { tf } = await loadTf();
    for (const [x, bits] of [[lessonX, 8], [lessonX, 4], [positiveX, 8], [halvesX, 8], [halfZeroPointX, 8]] as [number[], number][]) {
      const got = (await runLessonJs(id, tf, { x, bits })) as Asymmetric;
      const want = await quantise(x, bits);
      expect(got.q.map((v) => v + 0)).toEqual(want.q);
      expect(got.zeroPoint + 0).toBe(want.zeroPoint);
      expectNear(got.scale, want.scale);
    }
  });
});
