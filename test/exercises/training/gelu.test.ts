import { describe, expect, test } from 'vitest';
import { erf } from '../../../exercises/training/activations/activations-math.js';
import { loadTf } from '../../../src/reference/backend.js';
import { expectMisconceptionsDiagnosed, reference, wrong, wrongAlternatives } from '../../helpers/exercises.js';
import { expectClose } from '../../helpers/matrices.js';
import { expectPropertyBroken, expectSolutionHolds, gradeOne, solutionSource } from '../../helpers/properties.js';

const id = 'training/activations/gelu';
const odd = 'gelu(x) − gelu(−x) = x, in both forms';
const close = 'the exact and the tanh forms agree within 4.75e-4';

const x = [-3, -1, -0.5, 0, 0.5, 1, 2, 3];
/** Φ from a standard normal table, Φ(−x) = 1 − Φ(x). */
const phi: Record<number, number> = { 0.5: 0.6914624613, 1: 0.8413447461, 2: 0.9772498681, 3: 0.9986501020 };
const tablePhi = (v: number) => (v === 0 ? 0.5 : v > 0 ? phi[v] : 1 - phi[-v]);
/** The tanh form, written out here apart from the exercise's code. */
const tanhForm = (v: number) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));

/** Abramowitz and Stegun 7.1.26 for z ≥ 0, as the handbook prints it. */
function abramowitzStegun(z: number): number {
  const t = 1 / (1 + 0.3275911 * z);
  return 1 - (0.254829592 * t - 0.284496736 * t ** 2 + 1.421413741 * t ** 3 - 1.453152027 * t ** 4 + 1.061405429 * t ** 5) * Math.exp(-z * z);
}

/** −10 … 10 in steps of 0.01. */
const line = Array.from({ length: 2001 }, (_, i) => -10 + i / 100);

