import { describe, expect, test } from 'vitest';
import { randomInts, randomMatrix, Rng, tidy } from '../../src/core/authoring/rng.js';
import { lessonExample } from '../../exercises/transformer-core/lora/lora-math.js';
import { diagnoseEachMisconception, reference, wrong } from '../helpers/exercises.js';
import { expectClose } from '../helpers/matrices.js';
import { expectPropertyBroken, expectSolutionHolds } from '../helpers/properties.js';

const id = 'lora/qlora-forward';
const zeroB = 'with B = 0 the output is x times the dequantised W0';
const adapterPath = 'the adapter adds (α/r)·(x·A)·B to the frozen output';

/** A learner's qloraForward, row-major, with the block scale and the LoRA scale written as given. */
function learnerForward(blockScale: string, loraScale: string): string {
  return `const NF4 = ${JSON.stringify(NF4)};
type Base = { codes: number[]; absmax: number[]; blockSize: number; rows: number; cols: number };
const times = (p: Matrix, q: Matrix): Matrix => p.map((row) => q[0].map((_, j) => row.reduce((s, v, k) => s + v * q[k][j], 0)));
export function qloraForward(x: Matrix, base: Base, a: Matrix, b: Matrix, alpha: number): Matrix {
  const w0 = Array.from({ length: base.rows }, (_, r) => Array.from({ length: base.cols }, (_, c) => {
    const i = r * base.cols + c;
    return NF4[base.codes[i]] * ${blockScale};
  }));
  const frozen = times(x, w0);
  const delta = times(times(x, a), b);
  return frozen.map((row, i) => row.map((v, j) => v + (${loraScale}) * delta[i][j]));
}`;
}

/** The 16 NF4 levels exactly as NUMERICS.md §4 lists them. */
const NF4 = [
  -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0,
  0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0,
];

interface Base {
  codes: number[];
  absmax: number[];
  blockSize: number;
  rows: number;
  cols: number;
}

/** Row-major dequantisation, written here from the definition: W0[r][c] = NF4[codes[i]]·absmax[⌊i / blockSize⌋], i = r·cols + c. */
function dequantize(base: Base): number[][] {
  const out: number[][] = [];
  for (let r = 0; r < base.rows; r++) {
    const row: number[] = [];
    for (let c = 0; c < base.cols; c++) {
      const i = r * base.cols + c;
      row.push(NF4[base.codes[i]] * base.absmax[Math.floor(i / base.blockSize)]);
    }
    out.push(row);
  }
  return out;
}

// The lesson's worked example: the adapter of lora/forward over a quantised [3, 2] weight.
const { x, a, b } = lessonExample;
const lessonBase: Base = { codes: [15, 7, 0, 11, 8, 13], absmax: [2, 0.5], blockSize: 4, rows: 3, cols: 2 };

