// Plain float64 building blocks shared by the LoRA and QLoRA exercises: the NF4
// table, a blockwise quantiser, the lessons' worked example, and the pieces the
// wrong variants are made of (including products written the way a learner's
// loops behave on mismatched shapes).
import type { ReferenceContext, Tf } from 'llm-tutor/pack';

/** What tf.matMul accepts as its right operand. */
type MatrixOperand = Parameters<Tf['matMul']>[1];

/**
 * The 16 NF4 levels of QLoRA, indices 0–15, exactly as bitsandbytes lists them
 * (`get_4bit_type('nf4')` in `bitsandbytes/functional.py`). Each is a float32 value.
 */
export const NF4_LEVELS: readonly number[] = [
  -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0,
  0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0,
];

/** The index of NF4 level 0.0, the code of every element of an all-zero block. */
export const NF4_ZERO_CODE = 7;

/** The 15 points halfway between neighbouring levels (exact in float64: the levels are float32). */
export const NF4_MIDPOINTS: readonly number[] = NF4_LEVELS.slice(1).map((hi, k) => (NF4_LEVELS[k] + hi) / 2);

/**
 * The code of the level nearest to v. With `tie: 'lower'` (the convention, as
 * torch.bucketize does it) a value exactly on a midpoint takes the lower index;
 * with 'upper' it takes the upper one.
 */
export function nearestNf4(v: number, tie: 'lower' | 'upper' = 'lower'): number {
  let code = 0;
  for (const m of NF4_MIDPOINTS) if (tie === 'lower' ? v > m : v >= m) code++;
  return code;
}

/** max |x| over a list (0 for an empty or all-zero list). */
export function maxAbs(xs: readonly number[]): number {
  let m = 0;
  for (const x of xs) m = Math.max(m, Math.abs(x));
  return m;
}

/** The blocks of `blockSize` consecutive elements; the last one may be shorter. */
export function blocksOf<T>(xs: readonly T[], blockSize: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < xs.length; start += blockSize) out.push(xs.slice(start, start + blockSize));
  return out;
}

/** Blockwise NF4 quantisation by the conventions of the exercises (see lora/nf4-quantize). */
export function quantizeNf4Blocks(w: readonly number[], blockSize: number, tie: 'lower' | 'upper' = 'lower'): { codes: number[]; absmax: number[] } {
  const codes: number[] = [];
  const absmax: number[] = [];
  for (const block of blocksOf(w, blockSize)) {
    const m = maxAbs(block);
    absmax.push(m);
    for (const x of block) codes.push(m === 0 ? NF4_ZERO_CODE : nearestNf4(x / m, tie));
  }
  return { codes, absmax };
}

/** A quantised weight matrix as lora/qlora-forward receives it. */
export interface Nf4Matrix {
  codes: number[];
  absmax: number[];
  blockSize: number;
  rows: number;
  cols: number;
}

/** Quantises a `[rows, cols]` matrix read row-major. */
export function quantizeMatrix(w: number[][], blockSize: number): Nf4Matrix {
  const { codes, absmax } = quantizeNf4Blocks(w.flat(), blockSize);
  return { codes, absmax, blockSize, rows: w.length, cols: w[0].length };
}

/** Row-major dequantisation: W[r][c] = level[codes[i]] · absmax[⌊i / blockSize⌋] with i = r·cols + c. */
export function dequantizeMatrix(base: Nf4Matrix): number[][] {
  return Array.from({ length: base.rows }, (_, r) =>
    Array.from({ length: base.cols }, (_, c) => {
      const i = r * base.cols + c;
      return NF4_LEVELS[base.codes[i]] * base.absmax[Math.floor(i / base.blockSize)];
    }),
  );
}

/** a + s·b, entry by entry, for matrices of the same shape. */
export function addScaled(a: number[][], b: number[][], s: number): number[][] {
  return a.map((row, i) => row.map((x, j) => x + s * b[i][j]));
}

/** s·m. */
export function scaleMatrix(m: number[][], s: number): number[][] {
  return m.map((row) => row.map((x) => s * x));
}

