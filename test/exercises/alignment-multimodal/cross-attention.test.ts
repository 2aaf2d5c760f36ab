import { describe, expect, test } from 'vitest';
import { crossAttention } from '../../../exercises/alignment-multimodal/vision/cross-attention/solution.js';
import { lessonImage, lessonQueries, lessonWeights } from '../../../exercises/alignment-multimodal/vision/cross-attention/exercise.js';
import { loadTf } from '../../../src/reference/backend.js';
import { loadExercise, reference, solutionWith, wrong, wrongAlternatives } from '../../helpers/exercises.js';
import { expectClose } from '../../helpers/matrices.js';
import { expectPropertyBroken, expectSolutionHolds } from '../../helpers/properties.js';
import { expectEachMisconceptionDiagnosed, grade, lessonBlock, namedCase, packFile, parseHeatmap, runLessonJs, seededCases } from './clip-helpers.js';

const id = 'vision/cross-attention';
const qualified = `alignment-multimodal/${id}`;
const permutation = 'permuting the image tokens leaves the output unchanged';
const fixedShape = 'the output is [Q, Dout] whatever the number of image tokens';
const ownQuery = 'changing one query leaves the other queries\' outputs unchanged';
interface Weights {
  wq: number[][];
  wk: number[][];
  wv: number[][];
  wo: number[][];
}
type Args = [number[][], number[][], Weights, number];
const attend = async (...args: Args) => (await reference(qualified, ...args)) as number[][];

/** Cross-attention in tfjs (float32), one head at a time: tf.slice of each head's columns, tf.softmax along the tokens, tf.concat, ·wo. */
async function tfCrossAttention(queries: number[][], image: number[][], w: Weights, numHeads: number): Promise<number[][]> {
  const { tf } = await loadTf();
  return tf.tidy(() => {
    const q = tf.matMul(tf.tensor2d(queries), tf.tensor2d(w.wq));
    const k = tf.matMul(tf.tensor2d(image), tf.tensor2d(w.wk));
    const v = tf.matMul(tf.tensor2d(image), tf.tensor2d(w.wv));
    const d = w.wq[0].length / numHeads;
    const heads = Array.from({ length: numHeads }, (_, h) => {
      const [qh, kh, vh] = [q, k, v].map((x) => tf.slice(x, [0, h * d], [-1, d]));
      return tf.matMul(tf.softmax(tf.div(tf.matMul(qh, kh, false, true), Math.sqrt(d))), vh);
    });
    return tf.matMul(tf.concat(heads, 1), tf.tensor2d(w.wo)).arraySync() as number[][];
  });
}

const random = (rows: number, cols: number, seed: number) => Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => Math.sin(seed + 1.7 * i + 0.9 * j * (j + 1))));

