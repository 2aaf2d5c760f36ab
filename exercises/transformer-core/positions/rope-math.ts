// Building blocks shared by the position exercises: frequencies and rotations in
// float64, written the way a learner would (for the wrong variants), the tfjs
// rotations the references use, and the lessons' worked example.
import type { Rng, Tf } from 'llm-tutor/pack';
import { anyOf, randomMatrix } from 'llm-tutor/pack';

type Tensor2D = ReturnType<Tf['tensor2d']>;

/**
 * The d/2 rotation frequencies θ_i = base^(−step·i/d), i = 0 … d/2 − 1, in float64.
 * `step` is 2 in RoPE and in the sinusoidal encoding; 1 is the "exponent i/d" mistake,
 * and −2 the mistake of multiplying the position by base^(2i/d) instead of dividing.
 */
export function frequencies(d: number, base: number, step = 2): number[] {
  return Array.from({ length: d / 2 }, (_, i) => base ** ((-step * i) / d));
}

/**
 * The angle table [positions.length, freqs.length]: p·θ_i, reduced to [−π, π]
 * in float64. float32 cannot hold p·θ_i precisely once p is large (at p = 4096
 * its spacing is 5e-4), so the references reduce the angle here and leave only
 * sin and cos of a small angle to tfjs.
 */
export function angleTable(positions: readonly number[], freqs: readonly number[]): number[][] {
  const twoPi = 2 * Math.PI;
  return positions.map((p) =>
    freqs.map((theta) => {
      const a = p * theta;
      return a - twoPi * Math.round(a / twoPi);
    }),
  );
}

/**
 * What a RoPE computes before it rotates, in float64, for a trace: the
 * frequencies θ_i, the angles positions[r]·θ_i [T, d/2] (not reduced), and
 * their cosines and sines.
 */
export function ropeTrace(x: readonly number[][], positions: readonly number[], base: number) {
  const freqs = frequencies(x[0].length, base);
  const angles = positions.map((p) => freqs.map((theta) => p * theta));
  const reduced = angleTable(positions, freqs);
  return { frequencies: freqs, angles, cos: reduced.map((row) => row.map(Math.cos)), sin: reduced.map((row) => row.map(Math.sin)) };
}

/** How a RoPE pairs the dimensions of a vector: neighbours (2i, 2i+1), or halves (i, i + d/2). */
export type Layout = 'neighbours' | 'halves';

/** The two dimensions pair i rotates, in a vector of width d. */
export function pairOf(layout: Layout, i: number, d: number): [number, number] {
  return layout === 'neighbours' ? [2 * i, 2 * i + 1] : [i, i + d / 2];
}

/**
 * How a pair is written back: both members from the old values (right), or one
 * member overwritten first and the other computed from its new value (the
 * in-place mistake), the first member of the pair first or the second.
 */
export type Overwrite = 'none' | 'first-member-first' | 'second-member-first';

/**
 * Rotates row r of x by positions[r]·θ_i in each pair i, in float64:
 * (x, y) → (x cos − y sin, x sin + y cos). `sign` −1 rotates the other way.
 */
export function rotateRows(x: number[][], positions: readonly number[], freqs: readonly number[], layout: Layout, sign = 1, overwrite: Overwrite = 'none'): number[][] {
  return x.map((row, r) => {
    const d = row.length;
    const out = [...row];
    freqs.forEach((theta, i) => {
      const [a, b] = pairOf(layout, i, d);
      const angle = sign * positions[r] * theta;
      const cos = Math.cos(angle);
      const sin = Math.sin(angle);
      const [x0, y0] = [row[a], row[b]];
      if (overwrite === 'second-member-first') {
        out[b] = x0 * sin + y0 * cos;
        out[a] = x0 * cos - out[b] * sin;
        return;
      }
      out[a] = x0 * cos - y0 * sin;
      out[b] = (overwrite === 'first-member-first' ? out[a] : x0) * sin + y0 * cos;
    });
    return out;
  });
}

/**
 * The in-place mistake in float64: each pair written back one member at a
 * time, the second computed from the first's new value. Either member may be
 * written first, so it returns both outputs [T, d] as alternatives (anyOf).
 */
export function overwrittenPairs(x: number[][], positions: readonly number[], base: number, layout: Layout) {
  const freqs = frequencies(x[0].length, base);
  return anyOf(rotateRows(x, positions, freqs, layout, 1, 'first-member-first'), rotateRows(x, positions, freqs, layout, 1, 'second-member-first'));
}

/** The dot product of two vectors, in float64. */
export function dot(a: readonly number[], b: readonly number[]): number {
  return a.reduce((acc, x, i) => acc + x * b[i], 0);
}

/**
 * tfjs: rotates x [T, d] with neighbour pairs (2i, 2i+1), as RoFormer and Meta's
 * LLaMA do, by the angle table [T, d/2].
 */
export function rotateNeighboursTf(tf: Tf, x: number[][], angles: number[][]): Tensor2D {
  const [t, d] = [x.length, x[0].length];
  // [T, d] → [T, d/2, 2]: the last axis holds the two members of each pair.
  const [even, odd] = tf.unstack(tf.reshape(tf.tensor2d(x), [t, d / 2, 2]), 2);
  const angle = tf.tensor2d(angles, [t, d / 2]);
  const cos = tf.cos(angle);
  const sin = tf.sin(angle);
  const first = tf.sub(tf.mul(even, cos), tf.mul(odd, sin));
  const second = tf.add(tf.mul(even, sin), tf.mul(odd, cos));
  return tf.reshape(tf.stack([first, second], 2), [t, d]);
}

