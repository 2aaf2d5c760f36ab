import { describe, expect, test } from 'vitest';
import { multiHeadAttention } from '../../exercises/transformer-core/attention/multi-head/solution.js';
import { matmul } from '../../src/pack-api.js';
import { diagnoseEachMisconception, gradeLearnerSource, reference, solutionWith, wrong } from '../helpers/exercises.js';
import { expectClose, mm } from '../helpers/matrices.js';
import { seededMatrix } from './attention-helpers.js';
import { expectPropertyBroken, expectSolutionHolds, propertyResults } from '../helpers/properties.js';

const id = 'attention/multi-head';
const oneHead = 'with one head, it is causal attention of x·Wq, x·Wk, x·Wv, times Wo';
const causal = 'changing the last token leaves the earlier outputs unchanged';

const identity = (n: number) => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));

// The lesson's worked example: wq = wk = wv = I, and wo swaps the two heads' halves.
const x = [
  [2, 0, 0, 2],
  [0, 2, 2, 0],
  [2, 2, 0, 0],
];
const lessonW = {
  wq: identity(4),
  wk: identity(4),
  wv: identity(4),
  wo: [
    [0, 0, 1, 0],
    [0, 0, 0, 1],
    [1, 0, 0, 0],
    [0, 1, 0, 0],
  ],
};

function randomWeights(seed: number, C: number) {
  return { wq: seededMatrix(seed, C, C), wk: seededMatrix(seed + 1, C, C), wv: seededMatrix(seed + 2, C, C), wo: seededMatrix(seed + 3, C, C) };
}

/** Columns [from, to) of a matrix. */
const columns = (m: number[][], from: number, to: number) => m.map((row) => row.slice(from, to));