describe(id, () => {
  test('the lesson\'s dequantised W0 is [[2, 0], [−2, 0.675830], [0.039790, 0.281309]]', () => {
    expectClose(dequantize(lessonBase), [[2, 0], [-2, 0.67583], [0.0397901, 0.2813085]], 6);
  });

  test('reference matches the lesson worked example: [[0, 1.351661], [−4.039790, −7.605478]]', async () => {
    expectClose((await reference(id, x, lessonBase, a, b, 4)) as number[][], [[0, 1.351661], [-4.03979, -7.605478]], 5);
  });

  test('reference agrees with loraForward on the dequantised matrix (seeded codes and scales, blocks that cross rows)', async () => {
    const rng = new Rng(2314);
    for (const [n, rows, cols, blockSize, r, alpha] of [
      [2, 6, 4, 8, 2, 8],
      [3, 5, 7, 4, 3, 6],
      [1, 10, 12, 64, 4, 16],
      [2, 4, 3, 5, 1, 2],
    ]) {
      const blocks = Math.ceil((rows * cols) / blockSize);
      const base: Base = {
        codes: randomInts(rng, rows * cols, 0, 15),
        absmax: Array.from({ length: blocks }, () => tidy(rng.uniform(0.1, 3))),
        blockSize,
        rows,
        cols,
      };
      const xs = randomMatrix(rng, n, rows);
      const aa = randomMatrix(rng, rows, r, 0.5);
      const bb = randomMatrix(rng, r, cols, 0.5);
      const got = (await reference(id, xs, base, aa, bb, alpha)) as number[][];
      const want = (await reference('lora/forward', xs, dequantize(base), aa, bb, alpha)) as number[][];
      expectClose(got, want, 4);
    }
  });

  test('reference: quantising a weight with lora/nf4-quantize and running with B = 0 gives x times the dequantised weight', async () => {
    const rng = new Rng(64);
    const w = randomMatrix(rng, 6, 5, 0.5);
    const { codes, absmax } = (await reference('lora/nf4-quantize', w.flat(), 8)) as { codes: number[]; absmax: number[] };
    const base: Base = { codes, absmax, blockSize: 8, rows: 6, cols: 5 };
    const xs = randomMatrix(rng, 2, 6);
    const zeroB = [[0, 0, 0, 0, 0]];
    const got = (await reference(id, xs, base, randomMatrix(rng, 6, 1), zeroB, 8)) as number[][];
    const w0 = dequantize(base);
    expectClose(got, xs.map((row) => w0[0].map((_, j) => row.reduce((s, v, p) => s + v * w0[p][j], 0))), 4);
  });

  test('the wrong variants give the lesson table', async () => {
    expectClose((await wrong(id, 'column-major', x, lessonBase, a, b, 4)) as number[][], [[4, 0.755411], [0, -8.241518]], 5);
    expectClose((await wrong(id, 'wrong-block-absmax', x, lessonBase, a, b, 4)) as number[][], [[0, 1.351661], [-4.159161, -8.449404]], 5);
    expectClose((await wrong(id, 'absmax-not-applied', x, lessonBase, a, b, 4)) as number[][], [[1, 0.67583], [-3.07958, -8.224702]], 5);
    expectClose((await wrong(id, 'scale-alpha', x, lessonBase, a, b, 4)) as number[][], [[2, 1.351661], [-6.03979, -15.605478]], 5);
  });

  for (const seed of [7, 42, 2024]) {
    test(`every misconception fails the reference and is diagnosed as itself (seed ${seed})`, async () => {
      for (const result of await diagnoseEachMisconception(id, seed)) {
        expect(result.failingCases, result.id).toBeGreaterThan(0);
        expect(result.diagnosed, result.id).toBe(result.id);
      }
    });
  }

  test('reference, Check yourself: on the lesson example B = 0 gives x·W0 = [[−2, 1.351661], [−2.039790, 0.394522]], and the adapter adds [[2, 0], [−2, −8]]', async () => {
    // Hand-worked: x·W0 with the W0 dequantised above; the adapter path is (α/r)·(x·A)·B = 2·[[1, 0], [−1, −4]].
    const zero = b.map((row) => row.map(() => 0));
    const frozen = (await reference(id, x, lessonBase, a, zero, 4)) as number[][];
    expectClose(frozen, [[-2, 1.351661], [-2.03979, 0.394522]], 5);
    const full = (await reference(id, x, lessonBase, a, b, 4)) as number[][];
    expectClose(full.map((row, i) => row.map((v, j) => v - frozen[i][j])), [[2, 0], [-2, -8]], 5);
  });

  test('check yourself: the model solution holds both properties on seeds 7 and 99', async () => {
    await expectSolutionHolds(id, { [zeroB]: 2, [adapterPath]: 1 });
  });

  test('check yourself: every block read with the first block\'s absmax breaks the B = 0 property', async () => {
    const firstScale = learnerForward('base.absmax[0]', 'alpha / a[0].length');
    await expectPropertyBroken(id, firstScale, zeroB, /^With B = 0 your output is not x·W0 \(x·W0 first, yours second: \[\d\]\[\d\] is \S+ in the first and \S+ in the second\), W0\[r\]\[c\] = NF4/);
  });

  test('check yourself: r taken as the rows of A (alpha / a.length) breaks the adapter property', async () => {
    const rowsOfA = learnerForward('base.absmax[Math.floor(i / base.blockSize)]', 'alpha / a.length');
    await expectPropertyBroken(id, rowsOfA, adapterPath, /^Your output minus your output with B = 0 is not \(α\/r\)·\(x·A\)·B \(that first, your difference second: \[\d\]\[\d\] is \S+ in the first and \S+ in the second\)\. Quantising W0 changes nothing/);
  });
});