describe(id, () => {
  test('the float64 erf matches published values: erf(0.5) = 0.5204998778, erf(1) = 0.8427007929, erf(1/√2) = 0.6826894921, erf(2) = 0.9953222650', () => {
    expect(erf(0.5)).toBeCloseTo(0.5204998778, 10);
    expect(erf(1)).toBeCloseTo(0.8427007929, 10);
    expect(erf(1 / Math.SQRT2)).toBeCloseTo(0.6826894921, 10);
    expect(erf(Math.SQRT2)).toBeCloseTo(0.9544997361, 10);
    expect(erf(2)).toBeCloseTo(0.995322265, 10);
    expect(erf(-1)).toBeCloseTo(-0.8427007929, 10);
    expect(erf(7)).toBe(1);
  });

  test('Abramowitz–Stegun 7.1.26 is within 1.5e-7 of erf, so its GELU is within 2.2e-7 of x·Φ(x) on [−10, 10], inside the 1e-6 allowed', () => {
    const erfError = Math.max(...line.filter((z) => z >= 0).map((z) => Math.abs(abramowitzStegun(z) - erf(z))));
    expect(erfError).toBeLessThanOrEqual(1.5e-7);
    const geluError = Math.max(...line.map((v) => Math.abs(0.5 * v * (1 + Math.sign(v) * abramowitzStegun(Math.abs(v) / Math.SQRT2)) - 0.5 * v * (1 + erf(v / Math.SQRT2)))));
    expect(geluError).toBeLessThanOrEqual(2.2e-7);
    // The lesson's hand-worked value at x = 1.
    expect(abramowitzStegun(1 / Math.SQRT2)).toBeCloseTo(0.6826894723, 10);
  });

  test("tf.erf in float32, as the lesson says: within 5.5e-8 of erf on the wasm backend, 1.9e-7 on the cpu backend", async () => {
    const { tf, report } = await loadTf();
    const got = tf.erf(tf.tensor1d(line)).dataSync();
    const worst = Math.max(...line.map((z, i) => Math.abs(got[i] - erf(z))));
    expect(worst).toBeLessThanOrEqual(report.active === 'cpu' ? 1.95e-7 : 6e-8);
  });

  test('the reference gives the lesson table: x·Φ(x) from the normal table, and the tanh form', async () => {
    expectClose(await reference(id, x, 'none'), x.map((v) => v * tablePhi(v)), 9);
    expectClose(await reference(id, x, 'tanh'), x.map(tanhForm), 12);
    expectClose(x.map(tanhForm), [-0.003637, -0.158808, -0.154286, 0, 0.345714, 0.841192, 1.954598, 2.996363], 6);
    // At x = 1 by hand: 0.797885·1.044715 = 0.833562, tanh of it 0.682384.
    expect(Math.sqrt(2 / Math.PI) * 1.044715).toBeCloseTo(0.833562, 6);
    expect(Math.tanh(0.833562)).toBeCloseTo(0.682384, 6);
  });

  test('the lesson picture: the forms are 4.73e-4 apart at x = 2.7, and never further apart', async () => {
    const bars: [number, number][] = [[0, 0], [0.5, 0.17], [1, 1.53], [1.5, 2.18], [2, 0.98], [2.5, 4.4], [2.7, 4.73], [3, 4.12], [3.5, 1.98], [4, 0.56]];
    const exact = (await reference(id, bars.map(([v]) => v), 'none')) as number[];
    bars.forEach(([v, gap], i) => expect(Math.abs(exact[i] - tanhForm(v)) * 1e4).toBeCloseTo(gap, 2));
    const fine = Array.from({ length: 20001 }, (_, i) => -10 + i / 1000);
    const largest = Math.max(...fine.map((v) => Math.abs(0.5 * v * (1 + erf(v / Math.SQRT2)) - tanhForm(v))));
    expect(largest).toBeCloseTo(4.73e-4, 5);
  });

  test('pitfalls: 0.044715·x gives 1.931170 at x = 2 and −0.020051 at x = −3; 2/π gives 0.790869 at x = 1', async () => {
    expectClose(await wrong(id, 'cube-missing', [2, -3, 1], 'tanh'), [1.93117, -0.020051, 0.841192], 6);
    expectClose(await wrong(id, 'two-over-pi-without-sqrt', [1, 2], 'tanh'), [0.790869, 1.905324], 6);
    // Both leave the exact form alone.
    expectClose(await wrong(id, 'cube-missing', [2], 'none'), [1.9544997361], 9);
    const swapped = await wrongAlternatives(id, 'forms-swapped', [1], 'none');
    expectClose(swapped![0], [0.841192], 6);
  });

  test('pitfalls: the erf formula applied to a negative z as it is gives gelu(−1) = −0.157717, and gelu(1) − gelu(−1) = 0.999062', () => {
    const raw = abramowitzStegun(-1 / Math.SQRT2);
    expect(raw).toBeCloseTo(-0.684566, 6);
    expect(-0.5 * (1 + raw)).toBeCloseTo(-0.157717, 6);
    expect(0.8413447461 + 0.5 * (1 + raw)).toBeCloseTo(0.999062, 6);
  });

  test.each([7, 99])('each misconception fails the reference and is diagnosed as itself (seed %i)', async (seed) => {
    await expectMisconceptionsDiagnosed(id, seed, ['cube-missing', 'forms-swapped', 'two-over-pi-without-sqrt']);
  });

  test('grading: a learner who uses the exact form for both values of approximate is diagnosed as forms-swapped', async () => {
    const source = (await solutionSource(id)).replace("if (approximate === 'tanh') {", "if (approximate === 'never') {");
    const verdict = await gradeOne(id, source);
    expect(verdict.status).toBe('fail');
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'forms-swapped', confidence: 'full' });
  });

  test('check yourself: the model solution (Abramowitz–Stegun) holds both properties and passes every case (seeds 7 and 99)', async () => {
    await expectSolutionHolds(id, { [odd]: 2, [close]: 1 });
  });

  test('check yourself: an erf for z ≥ 0 applied to negative z breaks the symmetry', async () => {
    // The formula for z ≥ 0 used as it is: no |z|, no sign put back.
    const source = (await solutionSource(id)).replace('const a = Math.abs(z);', 'const a = z;').replace('return Math.sign(z) * (1 - poly', 'return (1 - poly');
    expect(source).toContain('const a = z;');
    expect(source).toContain('return (1 - poly');
    await expectPropertyBroken(id, source, odd, /^With approximate "none", gelu\(\S+\) − gelu\(\S+\) is \S+, not \S+\. x·Φ\(x\) − \(−x\)·Φ\(−x\) = x/);
  });

  test('check yourself: 2/π in the tanh form breaks the agreement of the two forms', async () => {
    const source = (await solutionSource(id)).replace('const c = Math.sqrt(2 / Math.PI);', 'const c = 2 / Math.PI;');
    expect(source).toContain('const c = 2 / Math.PI;');
    await expectPropertyBroken(id, source, close, /^At x = \S+ your exact form gives \S+ and your tanh form \S+, \S+ apart\. The tanh form was fitted/);
  });
});