describe(id, () => {
  test('the lesson example by hand: scores [1, 1, 2]/√2 and [2, 0, 2]/√2, their softmax, output [0.751745, 0.751745] and [0.891617, 0.554192]', async () => {
    const r2 = Math.SQRT2;
    const scores = [[1 / r2, 1 / r2, 2 / r2], [2 / r2, 0, 2 / r2]];
    const weights = scores.map((row) => row.map((s) => Math.exp(s) / row.reduce((a, x) => a + Math.exp(x), 0)));
    const out = weights.map((p) => [p[0] + p[2], p[1] + p[2]]);
    expectClose(weights, [[0.248255, 0.248255, 0.50349], [0.445808, 0.108383, 0.445808]], 6);
    expectClose(out, [[0.751745, 0.751745], [0.891617, 0.554192]], 6);
    expectClose(await attend(lessonQueries, lessonImage, lessonWeights(), 1), out, 12);
    // The trace shows the same scores and weights (one head).
    const { definition, ctx } = await loadExercise(qualified);
    const steps = (await definition.trace!(ctx, lessonQueries, lessonImage, lessonWeights(), 1)) as { scores: number[][][]; weights: number[][][] };
    expectClose(steps.scores[0], scores, 12);
    expectClose(steps.weights[0], weights, 12);
    // The lesson's heatmap is these weights, queries by image tokens.
    const heatmap = parseHeatmap(await lessonBlock(id, 'heatmap'));
    expect(heatmap.columns).toEqual(['tok0', 'tok1', 'tok2']);
    heatmap.rows.forEach((r, i) => r.values.forEach((v, j) => expect(v).toBeCloseTo(weights[i][j], 6)));
    // The 2-head version: head 0 scores [1, 0, 1] (d = 1), so query 0 gets 2·e/(2e + 1) in column 0.
    const twoHeads = await attend(lessonQueries, lessonImage, lessonWeights(), 2);
    expect(twoHeads[0][0]).toBeCloseTo((2 * Math.E) / (2 * Math.E + 1), 12);
    expect(twoHeads[1][1]).toBeCloseTo(2 / 3, 12);
  });

  test('PyTorch 1.13 (per head: torch.softmax(q_h @ k_h.T / sqrt(d), -1) @ v_h, torch.cat, @ wo; float64) on the lesson example and its wrong variants', async () => {
    // python: the lesson's queries, image and torch.eye(2) weights, as in exercise.ts's comment;
    // the variants: k, v from the queries; scale 1/sqrt(C); scale 1; torch.softmax(..., dim=0).
    expectClose(await attend(lessonQueries, lessonImage, lessonWeights(), 1), [[0.7517449217422769, 0.7517449217422769], [0.8916165482152063, 0.5541917258923967]], 12);
    expectClose(await attend(lessonQueries, lessonImage, lessonWeights(), 2), [[0.8446375965030364, 0.8446375965030364], [0.9366210616669624, 0.6666666666666666]], 12);
    const lesson = [lessonQueries, lessonImage, lessonWeights(), 1] as const;
    expectClose(await wrong(qualified, 'keys-from-queries', ...lesson), [[1.5, 0.5], [1.804429682506957, 0.19557031749304313]], 12);
    expectClose(await wrong(qualified, 'keys-from-queries', lessonQueries, lessonImage, lessonWeights(), 2), [[1.731058578630005, 0.7310585786300049], [1.8807970779778822, 0.5]], 12);
    expectClose(await wrong(qualified, 'scale-by-c', lessonQueries, lessonImage, lessonWeights(), 2), [[0.8022241853595719, 0.8022241853595719], [0.8916165482152063, 0.6666666666666666]], 12);
    expectClose(await wrong(qualified, 'no-scaling', ...lesson), [[0.7880584423829146, 0.7880584423829146], [0.9366210616669624, 0.5316894691665188]], 12);
    // The C = 4 widening: wq = wk = wv = [[1, 0, 1, 1], [0, 1, 1, -1]], wo = torch.eye(4); interleaved heads are the
    // same code with the columns permuted by [0, 2, 1, 3] (and put back by the inverse, or left in head order).
    const wide = (await namedCase(id, 'C=4 in 2 heads of 2')).args as Args;
    expectClose(await attend(...wide), [[0.7517449217422769, 0.7517449217422769, 1.6728417983759771, 0], [0.8916165482152063, 0.5541917258923967, 1.4856477146303333, 0.45694314389099944]], 12);
    expectClose(await wrongAlternatives(qualified, 'heads-interleaved', ...wide), [
      [[0.9120512612244936, 0.8022241853595719, 1.7336811064968891, -0.20333627803935772], [0.9546116370862053, 0.2320820638612975, 1.7679179361387025, 0.7225295732249079]],
      [[0.9120512612244936, 1.7336811064968891, 0.8022241853595719, -0.20333627803935772], [0.9546116370862053, 1.7679179361387025, 0.2320820638612975, 0.7225295732249079]],
    ], 12);
    expectClose(await wrong(qualified, 'softmax-over-queries', ...lesson), [[0.8302384506733431, 1.1697615493266569], [1.1697615493266569, 0.8302384506733431]], 12);
  });

  test('the Pitfalls quote the wrong variants\' numbers for query 0', async () => {
    const lesson = await packFile(id, 'lesson.md');
    const pitfalls = lesson.slice(lesson.indexOf('## Pitfalls'), lesson.indexOf('## Conventions'));
    for (const quoted of ['[1.5, 0.5]', '[0.802224, 0.802224]', '[0.844638, 0.844638]', '[0.788058, 0.788058]', '[0.830238, 1.169762]', '[0.751745, 0.751745]', '[0.751745, 0.751745, 1.672842, 0]', '[0.912051, 0.802224, 1.733681, −0.203336]']) expect(pitfalls).toContain(quoted);
    const got = (await wrong(qualified, 'scale-by-c', lessonQueries, lessonImage, lessonWeights(), 2)) as number[][];
    expect(got[0][0]).toBeCloseTo(0.802224, 6);
  });

  test('the reference and the model solution agree with a tfjs per-head computation on every seeded case; no image tokens give zeros', async () => {
    for (const c of await seededCases(id)) {
      const args = c.args as Args;
      const want = await attend(...args);
      expectClose(crossAttention(...args), want, 10, c.name);
      const [queries, image, w] = args;
      expect([want.length, want[0].length], c.name).toEqual([queries.length, w.wo[0].length]);
      if (image.length === 0) expect(want.flat().every((x) => x === 0), c.name).toBe(true);
      else expectClose(await tfCrossAttention(...args), want, 5, c.name);
    }
    const single = (await namedCase(id, 'a single image token')).args as Args;
    // One token: every weight is 1, so every row is (image·wv)·wo.
    const [, [token], w] = single;
    const vo = w.wo[0].map((_, o) => w.wv[0].map((_, c) => token.reduce((a, x, r) => a + x * w.wv[r][c], 0)).reduce((a, x, c) => a + x * w.wo[c][o], 0));
    for (const row of await attend(...single)) expectClose(row, vo, 10);
  });

  test('with image = queries it is transformer-core\'s attention: scaled-dot-product with identity weights, and row i of causal multi-head attention is the last row over tokens 0 … i', async () => {
    const eye = (n: number) => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
    const q = random(3, 4, 1);
    const img = random(5, 4, 2);
    expectClose(await attend(q, img, { wq: eye(4), wk: eye(4), wv: eye(4), wo: eye(4) }, 1), await reference('attention/scaled-dot-product', q, img, img), 5);
    for (const numHeads of [1, 2, 4]) {
      const x = random(5, 8, 3 + numHeads);
      const w = { wq: random(8, 8, 4), wk: random(8, 8, 5), wv: random(8, 8, 6), wo: random(8, 8, 7) };
      const causal = (await reference('attention/multi-head', x, w, numHeads)) as number[][];
      for (let i = 0; i < x.length; i++) {
        const prefix = x.slice(0, i + 1);
        expectClose((await attend(prefix, prefix, w, numHeads)).at(-1), causal[i], 5, `${numHeads} heads, row ${i}`);
      }
    }
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    expect(await expectEachMisconceptionDiagnosed(id)).toEqual(['keys-from-queries', 'scale-by-c', 'heads-interleaved', 'no-scaling', 'softmax-over-queries']);
  });

  test('check yourself: the model solution holds the three properties; a causal mask, a missing wo and a softmax over the queries each break one', async () => {
    await expectSolutionHolds(qualified, { [permutation]: 1, [fixedShape]: 1, [ownQuery]: 1 });
    const masked = await solutionWith(qualified, ['const scores = k.map((kj) =>', 'const scores = k.map((kj, j) => j > i ? -Infinity :']);
    await expectPropertyBroken(qualified, masked, permutation, /^Shuffling the image tokens changed your output \(before, then after: \[\d\]\[\d\] is .*Cross-attention has no positions/);
    const noWo = await solutionWith(qualified, ['return matmul(merged, w.wo);', 'return merged;']);
    await expectPropertyBroken(qualified, noWo, fixedShape, /^With 1 image token your output is \[4, 4\]; it must be \[4, 3\]/);
    await expectPropertyBroken(qualified, overQueries, ownQuery, /^Replacing query 0 changed the outputs of the other queries/);
  });

  test('grading a learner whose keys and values come from the queries names that mistake; a softmax over the queries is named too', async () => {
    const selfAttention = await solutionWith(qualified, ['const k = matmul(image, w.wk);', 'const k = matmul(queries, w.wk);'], ['const v = matmul(image, w.wv);', 'const v = matmul(queries, w.wv);']);
    const verdict = await grade(id, selfAttention);
    expect(verdict.status).not.toBe('pass');
    expect(verdict.diagnosis?.misconceptionId).toBe('keys-from-queries');
    expect(verdict.cases[0]).toMatchObject({ name: 'the lesson example: 2 queries, 3 image tokens, C=2, one head, identity weights', status: 'fail' });
    const second = await grade(id, overQueries);
    expect(second.status).toBe('fail');
    expect(second.diagnosis).toMatchObject({ misconceptionId: 'softmax-over-queries', confidence: 'full' });
  });

  test('the ```js block of In practice gives the reference\'s output on the lesson example', async () => {
    const { tf } = await loadTf();
    const got = await runLessonJs(id, tf, { queries: lessonQueries, image: lessonImage, w: lessonWeights(), numHeads: 1 });
    expectClose(got, [[0.751745, 0.751745], [0.891617, 0.554192]], 5);
  });
});

/** A learner's cross-attention that normalises each head's scores down the queries (each image token's column) instead of along each query's row. */
const overQueries = `export function crossAttention(queries: Matrix, image: Matrix, w: { wq: Matrix; wk: Matrix; wv: Matrix; wo: Matrix }, numHeads: number): Matrix {
  const mm = (a: Matrix, b: Matrix) => a.map((r) => b[0].map((_, j) => r.reduce((s, x, k) => s + x * b[k][j], 0)));
  if (image.length === 0) return queries.map(() => w.wo[0].map(() => 0));
  const q = mm(queries, w.wq), k = mm(image, w.wk), v = mm(image, w.wv);
  const C = q[0].length, d = C / numHeads;
  const merged = q.map(() => new Array(C).fill(0));
  for (let h = 0; h < numHeads; h++) {
    const s = q.map((qi) => k.map((kj) => { let t = 0; for (let c = h * d; c < (h + 1) * d; c++) t += qi[c] * kj[c]; return t / Math.sqrt(d); }));
    for (let j = 0; j < k.length; j++) {
      const max = Math.max(...s.map((row) => row[j]));
      const e = s.map((row) => Math.exp(row[j] - max));
      const sum = e.reduce((a, b) => a + b, 0);
      e.forEach((x, i) => { for (let c = h * d; c < (h + 1) * d; c++) merged[i][c] += (x / sum) * v[j][c]; });
    }
  }
  return mm(merged, w.wo);
}`;
