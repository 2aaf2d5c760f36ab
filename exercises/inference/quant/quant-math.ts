// Shared pieces of the quant track's definitions: rounding half to even (as
// torch.round), the absmax, zero-point and per-channel schemes, the int8
// matmul, the error of a scheme, and random inputs kept away from exact ties,
// all in float64 plain TypeScript.

import { randomMatrix, randomVector, type Rng } from 'llm-tutor/pack';

/** v rounded to the nearest integer, an exact .5 to the even one (torch.round, numpy.round); never −0. */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  const even = r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
  return even + 0;
}

/** JavaScript's Math.round (an exact .5 goes up, towards +∞), never −0: the rounding of a misconception. */
export const roundHalfUp = (v: number): number => Math.round(v) + 0;

/** Whether v is within 1e-6 of a half-integer: a random input there would make the order of the operations matter. */
export const nearHalf = (v: number): boolean => Math.abs(v - Math.floor(v) - 0.5) < 1e-6;

export const maxAbs = (xs: readonly number[]): number => xs.reduce((m, x) => Math.max(m, Math.abs(x)), 0);

export interface Absmax {
  q: number[];
  scale: number;
}

/** Symmetric absmax quantisation of a vector: q = round(levels·x/max|x|), scale = max|x|/levels; all zeros give q 0 and scale 0. */
export function absmaxSteps(x: readonly number[], { levels = 127, round = roundHalfEven, max = maxAbs } = {}) {
  const absmax = max(x);
  const scaled = x.map((v) => (absmax === 0 ? 0 : (levels * v) / absmax));
  const q = scaled.map(round);
  return { steps: { m: absmax, '127·x/m': scaled, q }, output: { q, scale: absmax / levels } as Absmax };
}

export interface Asymmetric {
  q: number[];
  scale: number;
  zeroPoint: number;
}

/** torch.finfo(torch.float32).eps, the floor of MinMaxObserver's scale. */
export const float32Eps = 2 ** -23;

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/**
 * Asymmetric (affine) quantisation as torch's MinMaxObserver computes its
 * parameters for quint8-style ranges, qmin 0 and qmax 2^bits − 1, then
 * torch.quantize_per_tensor: the options switch on a misconception.
 */
export function asymmetricSteps(x: readonly number[], bits: number, { includeZero = true, clampZeroPoint = true, round = roundHalfEven } = {}) {
  const qmin = 0;
  const qmax = 2 ** bits - 1;
  const min = includeZero ? Math.min(0, ...x) : Math.min(...x);
  const max = includeZero ? Math.max(0, ...x) : Math.max(...x);
  const scale = Math.max((max - min) / (qmax - qmin), float32Eps);
  const unclamped = qmin - round(min / scale);
  const zeroPoint = clampZeroPoint ? clamp(unclamped, qmin, qmax) : unclamped;
  const q = x.map((v) => clamp(round(v / scale) + zeroPoint, qmin, qmax));
  return { steps: { qmin, qmax, min, max, scale, zeroPoint, q }, output: { q, scale, zeroPoint } as Asymmetric };
}

export interface PerChannel {
  q: number[][];
  scales: number[];
}

/** The columns of a matrix [in, out] as lists. */
export const columns = (w: readonly number[][]): number[][] => (w[0] ?? []).map((_, j) => w.map((row) => row[j]));

/** Symmetric int8 with one scale per output channel: column j of w [in, out] by its own absmax. */
export function perChannelSteps(w: readonly number[][]) {
  const perColumn = columns(w).map((col) => absmaxSteps(col).output);
  const q = w.map((row, i) => row.map((_, j) => perColumn[j].q[i]));
  const scales = perColumn.map((c) => c.scale);
  return { steps: { m: columns(w).map(maxAbs), scales, q }, output: { q, scales } as PerChannel };
}

/** The integer product xq·wq [T, N], accumulated exactly (every partial sum is an integer far below 2^53). */
export function integerMatmul(xq: readonly number[][], wq: readonly number[][]): number[][] {
  return xq.map((row) => (wq[0] ?? []).map((_, j) => row.reduce((acc, v, k) => acc + v * wq[k][j], 0)));
}

/** The int8 matmul: integer accumulation, then every column j times xScale·wScales[j]. */
export function int8MatmulSteps(xq: readonly number[][], xScale: number, wq: readonly number[][], wScales: readonly number[]) {
  const accumulated = integerMatmul(xq, wq);
  const outputScales = wScales.map((s) => xScale * s);
  const output = accumulated.map((row) => row.map((acc, j) => acc * outputScales[j]));
  return { steps: { acc: accumulated, 'xScale·wScales': outputScales }, output };
}

/** The largest and the mean absolute difference between two lists of numbers (flattened matrices). */
export function errorOf(original: readonly number[], dequantised: readonly number[]): { max: number; mean: number } {
  const diffs = original.map((v, i) => Math.abs(v - dequantised[i]));
  return { max: Math.max(0, ...diffs), mean: diffs.reduce((a, b) => a + b, 0) / Math.max(1, diffs.length) };
}

/** A random vector whose quantised values `scaled(x)` are all at least 1e-6 from a half-integer (tried again until so). */
export function awayFromTies(rng: Rng, make: (rng: Rng) => number[], scaled: (x: number[]) => number[]): number[] {
  for (;;) {
    const x = make(rng);
    if (!scaled(x).some(nearHalf)) return x;
  }
}

/** A random vector for absmax: no 127·x/max|x| within 1e-6 of a half-integer. */
export const absmaxInput = (rng: Rng, n: number, std: number): number[] =>
  awayFromTies(rng, (r) => randomVector(r, n, std), (x) => absmaxSteps(x).steps['127·x/m']);

/** A random matrix [rows, cols] for per-channel: no 127·w/max|column| within 1e-6 of a half-integer. */
export function perChannelInput(rng: Rng, rows: number, cols: number, std: number): number[][] {
  for (;;) {
    const w = randomMatrix(rng, rows, cols, std);
    if (!columns(w).some((col) => absmaxSteps(col).steps['127·x/m'].some(nearHalf))) return w;
  }
}

/** A random vector for zero-point quantisation at `bits`: no min/scale or x/scale within 1e-6 of a half-integer. */
export function asymmetricInput(rng: Rng, make: (rng: Rng) => number[], bits: number): number[] {
  return awayFromTies(rng, make, (x) => {
    const { min, scale } = asymmetricSteps(x, bits).steps;
    return [min / scale, ...x.map((v) => v / scale)];
  });
}