describe(id, () => {
  test('reference matches the lesson worked example', async () => {
    expectClose(await reference(id, x, lessonW, 2), [
      [0, 2, 2, 0],
      [1.888386, 0.111614, 0.111614, 1.888386],
      [0.666667, 0.666667, 1.894285, 1.894285],
    ]);
  });

  test('reference = each contiguous column block through attention/causal-mask, concatenated in order, then ·wo', async () => {
    const T = 5;
    const C = 12;
    const H = 3;
    const D = C / H;
    const xx = seededMatrix(11, T, C);
    const w = randomWeights(20, C);
    const [Q, K, V] = [w.wq, w.wk, w.wv].map((wx) => matmul(xx, wx));
    const heads: number[][][] = [];
    for (let h = 0; h < H; h++) {
      heads.push((await reference('attention/causal-mask', columns(Q, h * D, (h + 1) * D), columns(K, h * D, (h + 1) * D), columns(V, h * D, (h + 1) * D))) as number[][]);
    }
    const merged = Array.from({ length: T }, (_, t) => heads.flatMap((head) => head[t]));
    expectClose(await reference(id, xx, w, H), matmul(merged, w.wo), 4);
  });

  test('with one head it is causal self-attention of the projections, then ·wo', async () => {
    const xx = seededMatrix(3, 4, 6);
    const w = randomWeights(30, 6);
    const single = (await reference('attention/causal-mask', matmul(xx, w.wq), matmul(xx, w.wk), matmul(xx, w.wv))) as number[][];
    expectClose(await reference(id, xx, w, 1), matmul(single, w.wo), 4);
  });

  test('the model solution agrees with the reference', async () => {
    const xx = seededMatrix(5, 6, 8);
    const w = randomWeights(40, 8);
    expectClose(multiHeadAttention(xx, w, 4), await reference(id, xx, w, 4), 4);
  });

  test('interleaved heads agree with the reference only when T = 1 or numHeads = 1', async () => {
    const w = randomWeights(50, 8);
    const oneToken = seededMatrix(6, 1, 8);
    expectClose(await wrong(id, 'heads-interleaved', oneToken, w, 4), await reference(id, oneToken, w, 4), 4);
    const tokens = seededMatrix(7, 4, 8);
    expectClose(await wrong(id, 'heads-interleaved', tokens, w, 1), await reference(id, tokens, w, 1), 4);
    const interleaved = (await wrong(id, 'heads-interleaved', tokens, w, 4)) as number[][];
    const expected = (await reference(id, tokens, w, 4)) as number[][];
    const worst = Math.max(...interleaved.flatMap((row, i) => row.map((value, j) => Math.abs(value - expected[i][j]))));
    expect(worst).toBeGreaterThan(1e-3);
  });

  test('the lesson example as the mistakes compute it: √d_model flattens row 1, interleaving changes row 2, no wo gives the concatenation', async () => {
    const byDModel = (await wrong(id, 'scale-by-d-model', x, lessonW, 2)) as number[][];
    expectClose(byDModel[1], [1.761594, 0.238406, 0.238406, 1.761594]);
    const interleaved = (await wrong(id, 'heads-interleaved', x, lessonW, 2)) as number[][];
    expectClose(interleaved[2], [0.057409, 0.057409, 1.942591, 1.942591]);
    expectClose(await wrong(id, 'output-projection-missing', x, lessonW, 2), [
      [2, 0, 0, 2],
      [0.111614, 1.888386, 1.888386, 0.111614],
      [1.894285, 1.894285, 0.666667, 0.666667],
    ]);
  });

  test('weights applied transposed: silent on the lesson example (its weights are symmetric), shown by wo a cyclic shift', async () => {
    expectClose(await wrong(id, 'weights-transposed', x, lessonW, 2), await reference(id, x, lessonW, 2));
    const concat = [
      [2, 0, 0, 2],
      [0.111614, 1.888386, 1.888386, 0.111614],
      [1.894285, 1.894285, 0.666667, 0.666667],
    ];
    const shift = [
      [0, 1, 0, 0],
      [0, 0, 1, 0],
      [0, 0, 0, 1],
      [1, 0, 0, 0],
    ];
    const shifted = { ...lessonW, wo: shift };
    const shiftTransposed = shift[0].map((_, j) => shift.map((row) => row[j]));
    // ·wo moves concat's columns one place right, ·woᵀ one place left.
    const right = mm(concat, shift);
    const left = mm(concat, shiftTransposed);
    expect(right[0]).toEqual([2, 2, 0, 0]);
    expect(left[0]).toEqual([0, 0, 2, 2]);
    expectClose(await reference(id, x, shifted, 2), right);
    expectClose(await wrong(id, 'weights-transposed', x, shifted, 2), left);
  });

  test('weights applied transposed = the reference given every weight transposed', async () => {
    const xx = seededMatrix(8, 5, 6);
    const w = randomWeights(60, 6);
    const t = (m: number[][]) => m[0].map((_, j) => m.map((row) => row[j]));
    const swapped = { wq: t(w.wq), wk: t(w.wk), wv: t(w.wv), wo: t(w.wo) };
    expectClose(await wrong(id, 'weights-transposed', xx, w, 2), await reference(id, xx, swapped, 2), 4);
  });

  test('grading: a learner whose linear layer is x·Wᵀ, as nn.Linear computes, is diagnosed as weights-transposed', async () => {
    const source = await solutionWith(id, [
      'return a.map((row) => b[0].map((_, j) => row.reduce((acc, x, p) => acc + x * b[p][j], 0)));',
      'return a.map((row) => b.map((bRow) => row.reduce((acc, x, p) => acc + x * bRow[p], 0)));',
    ]);
    const verdict = await gradeLearnerSource(id, { [`${id}.ts`]: source });
    expect(verdict.status).toBe('fail');
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'weights-transposed', confidence: 'full' });
    // Silent on the lesson example itself, whose weights are symmetric; the cyclic shift shows it.
    expect(verdict.cases[0].status).toBe('pass');
    expect(verdict.cases.find((c) => c.name.startsWith('the lesson example with wo a cyclic shift'))?.status).toBe('fail');
  });

  for (const seed of [7, 42, 2024]) {
    test(`every misconception fails the reference and is diagnosed as itself (seed ${seed})`, async () => {
      for (const result of await diagnoseEachMisconception(id, seed)) {
        expect(result.failingCases, result.id).toBeGreaterThan(0);
        expect(result.diagnosed, result.id).toBe(result.id);
      }
    });
  }

  test('check yourself (lesson): one head on the worked example is causal-mask attention of x·I three times, then times wo', async () => {
    const x = [
      [2, 0, 0, 2],
      [0, 2, 2, 0],
      [2, 2, 0, 0],
    ];
    const w = { wq: identity(4), wk: identity(4), wv: identity(4), wo: identity(4) };
    const oneHead = (await reference(id, x, w, 1)) as number[][];
    expectClose(oneHead, (await reference('attention/causal-mask', x, x, x)) as number[][], 5);
    // Token 0 sees only itself, so its output is x[0].
    expectClose(oneHead.slice(0, 1), [[2, 0, 0, 2]], 5);
  });

  test('check yourself: the model solution is one-head causal attention and is causal (seeds 7 and 99)', async () => {
    await expectSolutionHolds(id, { [oneHead]: 2, [causal]: 2 });
  });

  test('check yourself: values taken from x instead of x·Wv break the one-head property only', async () => {
    const verdict = await expectPropertyBroken(id, learner('x', 'i'), oneHead, /^With numHeads = 1, your output and causalAttention\(x·Wq, x·Wk, x·Wv\)·Wo differ \(yours first\): \[\d\]\[\d\] is \S+ in the first and \S+ in the second\. One head of width C/);
    expect(propertyResults(verdict, causal).map((c) => c.status)).toEqual(['pass', 'pass']);
  });

  test('check yourself: heads that see one token ahead break the causal property', async () => {
    await expectPropertyBroken(id, learner('v', 'Math.min(T - 1, i + 1)'), causal, /^Replacing only the last token of x changed the outputs of earlier tokens \(before, then after: \[\d\]\[\d\] is \S+ in the first and \S+ in the second\)\. Every head is causal/);
  });
});

/** A learner's multi-head attention whose values come from `values` (x or v) and whose token i sees tokens 0 … `last`. */
function learner(values: string, last: string): string {
  return `export function multiHeadAttention(x: Matrix, w: { wq: Matrix; wk: Matrix; wv: Matrix; wo: Matrix }, numHeads: number): Matrix {
  const mm = (a: Matrix, b: Matrix) => a.map((row) => b[0].map((_, j) => row.reduce((t, v, p) => t + v * b[p][j], 0)));
  const T = x.length;
  const C = x[0].length;
  const D = C / numHeads;
  const [q, k, v] = [mm(x, w.wq), mm(x, w.wk), mm(x, w.wv)];
  const merged = x.map(() => new Array<number>(C).fill(0));
  for (let h = 0; h < numHeads; h++) {
    const cols = Array.from({ length: D }, (_, c) => h * D + c);
    for (let i = 0; i < T; i++) {
      const seen = Array.from({ length: ${last} + 1 }, (_, j) => j);
      const s = seen.map((j) => cols.reduce((t, c) => t + q[i][c] * k[j][c], 0) / Math.sqrt(D));
      const e = s.map((z) => Math.exp(z - Math.max(...s)));
      const total = e.reduce((a, b) => a + b, 0);
      for (const c of cols) merged[i][c] = seen.reduce((t, j, n) => t + (e[n] / total) * ${values}[j][c], 0);
    }
  }
  return mm(merged, w.wo);
}`;
}

