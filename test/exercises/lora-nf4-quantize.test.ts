import { describe, expect, test } from 'vitest';
import { NF4_LEVELS } from '../../exercises/transformer-core/lora/lora-math.js';
import { diagnoseEachMisconception, reference, wrong } from '../helpers/exercises.js';
import { expectPropertyBroken, expectSolutionHolds } from '../helpers/properties.js';

const id = 'lora/nf4-quantize';
const codesInRange = 'every code is a whole number from 0 to 15, one per value';
const absmaxRule = "each block's absmax is the largest |w| in it";
const extremes = 'the largest |w| of each block gets code 0 or 15';

/** A learner's quantiser with the nearest-level search right, and `scale` and `offset` as given. */
function learnerQuantizer(scale: string, offset: number): string {
  return `const LEVELS = ${JSON.stringify(NF4_LEVELS)};
export function quantizeNf4(w: Vector, blockSize: number): { codes: number[]; absmax: number[] } {
  const codes: number[] = [];
  const absmax: number[] = [];
  for (let start = 0; start < w.length; start += blockSize) {
    const block = w.slice(start, start + blockSize);
    const m = ${scale};
    absmax.push(m);
    for (const x of block) {
      let best = 0;
      for (let k = 1; k < 16; k++) if (Math.abs(x / m - LEVELS[k]) < Math.abs(x / m - LEVELS[best])) best = k;
      codes.push(best + ${offset});
    }
  }
  return { codes, absmax };
}`;
}

/** The 16 NF4 levels exactly as NUMERICS.md §4 lists them (bitsandbytes get_4bit_type). */
const PUBLISHED = [
  -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0,
  0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0,
];

