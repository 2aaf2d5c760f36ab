// Shared pieces of the parallel track's definitions (data and tensor
// parallelism): matrices cut into ranks' blocks and put back together in
// float64, the tanh GELU, numbers as messages print them, and the shape
// checks of a learner's outputs in "Check yourself".
import type { Tf } from 'llm-tutor/pack';
import { close, show } from '../../transformer-core/properties.js';

export { close, isMatrix, isVector, show, showList } from '../../transformer-core/properties.js';

/** Where two matrices first differ beyond the tolerance, in words, or their shapes when those differ; undefined when they agree. */
export function matrixDifference(first: number[][], second: number[][]): string | undefined {
  const shape = (m: number[][]) => `[${m.length}, ${m[0]?.length ?? 0}]`;
  if (first.length !== second.length || first.some((row, i) => row.length !== second[i].length)) return `the shapes differ: ${shape(first)} and ${shape(second)}`;
  for (let i = 0; i < first.length; i++) {
    const j = first[i].findIndex((x, k) => !close(x, second[i][k]));
    if (j >= 0) return `[${i}][${j}] is ${show(first[i][j])} in the first and ${show(second[i][j])} in the second`;
  }
  return undefined;
}

/** The matrix product p·q in float64. */
export function mm(p: number[][], q: number[][]): number[][] {
  return p.map((row) => Array.from({ length: q[0]?.length ?? 0 }, (_, j) => row.reduce((s, v, k) => s + v * q[k][j], 0)));
}

/** The entrywise sum of matrices of one shape. */
export function addAll(ms: number[][][]): number[][] {
  return ms[0].map((row, i) => row.map((_, j) => ms.reduce((s, m) => s + m[i][j], 0)));
}

/** `b` added to every row of m. */
export function addRow(m: number[][], b: number[]): number[][] {
  return m.map((row) => row.map((v, j) => v + b[j]));
}

/** Matrices of one height side by side (an all-gather along the last axis). */
export function concatColumns(ms: number[][][]): number[][] {
  return ms[0].map((_, i) => ms.flatMap((m) => m[i]));
}

/** Columns [from, to) of m. */
export function columns(m: number[][], from: number, to: number): number[][] {
  return m.map((row) => row.slice(from, to));
}

/** The widths of `width` cut into `ranks` equal blocks; throws `not applicable` when it does not divide. */
export function equalWidths(width: number, ranks: number): number[] {
  if (!Number.isInteger(ranks) || ranks < 1 || width % ranks !== 0) throw new Error(`not applicable: ${width} does not split into ${ranks} equal blocks`);
  return new Array<number>(ranks).fill(width / ranks);
}

/** m cut into contiguous column blocks of the given widths, block r first to last. */
export function columnBlocks(m: number[][], widths: number[]): number[][][] {
  let at = 0;
  return widths.map((w) => columns(m, at, (at += w)));
}

/** m cut into contiguous row blocks of the given heights. */
export function rowBlocks(m: number[][], heights: number[]): number[][][] {
  let at = 0;
  return heights.map((h) => m.slice(at, (at += h)).map((row) => [...row]));
}

/** GPT-2's GELU (tanh form): 0.5·z·(1 + tanh(√(2/π)·(z + 0.044715·z³))). */
export function geluTanh(z: number): number {
  return 0.5 * z * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (z + 0.044715 * z ** 3)));
}

/** The tanh GELU of a tensor, with tfjs. */
export function tfGelu(tf: Tf, z: ReturnType<Tf['matMul']>) {
  const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(z, tf.mul(0.044715, tf.pow(z, 3))));
  return tf.mul(tf.mul(0.5, z), tf.add(1, tf.tanh(inner)));
}
