import { randomMatrix, type Rng } from 'llm-tutor/pack';

// Plain float64 building blocks shared by the attention exercises' wrong variants,
// written the way a learner would, and the inputs of the lessons' worked example.

/** q·kᵀ multiplied by `scale`: scores[i][j] = scale · (q_i · k_j). */
export function scores(q: number[][], k: number[][], scale: number): number[][] {
  return q.map((qi) => k.map((kj) => scale * qi.reduce((acc, x, c) => acc + x * kj[c], 0)));
}

/** Softmax of one row; `naive` skips the max subtraction (and overflows on large scores). */
export function softmaxRow(s: number[], naive = false): number[] {
  const max = naive ? 0 : Math.max(...s);
  const exps = s.map((x) => Math.exp(x - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

/** Weights [n, m] times values [m, dv]. */
export function mix(p: number[][], v: number[][]): number[][] {
  return p.map((row) => v[0].map((_, c) => row.reduce((acc, w, j) => acc + w * v[j][c], 0)));
}

/** The lessons' worked example: n = 2 queries, m = 3 keys, d = 4, dv = 2. */
export const lessonExample: [q: number[][], k: number[][], v: number[][]] = [
  [
    [1, 0, 1, 0],
    [0, 2, 0, 2],
  ],
  [
    [1, 1, 0, 0],
    [0, 0, 2, 0],
    [1, 0, 1, 2],
  ],
  [
    [1, 0],
    [0, 1],
    [1, 1],
  ],
];

/** Queries of the "large scores" cases: rows of ±32, so that q·k/√4 lands near ±1000 with the keys each exercise picks. */
export const largeScoreQ = [
  [32, 32, 32, 32],
  [-32, -32, -32, -32],
];

/** Values of the "large scores" cases. */
export const largeScoreV = [
  [1, 0, 2],
  [0, 1, -1],
  [0.5, 0.5, 0],
];

/** Random q [n, d], k [m, d] and v [m, dv] from the seeded generator. */
export function randomQKV(rng: Rng, n: number, m: number, d: number, dv: number): [q: number[][], k: number[][], v: number[][]] {
  return [randomMatrix(rng, n, d), randomMatrix(rng, m, d), randomMatrix(rng, m, dv)];
}

/** The shape part of a case name: `n=2, m=5, d=4, dv=3`. */
export function shapeLabel(n: number, m: number, d: number, dv: number): string {
  return `n=${n}, m=${m}, d=${d}, dv=${dv}`;
}
