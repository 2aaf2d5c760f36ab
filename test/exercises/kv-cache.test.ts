import { describe, expect, test } from 'vitest';
import { decodeStep } from '../../exercises/transformer-core/attention/kv-cache/solution.js';
import { buildCases, computeExpected } from '../../src/core/grading/grade.js';
import { diagnoseEachMisconception, loadExercise, reference, wrong } from '../helpers/exercises.js';
import { expectClose } from '../helpers/matrices.js';
import { expectPropertyBroken, expectSolutionHolds } from '../helpers/properties.js';
import { gradeSource, seededMatrix } from './attention-helpers.js';

const id = 'attention/kv-cache';
const appendedLast = 'the returned cache is the old one with the new k and v as its last rows';
const orderFree = 'reordering the cached tokens leaves out unchanged';

/** A learner's decodeStep, right but for the key row it caches for the new token and a bias added to the score of key j of t. */
function learnerStep(newKey: string, bias: string): string {
  return `export function decodeStep(cache: { k: Matrix; v: Matrix }, q: Vector, k: Vector, v: Vector) {
  const next = { k: [...cache.k, ${newKey}], v: [...cache.v, v] };
  const t = next.k.length;
  const s = next.k.map((kj, j) => kj.reduce((acc, x, i) => acc + x * q[i], 0) / Math.sqrt(q.length) + ${bias});
  const max = Math.max(...s);
  const e = s.map((x) => Math.exp(x - max));
  const sum = e.reduce((a, b) => a + b, 0);
  const out = v.map((_, c) => e.reduce((acc, w, j) => acc + (w / sum) * next.v[j][c], 0));
  return { out, cache: next };
}`;
}

interface Cache {
  k: number[][];
  v: number[][];
}
interface Step {
  out: number[];
  cache: Cache;
}

// The lesson's three tokens.
const Q = [
  [2, 0, 0, 0],
  [1, 0, 1, 0],
  [0, 2, 0, 2],
];
const K = [
  [1, 1, 0, 0],
  [0, 0, 2, 0],
  [1, 0, 1, 2],
];
const V = [
  [1, 0],
  [0, 1],
  [1, 1],
];

/** Runs `step` over the tokens one at a time from an empty cache; returns each step's out and the final cache. */
async function run(step: (cache: Cache, q: number[], k: number[], v: number[]) => Step | Promise<Step>, q: number[][], k: number[][], v: number[][]) {
  let cache: Cache = { k: [], v: [] };
  const outs: number[][] = [];
  for (let t = 0; t < q.length; t++) {
    const result = await step(cache, q[t], k[t], v[t]);
    outs.push(result.out);
    cache = result.cache;
  }
  return { outs, cache };
}

const referenceStep = async (cache: Cache, q: number[], k: number[], v: number[]) => (await reference(id, cache, q, k, v)) as Step;