/** The standard normal's inverse CDF (Acklam's rational approximation, relative error below 1.2e-9). */
function normalPpf(p: number): number {
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const tail = (q: number) => (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/** torch.linspace in float32: `steps` points from start to end, each rounded to float32. */
function linspaceF32(start: number, end: number, steps: number): number[] {
  const step = (end - start) / (steps - 1);
  return Array.from({ length: steps }, (_, i) => Math.fround(start + step * i));
}

/** The next float64 above (dir = 1) or below (dir = −1) a positive or negative non-zero x. */
function nextFloat(x: number, dir: 1 | -1): number {
  const buf = new Float64Array([x]);
  const bits = new BigInt64Array(buf.buffer);
  bits[0] += BigInt(x > 0 ? dir : -dir);
  return buf[0];
}

type Quantized = { codes: number[]; absmax: number[] };

describe(id, () => {
  test('the levels used are exactly the 16 published NF4 values', () => {
    expect([...NF4_LEVELS]).toEqual(PUBLISHED);
    expect(PUBLISHED.every((v) => Math.fround(v) === v)).toBe(true);
  });

  test('the published levels are bitsandbytes\' create_normal_map(offset = 0.9677083), reproduced to 1e-7', () => {
    const offset = Math.fround(0.9677083);
    expect(Math.abs(0.9677083 - ((1 - 1 / 32) + (1 - 1 / 30)) / 2)).toBeLessThan(1e-7);
    const positive = linspaceF32(offset, 0.5, 9).slice(0, -1).map(normalPpf);
    const negative = linspaceF32(offset, 0.5, 8).slice(0, -1).map((p) => -normalPpf(p));
    const values = [...positive, 0, ...negative].sort((x, y) => x - y);
    const max = Math.max(...values);
    values.forEach((v, k) => expect(Math.abs(v / max - PUBLISHED[k]), `level ${k}`).toBeLessThan(1e-7));
  });

  test('reference matches the lesson worked example: codes [12, 0, 10, 7, 15, 6, 12], absmax [1.2, 2]', async () => {
    expect(await reference(id, [0.5, -1.2, 0.3, 0, 2, -0.1, 0.9], 4)).toEqual({ codes: [12, 0, 10, 7, 15, 6, 12], absmax: [1.2, 2] });
  });

  test('reference: every decision boundary is the midpoint of two published levels, and a value exactly on it takes the lower index', async () => {
    for (let k = 0; k < 15; k++) {
      const mid = (PUBLISHED[k] + PUBLISHED[k + 1]) / 2;
      const codeOf = async (v: number) => ((await reference(id, [1, v], 2)) as Quantized).codes[1];
      expect(await codeOf(mid), `midpoint ${k}`).toBe(k);
      expect(await codeOf(nextFloat(mid, 1)), `just above midpoint ${k}`).toBe(k + 1);
      expect(await codeOf(nextFloat(mid, -1)), `just below midpoint ${k}`).toBe(k);
    }
  });

  test('reference: the levels themselves (scaled) get codes 0–15; blocks, partial blocks, an all-zero block, block size 1', async () => {
    expect(await reference(id, PUBLISHED.map((l) => 3 * l), 16)).toEqual({ codes: PUBLISHED.map((_, k) => k), absmax: [3] });
    expect(await reference(id, [0, 0, 0, 0, 0.3, -0.6, 0, 1.5, 0, 0], 4)).toEqual({ codes: [7, 7, 7, 7, 9, 3, 7, 15, 7, 7], absmax: [0, 1.5, 0] });
    expect(await reference(id, [0.5, -4, 0.25], 2)).toEqual({ codes: [9, 0, 15], absmax: [4, 0.25] }); // 0.5/4 = 0.125 lies between the midpoints 0.120255 and 0.203521
    expect(await reference(id, [0.7, -0.2, 0, 3], 1)).toEqual({ codes: [15, 0, 7, 15], absmax: [0.7, 0.2, 0, 3] });
  });

  test('the wrong variants give the lesson\'s values', async () => {
    const w = [0.5, -1.2, 0.3, 0, 2, -0.1, 0.9];
    expect(await wrong(id, 'uniform-grid', w, 4)).toEqual({ codes: [11, 0, 9, 8, 15, 7, 11], absmax: [1.2, 2] });
    expect(await wrong(id, 'tensor-absmax', w, 4)).toEqual({ codes: [10, 2, 9, 7, 15, 6, 12], absmax: [2] });
    expect(await wrong(id, 'not-normalised', w, 4)).toEqual({ codes: [12, 0, 11, 7, 15, 6, 15], absmax: [1.2, 2] });
    expect(await wrong(id, 'tie-to-upper', [1, (PUBLISHED[7] + PUBLISHED[8]) / 2], 2)).toEqual({ codes: [15, 8], absmax: [1] });
    expect(await wrong(id, 'zero-block-not-handled', [0, 0, 1], 2)).toEqual({ codes: [0, 0, 15], absmax: [0, 1] });
    expect(await wrong(id, 'absmax-without-abs', [-0.4, -0.1], 2)).toEqual({ codes: [15, 15], absmax: [-0.1] });
    expect(await wrong(id, 'last-block-dropped', w, 4)).toEqual({ codes: [12, 0, 10, 7], absmax: [1.2] });
  });

  for (const seed of [7, 42, 2024]) {
    test(`every misconception fails the reference and is diagnosed as itself (seed ${seed})`, async () => {
      for (const result of await diagnoseEachMisconception(id, seed)) {
        expect(result.failingCases, result.id).toBeGreaterThan(0);
        expect(result.diagnosed, result.id).toBe(result.id);
      }
    });
  }

  test('reference, Check yourself: the worked example gives 7 codes in 0…15, absmax [1.2, 2], and its extremes −1.2 and 2 get codes 0 and 15', async () => {
    // Hand-worked in the lesson's table: −1.2 / 1.2 = −1 is level 0, 2 / 2 = 1 is level 15.
    expect(await reference(id, [0.5, -1.2, 0.3, 0, 2, -0.1, 0.9], 4)).toEqual({ codes: [12, 0, 10, 7, 15, 6, 12], absmax: [1.2, 2] });
  });

  test('check yourself: the model solution holds every property on seeds 7 and 99', async () => {
    await expectSolutionHolds(id, { [codesInRange]: 2, [absmaxRule]: 2, [extremes]: 2 });
  });

  test('check yourself: codes counted from 1 (1 to 16) break the range and the extremes', async () => {
    const oneBased = learnerQuantizer('Math.max(...block.map(Math.abs))', 1);
    await expectPropertyBroken(id, oneBased, codesInRange, /^Your code \d+ is 16\. A code is what is stored in 4 bits/);
    await expectPropertyBroken(id, oneBased, extremes, /^w\[\d+\] = \S+ has the largest magnitude of block \d+, and your code for it is (1|16)\. Divided by its block's absmax it is exactly/);
  });

  test('check yourself: an absmax with headroom (twice the largest |w|) breaks the absmax rule and the extremes', async () => {
    const headroom = learnerQuantizer('2 * Math.max(...block.map(Math.abs))', 0);
    await expectPropertyBroken(id, headroom, absmaxRule, /^Your absmax for block 0 is \S+, but the largest \|w\| in that block is \S+\. Dividing by exactly that magnitude/);
    await expectPropertyBroken(id, headroom, extremes, /^w\[\d+\] = \S+ has the largest magnitude of block 0, and your code for it is (2|12)\./);
  });
});
