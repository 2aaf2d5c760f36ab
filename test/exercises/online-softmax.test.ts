import { describe, expect, test } from 'vitest';
import { flashAttentionRow } from '../../exercises/transformer-core/attention/online-softmax/solution.js';
import { readOnce } from '../../src/pack-api.js';
import { readOnceIterable } from '../../src/sandbox/wire.js';
import { diagnoseEachMisconception, reference, wrong } from '../helpers/exercises.js';
import { expectClose } from '../helpers/matrices.js';
import { expectPropertyBroken, expectSolutionHolds } from '../helpers/properties.js';
import { gradeSource, seededMatrix } from './attention-helpers.js';

const id = 'attention/online-softmax';
const anySplit = 'splitting the same keys into other blocks gives the same output';
const inRange = 'each output entry lies between the smallest and largest value in its column';

/** A learner's one-pass loop, right but for the correction factor c and the running sum ℓ, as given. */
function learnerRow(correction: string, runningSum: string): string {
  return `export function flashAttentionRow(q: Vector, blocks: Iterable<{ k: Matrix; v: Matrix }>): Vector {
  let m = -Infinity;
  let sum = 0;
  let o: number[] = [];
  for (const { k, v } of blocks) {
    if (k.length === 0) continue;
    const s = k.map((kj) => kj.reduce((acc, x, i) => acc + x * q[i], 0) / Math.sqrt(q.length));
    const mNew = Math.max(m, ...s);
    const p = s.map((x) => Math.exp(x - mNew));
    const c = ${correction};
    if (o.length === 0) o = v[0].map(() => 0);
    sum = ${runningSum};
    o = o.map((x, col) => c * x + p.reduce((acc, w, j) => acc + w * v[j][col], 0));
    m = mNew;
  }
  return o.map((x) => x / sum);
}`;
}

interface Block {
  k: number[][];
  v: number[][];
}

// The lesson's worked example.
const q = [1, 1, 1, 1];
const lessonBlocks: Block[] = [
  {
    k: [
      [1, 1, 0, 0],
      [0, 0, 0, 0],
    ],
    v: [
      [1, 0],
      [0, 1],
    ],
  },
  { k: [[2, 2, 1, 1]], v: [[2, 2]] },
];

/** Splits the rows of k and v into consecutive blocks of the given sizes. */
function split(k: number[][], v: number[][], sizes: number[]): Block[] {
  let start = 0;
  return sizes.map((size) => {
    const block = { k: k.slice(start, start + size), v: v.slice(start, start + size) };
    start += size;
    return block;
  });
}

/** The full softmax: the scaled-dot-product reference with one query on the concatenated keys and values. */
async function fullSoftmax(query: number[], k: number[][], v: number[][]): Promise<number[]> {
  return ((await reference('attention/scaled-dot-product', [query], k, v)) as number[][])[0];
}

const onlineReference = (query: number[], blocks: Block[]) => reference(id, query, readOnceIterable(blocks)) as Promise<number[]>;

