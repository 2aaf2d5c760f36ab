// Plain float64 building blocks for the wrong variants of the attention exercises
// that go beyond one matrix of scores: masks given as data, heads, caches and
// streams of key/value blocks. Written the way a learner would write them.
import { scores, softmaxRow } from './attention-math.js';

/**
 * What a row whose keys are all masked becomes, depending on how the mask was written:
 * - `zeros`: a guard, or a loop over the visible keys only (the convention here);
 * - `nan`: −Infinity scores and no guard, so exp(−∞ − (−∞)) or 0/0 gives NaN;
 * - `mean`: masked scores replaced by a large finite negative (−1e9, GPT-2's −1e10): uniform weights, the mean of v;
 * - `unmasked`: a large finite negative added to the scores (BERT's −10000): they all shift equally, so the row is unmasked attention.
 */
export type EmptyRow = 'zeros' | 'nan' | 'mean' | 'unmasked';
export const allEmptyRows: EmptyRow[] = ['zeros', 'nan', 'mean', 'unmasked'];

/** Which keys query i may see, given n queries and m keys. */
export type Visibility = (i: number, j: number, n: number, m: number) => boolean;
export const everyKey: Visibility = () => true;
/** Query i is at position m − n + i and sees keys up to it (the convention here). */
export const causalBottomRight: Visibility = (i, j, n, m) => j <= m - n + i;
/** Query i sees keys j <= i, as if the queries were the first n positions. */
export const causalTopLeft: Visibility = (i, j) => j <= i;

export interface AttendOptions {
  /** Multiplies q·kᵀ; default 1/√d with d = q[0].length. */
  scale?: number;
  /** Softmax without subtracting the max. */
  naive?: boolean;
  /** What a row with no visible key becomes; default `zeros`. */
  emptyRow?: EmptyRow;
}

/**
 * Softmax over the keys each query sees (masked keys weighted exactly 0), times v.
 * q [n, d], k [m, d], v [m, dv]; returns [n, dv].
 */
export function attend(q: number[][], k: number[][], v: number[][], sees: Visibility, opts: AttendOptions = {}): number[][] {
  const n = q.length;
  const m = k.length;
  const dv = v[0].length;
  const s = scores(q, k, opts.scale ?? 1 / Math.sqrt(q[0].length));
  return s.map((row, i) => {
    const visible = row.map((_, j) => sees(i, j, n, m));
    let weights: number[];
    if (!visible.some(Boolean)) {
      const emptyRow = opts.emptyRow ?? 'zeros';
      if (emptyRow === 'zeros') return new Array<number>(dv).fill(0);
      if (emptyRow === 'nan') return new Array<number>(dv).fill(NaN);
      weights = emptyRow === 'mean' ? row.map(() => 1 / m) : softmaxRow(row, opts.naive);
    } else {
      const p = softmaxRow(row.filter((_, j) => visible[j]), opts.naive);
      let next = 0;
      weights = visible.map((seen) => (seen ? p[next++] : 0));
    }
    const out = new Array<number>(dv).fill(0);
    weights.forEach((w, j) => {
      if (w !== 0) for (let c = 0; c < dv; c++) out[c] += w * v[j][c];
    });
    return out;
  });
}

/** The same attention once for each way a learner may have handled rows with no visible key. */
export function attendEachEmptyRow(q: number[][], k: number[][], v: number[][], sees: Visibility, emptyRows: EmptyRow[], opts: Omit<AttendOptions, 'emptyRow'> = {}): number[][][] {
  return emptyRows.map((emptyRow) => attend(q, k, v, sees, { ...opts, emptyRow }));
}

/**
 * How the columns of a [T, C] projection are dealt out to H heads of width D = C / H:
 * - `contiguous`: head h is columns h·D … h·D + D − 1 (GPT-2, nanoGPT, LLaMA: view [T, H, D], then transpose);
 * - `interleaved`: head h is columns h, h + H, h + 2H, … (view [T, D, H] and take the last index);
 * - `no-transpose`: the [T, C] numbers read in order as [H, T, D] (a reshape without the transpose).
 */
export type HeadLayout = 'contiguous' | 'interleaved' | 'no-transpose';

/** Splits a [T, C] matrix into H heads of [T, C / H]. */
export function splitHeads(x: number[][], numHeads: number, layout: HeadLayout): number[][][] {
  const T = x.length;
  const C = x[0].length;
  const D = C / numHeads;
  const flat = x.flat();
  return Array.from({ length: numHeads }, (_, h) =>
    Array.from({ length: T }, (_, t) =>
      Array.from({ length: D }, (_, d) => {
        if (layout === 'contiguous') return x[t][h * D + d];
        if (layout === 'interleaved') return x[t][d * numHeads + h];
        return flat[h * T * D + t * D + d];
      }),
    ),
  );
}

/** Puts H heads of [T, D] back into one [T, H·D] matrix: the inverse of {@link splitHeads} for the same layout. */
export function mergeHeads(heads: number[][][], layout: HeadLayout): number[][] {
  const H = heads.length;
  const T = heads[0].length;
  const D = heads[0][0].length;
  const out = Array.from({ length: T }, () => new Array<number>(H * D).fill(0));
  heads.forEach((head, h) =>
    head.forEach((row, t) =>
      row.forEach((value, d) => {
        if (layout === 'contiguous') out[t][h * D + d] = value;
        else if (layout === 'interleaved') out[t][d * H + h] = value;
        else {
          const flat = h * T * D + t * D + d;
          out[Math.floor(flat / (H * D))][flat % (H * D)] = value;
        }
      }),
    ),
  );
  return out;
}

/** The dot product of two vectors of equal length. */
export function dot(a: number[], b: number[]): number {
  let sum = 0;
  for (let c = 0; c < a.length; c++) sum += a[c] * b[c];
  return sum;
}