/** The rank of an adapter: the columns of A (= the rows of B). */
export function rankOf(a: number[][]): number {
  return a[0].length;
}

/** x·W0 + scale·(x·A)·B in float32 with tfjs: the LoRA forward pass of the references. */
export function loraForwardTf(tf: ReferenceContext['tf'], x: number[][], w0: MatrixOperand, a: number[][], b: number[][], scale: number) {
  return loraForwardSteps(tf, x, w0, a, b, scale).output;
}

/** {@link loraForwardTf} step by step: x·W0, x·A, (x·A)·B and the scale (the steps a trace shows), and the output. */
export function loraForwardSteps(tf: ReferenceContext['tf'], x: number[][], w0: MatrixOperand, a: number[][], b: number[][], scale: number) {
  const xt = tf.tensor2d(x, undefined, 'float32');
  const base = tf.matMul(xt, w0);
  const down = tf.matMul(xt, tf.tensor2d(a, undefined, 'float32'));
  const update = tf.matMul(down, tf.tensor2d(b, undefined, 'float32'));
  const steps = { 'x·W0': base, 'x·A': down, '(x·A)·B': update, 'α/r': scale };
  return { steps, output: tf.add(base, tf.mul(update, tf.scalar(scale, 'float32'))) };
}

/**
 * left·right as a learner's loops compute it when the shapes do not fit:
 * out[i][j] = Σ_p left[i][p]·right[p][j] over p < left's columns ('left') or
 * p < right's rows ('right'). As in JavaScript, reading a missing row throws a
 * TypeError and a missing entry is undefined, so its product is NaN.
 */
export function looseMatmul(left: number[][], right: number[][], inner: 'left' | 'right'): number[][] {
  const k = inner === 'left' ? left[0].length : right.length;
  const m = right[0].length;
  return left.map((row) =>
    Array.from({ length: m }, (_, j) => {
      let sum = 0;
      for (let p = 0; p < k; p++) {
        const rightRow = right[p];
        if (rightRow === undefined) throw new TypeError(`Cannot read properties of undefined (reading '${j}')`);
        sum += (row[p] ?? NaN) * (rightRow[j] ?? NaN);
      }
      return sum;
    }),
  );
}

/** base + s·delta over base's shape, as `base.map((row, i) => row.map((w, j) => w + s * delta[i][j]))` behaves in JavaScript. */
export function looseAddScaled(base: number[][], delta: number[][], s: number): number[][] {
  return base.map((row, i) => {
    const deltaRow = delta[i];
    if (deltaRow === undefined) throw new TypeError('Cannot read properties of undefined (reading \'0\')');
    return row.map((w, j) => w + s * (deltaRow[j] ?? NaN));
  });
}

/**
 * The outputs of the computations that do not throw: the ways a learner's code
 * may go wrong on shapes that do not fit. Throws when every one of them throws
 * (the learner's code throws too, and grading reports an error, not a wrong answer).
 */
export function whicheverRun<T>(...computations: (() => T)[]): T[] {
  const outcomes: T[] = [];
  for (const compute of computations) {
    try {
      outcomes.push(compute());
    } catch {
      // this way of writing it throws on these shapes
    }
  }
  if (outcomes.length === 0) throw new TypeError('not applicable: every variant throws on these shapes, as the learner\'s code would');
  return outcomes;
}

/** {@link whicheverRun} over both loop styles of {@link looseMatmul}. */
export function eachLoopStyle<T>(compute: (inner: 'left' | 'right') => T): T[] {
  return whicheverRun(
    () => compute('left'),
    () => compute('right'),
  );
}

/** The lessons' worked example: 2 tokens, in = 3, out = 2, rank r = 2, α = 4 (so α/r = 2). */
export const lessonExample = {
  x: [
    [1, 2, 0],
    [0, 1, -1],
  ],
  w0: [
    [1, 0],
    [0, 1],
    [1, 1],
  ],
  a: [
    [1, 0],
    [0, 1],
    [1, -1],
  ],
  b: [
    [1, 2],
    [0, -1],
  ],
  alpha: 4,
};