describe(id, () => {
  test('reference matches the lesson worked example [1.801785, 1.729600], which is the full softmax', async () => {
    const got = await onlineReference(q, lessonBlocks);
    expectClose(got, [1.801785, 1.7296]);
    expectClose(got, await fullSoftmax(q, lessonBlocks.flatMap((b) => b.k), lessonBlocks.flatMap((b) => b.v)));
  });

  test('reference and model solution equal the full softmax however the keys are split into blocks (empty blocks included)', async () => {
    const [query] = seededMatrix(1, 1, 6);
    const [k, v] = [seededMatrix(2, 9, 6), seededMatrix(3, 9, 4)];
    const want = await fullSoftmax(query, k, v);
    for (const sizes of [[9], [1, 1, 1, 1, 1, 1, 1, 1, 1], [4, 5], [2, 3, 4], [0, 3, 0, 6, 0]]) {
      expectClose(await onlineReference(query, split(k, v, sizes)), want, 5, `reference, blocks ${sizes}`);
      expectClose(flashAttentionRow(query, readOnceIterable(split(k, v, sizes))), want, 6, `solution, blocks ${sizes}`);
    }
  });

  test('the model solution is exact where the naive formula overflows: scores near ±1000 in any split', async () => {
    const big = [15.625, 15.625, 15.625, 15.625];
    const k = [big, big.map((x, i) => (i === 3 ? 15.6875 : x)), big.map(() => 15.75)];
    const v = [
      [1, 0, 2],
      [0, 1, -1],
      [0.5, 0.5, 0],
    ];
    for (const sign of [1, -1]) {
      const query = [32, 32, 32, 32].map((x) => sign * x);
      const want = await fullSoftmax(query, k, v);
      expect(want.every(Number.isFinite)).toBe(true);
      for (const sizes of [[3], [1, 2], [2, 1], [1, 1, 1]]) expectClose(flashAttentionRow(query, readOnceIterable(split(k, v, sizes))), want, 6, `sign ${sign}, blocks ${sizes}`);
    }
  });

  test('no keys: no blocks, or only empty blocks, give []', async () => {
    expect(await onlineReference([1, 2], [])).toEqual([]);
    expect(await onlineReference([1, 2], [{ k: [], v: [] }])).toEqual([]);
    expect(flashAttentionRow([1, 2], readOnceIterable([]))).toEqual([]);
    expect(flashAttentionRow([1, 2], readOnceIterable([{ k: [], v: [] }, { k: [], v: [] }]))).toEqual([]);
  });

  // Wrong variants get their arguments as a grader passes them: a read-once marker, made into a one-pass iterable for each call.
  test('the mistakes on their signature inputs: max at 0 is NaN near −1000, an unguarded empty first block is NaN', async () => {
    const k = [[-15.625, -15.625, -15.625, -15.625]];
    const atZero = (await wrong(id, 'max-starts-at-zero', [32, 32, 32, 32], readOnce([{ k, v: [[1, 2]] }]))) as number[];
    expect(atZero.every(Number.isNaN)).toBe(true);
    const empty = (await wrong(id, 'empty-block-nan', q, readOnce([{ k: [], v: [] }, ...lessonBlocks]))) as number[];
    expect(empty.every(Number.isNaN)).toBe(true);
    expectClose(await wrong(id, 'output-not-rescaled', q, readOnce(lessonBlocks)), [2.531384, 1.998004]);
    expectClose(await wrong(id, 'sum-not-rescaled', q, readOnce(lessonBlocks)), [0.901792, 0.865664]);
    expectClose(await wrong(id, 'blocks-averaged', q, readOnce(lessonBlocks)), [1.365529, 1.134471]);
  });

  test('grading: a learner who reads the blocks twice gets an error that says they can be read once', async () => {
    const verdict = await gradeSource(
      id,
      `export function flashAttentionRow(q: number[], blocks: Iterable<{ k: number[][]; v: number[][] }>) {
  let max = -Infinity;
  for (const { k } of blocks) for (const kj of k) max = Math.max(max, kj.reduce((a, x, c) => a + x * q[c], 0) / Math.sqrt(q.length));
  const out: number[] = [];
  for (const { k, v } of blocks) out.push(k.length + v.length + max);
  return out;
}
`,
    );
    expect(verdict.status).toBe('error');
    expect(verdict.cases[0].message).toContain('These blocks can be read only once');
  });

  test('grading: a learner whose running max starts at 0 is diagnosed as such', async () => {
    const verdict = await gradeSource(
      id,
      `export function flashAttentionRow(q: number[], blocks: Iterable<{ k: number[][]; v: number[][] }>) {
  let m = 0;
  let sum = 0;
  let out: number[] = [];
  for (const { k, v } of blocks) {
    if (k.length === 0) continue;
    if (out.length === 0) out = v[0].map(() => 0);
    const s = k.map((kj) => kj.reduce((a, x, c) => a + x * q[c], 0) / Math.sqrt(q.length));
    const mNew = Math.max(m, ...s);
    const c = Math.exp(m - mNew);
    sum *= c;
    out = out.map((o) => o * c);
    s.forEach((x, j) => {
      const p = Math.exp(x - mNew);
      sum += p;
      out = out.map((o, col) => o + p * v[j][col]);
    });
    m = mNew;
  }
  return out.map((o) => o / sum);
}
`,
    );
    expect(verdict.status).toBe('fail');
    expect(verdict.cases.filter((c) => c.status === 'fail').map((c) => c.name)).toEqual(['scores near −1000 (−1001 and −1008, then −1000): the max must start at −Infinity']);
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'max-starts-at-zero', confidence: 'full' });
  });

  for (const seed of [7, 42, 2024]) {
    test(`every misconception fails the reference and is diagnosed as itself (seed ${seed})`, async () => {
      for (const result of await diagnoseEachMisconception(id, seed)) {
        expect(result.failingCases, result.id).toBeGreaterThan(0);
        expect(result.diagnosed, result.id).toBe(result.id);
      }
    });
  }

  test('reference, Check yourself: the lesson\'s keys in one block or in three blocks of one give [1.801785, 1.729600]', async () => {
    // Hand-worked in the lesson: weights [0.114195, 0.042010, 0.843795] over the values [1, 0], [0, 1], [2, 2].
    const k = [...lessonBlocks[0].k, ...lessonBlocks[1].k];
    const v = [...lessonBlocks[0].v, ...lessonBlocks[1].v];
    for (const blocks of [[{ k, v }], k.map((kj, j) => ({ k: [kj], v: [v[j]] }))]) {
      expectClose([await onlineReference(q, blocks)], [[1.801785, 1.7296]], 5);
    }
  });

  test('check yourself: the model solution holds both properties on seeds 7 and 99', async () => {
    await expectSolutionHolds(id, { [anySplit]: 2, [inRange]: 2 });
  });

  test('check yourself: the correction factor upside down, exp(m′ − m), breaks the split property', async () => {
    const inverted = learnerRow('m === -Infinity ? 0 : Math.exp(mNew - m)', 'c * sum + p.reduce((a, b) => a + b, 0)');
    await expectPropertyBroken(id, inverted, anySplit, /^The same 7 keys and values give a different output in one block and in blocks of \[(3, 2, 2|1, 1, 1, 1, 1, 1, 1)\] \(entry \d is \S+ in the first and \S+ in the second\)\. After every block ℓ = Σ exp/);
  });

  test('check yourself: a running sum ℓ that keeps only the last block breaks the range property', async () => {
    const lastOnly = learnerRow('m === -Infinity ? 0 : Math.exp(m - mNew)', 'p.reduce((a, b) => a + b, 0)');
    await expectPropertyBroken(id, lastOnly, inRange, /^Your output's entry \d is \S+, outside the values of column \d, which run from 1\.\d* to 1\.\d*\. o \/ ℓ is a weighted average/);
  });
});
