import { describe, expect, test } from 'vitest';
import { moeLayer } from '../../../exercises/scaling/moe/moe-layer/solution.js';
import { lessonMoe } from '../../../exercises/scaling/moe/moe-layer/exercise.js';
import { loadTf } from '../../../src/reference/backend.js';
import { reference, solutionWith, wrong } from '../../helpers/exercises.js';
import { expectClose, mm } from '../../helpers/matrices.js';
import { expectPropertyBroken, expectSolutionHolds } from '../../helpers/properties.js';
import { expectEachMisconceptionDiagnosed, runLessonJs, seededCases } from './scaling-helpers.js';

const id = 'moe/moe-layer';
const qualified = `scaling/${id}`;
const ownRows = 'each token is routed on its own: a row alone gives the same row';
type Params = (typeof lessonMoe)[1];
const layer = async (x: number[][], p: Params, k: number) => (await reference(qualified, x, p, k)) as number[][];

/**
 * The layer written as matrices for the whole batch: logits = x·router by
 * mm, the top k of each row found by repeatedly taking the largest remaining
 * probability (the first of equal ones), each expert run on the whole batch,
 * and a [T, E] gate matrix that is 0 outside each token's k experts.
 */
function batchMoe(x: number[][], p: Params, k: number): number[][] {
  const logits = mm(x, p.router);
  const gates = logits.map((row) => {
    const exps = row.map((z) => Math.exp(z - Math.max(...row)));
    const probs = exps.map((e) => e / exps.reduce((a, b) => a + b, 0));
    const gate = probs.map(() => 0);
    const left = [...probs];
    for (let j = 0; j < k; j++) {
      const best = left.indexOf(Math.max(...left));
      gate[best] = probs[best];
      left[best] = -Infinity;
    }
    const sum = gate.reduce((a, b) => a + b, 0);
    return gate.map((g) => g / sum);
  });
  const out = x.map((row) => row.map(() => 0));
  p.experts.forEach((e, i) => {
    const gate = mm(x, e.w1);
    const up = mm(x, e.w3);
    const y = mm(gate.map((row, t) => row.map((g, j) => (g / (1 + Math.exp(-g))) * up[t][j])), e.w2);
    y.forEach((row, t) => row.forEach((v, c) => (out[t][c] += gates[t][i] * v)));
  });
  return out;
}

describe(id, () => {
  test('the lesson example by hand: weights softmax([2, −1]) and softmax([1.5, 1]), outputs [0.731059, 0.221516] and [2.428045, −1.565820]', async () => {
    const sig = (z: number) => 1 / (1 + Math.exp(-z));
    expect(sig(3)).toBeCloseTo(0.952574, 6);
    expect(sig(0.5)).toBeCloseTo(0.622459, 6);
    const silu = (z: number) => z * sig(z);
    // Token 0 through experts 0 and 2; token 1 through experts 0 and 1 (the lesson's table).
    const token0 = [0, 1].map((c) => sig(3) * [silu(1) * 1, silu(-1) * -1][c] + sig(-3) * [silu(1) * 1, silu(1) * -1][c]);
    const token1 = [0, 1].map((c) => sig(0.5) * [silu(2) * 2, silu(0.5) * 0.5][c] + sig(-0.5) * [silu(0.5) * 2, -(silu(2) * 2.5)][c]);
    expectClose(token0, [0.731059, 0.221516], 6);
    expectClose(token1, [2.428045, -1.56582], 6);
    expectClose(await layer(...lessonMoe), [token0, token1], 5);
  });

  test('the reference and the model solution agree with the batch-matrix computation on every seeded case', async () => {
    for (const c of await seededCases(id)) {
      const [x, p, k] = c.args as [number[][], Params, number];
      const want = batchMoe(x, p, k);
      expectClose(await layer(x, p, k), want, 4, c.name);
      expectClose(moeLayer(x, p, k), want, 10, c.name);
    }
  });

  test('with k = E the layer is the dense mixture (every expert, the full softmax)', async () => {
    const [x, p] = lessonMoe;
    expectClose(await layer(x, p, 3), (await wrong(qualified, 'dense', x, p, 3)) as number[][], 5);
  });

  test('the wrong variants on the lesson example: dense, raw weights, silu on the up branch', async () => {
    expectClose(await wrong(qualified, 'dense', ...lessonMoe), [[0.713911, 0.217717], [2.44825, -1.52068]], 6);
    expectClose(await wrong(qualified, 'no-renormalisation', ...lessonMoe), [[0.718523, 0.217717], [2.383248, -1.536931]], 6);
    expectClose(await wrong(qualified, 'silu-on-up', ...lessonMoe), [[0.731059, 0.243432], [2.525578, -1.647642]], 6);
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    expect(await expectEachMisconceptionDiagnosed(id)).toEqual(['dense', 'no-renormalisation', 'silu-on-up']);
  });

  test('check yourself: the model solution holds the row property; weights normalised over the batch break it', async () => {
    await expectSolutionHolds(qualified, { [ownRows]: 2 });
    const batchWide = await solutionWith(qualified, ['return x.map((row) => {', 'const scale = x.length;\n  return x.map((row) => {'], ['(probs[e] / sum) * v', '(probs[e] / sum / scale) * v']);
    await expectPropertyBroken(qualified, batchWide, ownRows, /^moeLayer\(x\) and the rows of moeLayer\(\[x\[t\]\]\), one token at a time, differ \(the whole first\): \[0\]\[0\] is /);
  });

  test("the ```js block of In practice gives the reference's output on the lesson example and on k = 1", async () => {
    const { tf } = await loadTf();
    const [x, p] = lessonMoe;
    for (const k of [2, 1]) expectClose(await runLessonJs(id, tf, { x, p, k }), await layer(x, p, k), 5);
  });
});