/**
 * tfjs: rotates x [T, d] with pairs (i, i + d/2), the way GPT-NeoX and Hugging
 * Face LLaMA write it: x·cos + rotate_half(x)·sin, with rotate_half(x) = [−x2, x1]
 * and cos, sin repeated over both halves.
 */
export function rotateHalvesTf(tf: Tf, x: number[][], angles: number[][]): Tensor2D {
  const [t, d] = [x.length, x[0].length];
  const xt = tf.tensor2d(x);
  const [x1, x2] = tf.split(xt, 2, 1);
  const angle = tf.tensor2d(angles, [t, d / 2]);
  const cos = tf.concat([tf.cos(angle), tf.cos(angle)], 1);
  const sin = tf.concat([tf.sin(angle), tf.sin(angle)], 1);
  return tf.add(tf.mul(xt, cos), tf.mul(tf.concat([tf.neg(x2), x1], 1), sin));
}

/**
 * The permutation that takes a vector from the neighbour layout to the halves
 * layout: the even dimensions, then the odd ones. For d = 8: [0, 2, 4, 6, 1, 3, 5, 7].
 */
export function neighboursToHalves(d: number): number[] {
  return [...Array.from({ length: d / 2 }, (_, i) => 2 * i), ...Array.from({ length: d / 2 }, (_, i) => 2 * i + 1)];
}

type RopeArgs = [x: number[][], positions: number[], base: number];

/** The lessons' worked example: three copies of [1, 2, 3, 4] at positions 0, 1, 2, base 10000 (θ = [1, 0.01]). */
export const lessonExample: RopeArgs = [
  [
    [1, 2, 3, 4],
    [1, 2, 3, 4],
    [1, 2, 3, 4],
  ],
  [0, 1, 2],
  10000,
];

/**
 * The cases of the two RoPE layouts (positions/rope and positions/rope-half-split):
 * the lesson example, random heads, positions that do not start at 0 or are out
 * of order, long-context positions, other bases, one pair, one token.
 */
export function ropeCases(rng: Rng): { name: string; args: RopeArgs }[] {
  const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);
  const cases: { name: string; args: RopeArgs }[] = [{ name: 'the lesson example (three copies of [1, 2, 3, 4] at positions 0, 1, 2)', args: lessonExample }];
  cases.push({ name: 'random, positions 0 … 3 (T=4, d=8)', args: [randomMatrix(rng, 4, 8), range(0, 4), 10000] });
  {
    const d = 2 * rng.int(3, 8);
    const t = rng.int(3, 6);
    cases.push({ name: `random size, positions 0 … ${t - 1} (T=${t}, d=${d})`, args: [randomMatrix(rng, t, d), range(0, t), 10000] });
  }
  {
    // A decoding step with a KV cache: the new tokens sit after the cached ones.
    const start = rng.int(10, 40);
    cases.push({ name: `positions that start at ${start}, as after a KV cache (T=3, d=8)`, args: [randomMatrix(rng, 3, 8), range(start, 3), 10000] });
  }
  {
    const positions = [rng.int(20, 30), 0, rng.int(5, 15), rng.int(1, 4)];
    cases.push({ name: `positions out of order [${positions.join(', ')}] (T=4, d=6)`, args: [randomMatrix(rng, 4, 6), positions, 10000] });
  }
  cases.push({ name: 'a wide head (T=3, d=64)', args: [randomMatrix(rng, 3, 64), range(rng.int(0, 20), 3), 10000] });
  cases.push({ name: 'base 500000, as in LLaMA 3 (T=3, d=16)', args: [randomMatrix(rng, 3, 16), range(rng.int(0, 50), 3), 500000] });
  {
    const base = rng.pick([10, 100, 1000]);
    cases.push({ name: `a small base (${base}) (T=3, d=8)`, args: [randomMatrix(rng, 3, 8), range(rng.int(1, 9), 3), base] });
  }
  cases.push({ name: 'long-context positions [4095, 8191, 100000] (d=8)', args: [randomMatrix(rng, 3, 8), [4095, 8191, 100000], 10000] });
  cases.push({ name: 'one pair (d=2)', args: [randomMatrix(rng, 3, 2), [0, 1, 2], 10000] });
  cases.push({ name: 'one token at position 0 (nothing rotates)', args: [randomMatrix(rng, 1, 8), [0], 10000] });
  cases.push({ name: 'one token at position 7 (d=8)', args: [randomMatrix(rng, 1, 8), [7], 10000] });
  return cases;
}

/** tfjs: θ_i = base^(−2i/d) for i = 0 … d/2 − 1, a [d/2] tensor. */
export function ropeFrequenciesTf(tf: Tf, d: number, base: number): ReturnType<Tf['pow']> {
  // range(0, d, 2) is 2i for each pair: the index of the pair's first dimension.
  return tf.pow(tf.scalar(base), tf.mul(tf.range(0, d, 2), -1 / d));
}