describe(id, () => {
  test('reference matches the lesson worked example, step by step: [1, 0], [0.377541, 0.622459], [0.909969, 0.755272]', async () => {
    const { outs, cache } = await run(referenceStep, Q, K, V);
    expectClose(outs, [
      [1, 0],
      [0.377541, 0.622459],
      [0.909969, 0.755272],
    ]);
    expect(cache).toEqual({ k: K, v: V });
  });

  test('a run of reference steps reproduces attention/causal-mask row by row (T = 7)', async () => {
    const [q, k, v] = [seededMatrix(1, 7, 5), seededMatrix(2, 7, 5), seededMatrix(3, 7, 3)];
    const { outs, cache } = await run(referenceStep, q, k, v);
    expectClose(outs, await reference('attention/causal-mask', q, k, v));
    expect(cache).toEqual({ k, v });
  });

  test('a run of the model solution\'s steps reproduces attention/causal-mask row by row (T = 9)', async () => {
    const [q, k, v] = [seededMatrix(4, 9, 8), seededMatrix(5, 9, 8), seededMatrix(6, 9, 4)];
    const { outs, cache } = await run(decodeStep, q, k, v);
    expectClose(outs, await reference('attention/causal-mask', q, k, v));
    expect(cache).toEqual({ k, v });
  });

  test('the cases are the steps of a run: step t holds the first t tokens, starting from an empty cache, and expects row t of causal attention', async () => {
    const { ref, definition, ctx } = await loadExercise(id);
    const cases = buildCases(ref, definition, 2024);
    const steps = cases.slice(0, 5);
    expect(steps[0].name).toMatch(/^step 0: an empty cache/);
    const last = steps[4].args as [Cache, number[], number[], number[]];
    const k = [...last[0].k, last[2]];
    const v = [...last[0].v, last[3]];
    const q = steps.map((c) => c.args[1] as number[]);
    steps.forEach((c, t) => {
      const [cache] = c.args as [Cache];
      expect(cache, `step ${t}`).toEqual({ k: k.slice(0, t), v: v.slice(0, t) });
    });
    const expected = (await computeExpected(ref, definition, steps, ctx)) as Step[];
    expectClose(
      expected.map((e) => e.out),
      await reference('attention/causal-mask', q, k, v),
    );
    expected.forEach((e, t) => expect(e.cache).toEqual({ k: k.slice(0, t + 1), v: v.slice(0, t + 1) }));
  });

  test('the reference leaves the cache it is given unchanged and returns a new one', async () => {
    const cache = { k: [[1, 2]], v: [[3]] };
    const result = (await reference(id, cache, [1, 0], [0, 1], [5])) as Step;
    expect(cache).toEqual({ k: [[1, 2]], v: [[3]] });
    expect(result.cache).toEqual({ k: [[1, 2], [0, 1]], v: [[3], [5]] });
  });

  test('attending before appending gives zeros or NaN on the empty cache and misses the own key after', async () => {
    const first = (await wrong(id, 'attend-before-append', { k: [], v: [] }, Q[0], K[0], V[0])) as Step;
    expect(first.out).toEqual([0, 0]);
    const third = (await wrong(id, 'attend-before-append', { k: K.slice(0, 2), v: V.slice(0, 2) }, Q[2], K[2], V[2])) as Step;
    expectClose(third.out, [0.731059, 0.268941]);
  });

  test('grading: pushing onto the caller\'s cache fails every case with the in-place message', async () => {
    const verdict = await gradeSource(
      id,
      `export function decodeStep(cache: { k: number[][]; v: number[][] }, q: number[], k: number[], v: number[]) {
  cache.k.push(k);
  cache.v.push(v);
  const s = cache.k.map((kj) => kj.reduce((a, x, c) => a + x * q[c], 0) / Math.sqrt(q.length));
  const max = Math.max(...s);
  const e = s.map((x) => Math.exp(x - max));
  const sum = e.reduce((a, b) => a + b, 0);
  const out = v.map((_, c) => e.reduce((a, w, j) => a + (w / sum) * cache.v[j][c], 0));
  return { out, cache };
}
`,
    );
    // The cache it is given is frozen: pushing onto it throws, and the verdict says why.
    expect(verdict.status).toBe('error');
    expect(verdict.cases.every((c) => c.status === 'error')).toBe(true);
    expect(verdict.cases[0].message).toMatch(/^Your function tried to change its input in place \(kv-cache\.ts:2\) \(Cannot add property \d+, object is not extensible\)\. This exercise's inputs must stay unchanged: copy them before modifying\.$/);
  });

  test('grading: a learner who attends before appending is diagnosed as such', async () => {
    const verdict = await gradeSource(
      id,
      `export function decodeStep(cache: { k: number[][]; v: number[][] }, q: number[], k: number[], v: number[]) {
  const s = cache.k.map((kj) => kj.reduce((a, x, c) => a + x * q[c], 0) / Math.sqrt(q.length));
  const max = Math.max(...s);
  const e = s.map((x) => Math.exp(x - max));
  const sum = e.reduce((a, b) => a + b, 0);
  const out = v.map((_, c) => e.reduce((a, w, j) => a + (w / sum) * cache.v[j][c], 0));
  return { out, cache: { k: [...cache.k, k], v: [...cache.v, v] } };
}
`,
    );
    expect(verdict.status).toBe('fail');
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'attend-before-append', confidence: 'full' });
  });

  for (const seed of [7, 42, 2024]) {
    test(`every misconception fails the reference and is diagnosed as itself (seed ${seed})`, async () => {
      for (const result of await diagnoseEachMisconception(id, seed)) {
        expect(result.failingCases, result.id).toBeGreaterThan(0);
        expect(result.diagnosed, result.id).toBe(result.id);
      }
    });
  }

  test('reference, Check yourself: step 2 with the cached tokens in the order 1, 0 still gives [0.909969, 0.755272], and returns them in that order', async () => {
    // Hand-worked in the lesson: weights [0.244728, 0.090031, 0.665241] over v = [1, 0], [0, 1], [1, 1], whatever the order of the first two.
    const step = await referenceStep({ k: [K[1], K[0]], v: [V[1], V[0]] }, Q[2], K[2], V[2]);
    expectClose([step.out], [[0.909969, 0.755272]], 5);
    expect(step.cache).toEqual({ k: [K[1], K[0], K[2]], v: [V[1], V[0], V[2]] });
  });

  test('check yourself: the model solution holds both properties on seeds 7 and 99', async () => {
    await expectSolutionHolds(id, { [appendedLast]: 2, [orderFree]: 2 });
  });

  test('check yourself: caching the new key already divided by √d breaks the append property', async () => {
    const prescaled = learnerStep('k.map((x) => x / Math.sqrt(k.length))', '0');
    await expectPropertyBroken(id, prescaled, appendedLast, /^With (an empty cache|3 cached tokens), your returned cache\.k is not the old one with the new row appended \(that first, yours second: \[\d\]\[\d\] is \S+ in the first and \S+ in the second\)\. Row t of the cache is token t/);
  });

  test('check yourself: a recency bias on the scores (−0.1 per token back) breaks the reordering property', async () => {
    const recency = learnerStep('k', '-0.1 * (t - 1 - j)');
    await expectPropertyBroken(id, recency, orderFree, /^Shuffling the cached keys and values \(each key with its value\) changed your out: entry \d+ is \S+ in the first and \S+ in the second\. Attention is a weighted average/);
  });
});
