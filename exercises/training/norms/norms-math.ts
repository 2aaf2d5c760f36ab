import { randomMatrix, randomVector, type Rng, type Tf } from 'llm-tutor/pack';

// Plain float64 pieces shared by the norms exercises' wrong variants and
// properties, written the way a learner would, and the lessons' worked example.

/** How a row is normalised: LayerNorm centres it, RMSNorm does not; the two mistakes of the lessons are switches. */
export interface RowNorm {
  centre: boolean;
  /** Divide the sum of squares by N − 1 (the unbiased variance) instead of N. */
  unbiased?: boolean;
  /** √(mean square) + ε instead of √(mean square + ε). */
  epsOutside?: boolean;
}

/** One row divided by its root mean square (about its mean when `centre`), ε as `how` places it. */
export function normaliseRow(row: number[], eps: number, how: RowNorm): number[] {
  const mu = how.centre ? row.reduce((a, v) => a + v, 0) / row.length : 0;
  const deviations = row.map((v) => v - mu);
  const squares = deviations.reduce((a, v) => a + v * v, 0);
  const meanSquare = squares / (how.unbiased ? row.length - 1 : row.length);
  const scale = how.epsOutside ? Math.sqrt(meanSquare) + eps : Math.sqrt(meanSquare + eps);
  return deviations.map((v) => v / scale);
}

/** Every row of x normalised on its own. */
export function normaliseRows(x: number[][], eps: number, how: RowNorm): number[][] {
  return x.map((row) => normaliseRow(row, eps, how));
}

/** n[t][c]·gain[c] + shift[c]: the learned per-feature scale and offset (no shift when absent). */
export function scaleShift(n: number[][], gain: number[], shift?: number[]): number[][] {
  return n.map((row) => row.map((v, c) => v * gain[c] + (shift ? shift[c] : 0)));
}

/**
 * Each row of x divided by its root mean square in tfjs, step by step (the
 * steps a trace shows), before the gain: with `centre` the mean is
 * subtracted first (LayerNorm), without it not (RMSNorm).
 */
export function normaliseSteps(tf: Tf, x: number[][], eps: number, centre: boolean) {
  const t = tf.tensor2d(x);
  const rows = x.length;
  const mean = tf.mean(t, 1, true);
  const centred = centre ? tf.sub(t, mean) : t;
  const meanSquare = tf.mean(tf.square(centred), 1, true);
  const rstd = tf.rsqrt(tf.add(meanSquare, eps));
  const normalised = tf.mul(centred, rstd);
  const flat = (v: typeof mean) => tf.reshape(v, [rows]);
  return { mean: flat(mean), meanSquare: flat(meanSquare), rstd: flat(rstd), normalised };
}

/** A random [rows, cols] input, its rows with means away from 0 (so centring matters), and a gain near 1. */
export function randomRows(rng: Rng, rows: number, cols: number): number[][] {
  return randomMatrix(rng, rows, cols).map((row) => {
    const offset = rng.normal(0, 1);
    return row.map((v) => Number((v + offset).toFixed(4)));
  });
}

/** A gain (γ or g) of `n` entries near 1, none of them 1 exactly. */
export function randomGain(rng: Rng, n: number): number[] {
  return randomVector(rng, n, 0.3).map((v) => Number((1 + v + (v === 0 ? 0.1 : 0)).toFixed(4)));
}

/**
 * The lessons' worked example: an ordinary token [1, 2, 3, 6] and a token
 * whose entries are all within 0.002 of each other, where ε matters.
 */
export const lessonRows = {
  layerNorm: [
    [1, 2, 3, 6],
    [0.002, 0.004, 0.001, 0.001],
  ],
  rmsNorm: [
    [1, 2, 3, 6],
    [0.001, -0.002, 0.002, 0.001],
  ],
  gain: [1, 2, 1, 0.5],
  shift: [0, 0, 1, -1],
  eps: 1e-5,
};
