import { promises as fs } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { llamaDecodeStep } from '../../exercises/transformer-core/attention/llama-decode-step/solution.js';
import { lessonLayer, lessonTokens, type KVCache, type LlamaAttention as Layer, type Step } from '../../exercises/transformer-core/attention/llama-decode-step/exercise.js';
import { buildCases } from '../../src/core/grading/grade.js';
import { toPlainOutput } from '../../src/core/grading/read-back.js';
import { checkExercise } from '../../src/core/workspace/check.js';
import { openWorkspace, type Workspace } from '../../src/core/workspace/workspace.js';
import { loadTf } from '../../src/reference/backend.js';
import { diagnoseEachMisconception, gradeLearnerSource, loadExercise, reference, wrong } from '../helpers/exercises.js';
import { learnerFile, makeWorkspace, repoRoot } from '../helpers/cli.js';
import { expectClose, mm } from '../helpers/matrices.js';
import { gradeSource } from './attention-helpers.js';

const id = 'attention/llama-decode-step';
const exerciseDir = path.join(repoRoot, 'exercises', 'transformer-core', id);

type StepFn = (x: number[], cache: KVCache, p: Layer) => Step | Promise<Step>;

/**
 * Causal attention over the whole sequence, written independently of the
 * exercise: every row of X projected at once, each head's q and k turned at
 * the row's position by a 2×2 rotation of the pairs (i, i + d_head/2), a
 * lower-triangular softmax per head, heads merged and projected by Wo.
 * Returns the [T, d] outputs, the rotated keys and the values per KV head,
 * and per query head its rotated queries and each row's scores and weights.
 */
function fullCausal(X: number[][], p: Layer) {
  const dh = p.wq[0].length / p.heads;
  const head = (m: number[][], h: number) => m.map((row) => row.slice(h * dh, (h + 1) * dh));
  const turn = (rows: number[][]) =>
    rows.map((row, pos) => {
      const out = [...row];
      for (let i = 0; i < dh / 2; i++) {
        const a = pos / p.base ** ((2 * i) / dh);
        const [x1, x2] = [row[i], row[i + dh / 2]];
        out[i] = Math.cos(a) * x1 - Math.sin(a) * x2;
        out[i + dh / 2] = Math.sin(a) * x1 + Math.cos(a) * x2;
      }
      return out;
    });
  const [Q, K, V] = [mm(X, p.wq), mm(X, p.wk), mm(X, p.wv)];
  const k = Array.from({ length: p.kvHeads }, (_, g) => turn(head(K, g)));
  const v = Array.from({ length: p.kvHeads }, (_, g) => head(V, g));
  const q = Array.from({ length: p.heads }, (_, h) => turn(head(Q, h)));
  const kvOf = (h: number) => Math.floor((h * p.kvHeads) / p.heads);
  const scores = q.map((rows, h) => rows.map((qt, t) => k[kvOf(h)].slice(0, t + 1).map((kj) => kj.reduce((acc, e, c) => acc + e * qt[c], 0) / Math.sqrt(dh))));
  const weights = scores.map((rows) =>
    rows.map((s) => {
      const e = s.map((x) => Math.exp(x - Math.max(...s)));
      return e.map((x) => x / e.reduce((a, b) => a + b, 0));
    }),
  );
  const perHead = weights.map((rows, h) => rows.map((w) => v[kvOf(h)][0].map((_, c) => w.reduce((acc, wj, j) => acc + wj * v[kvOf(h)][j][c], 0))));
  const merged = X.map((_, t) => perHead.flatMap((rows) => rows[t]));
  return { out: mm(merged, p.wo), k, v, q, scores, weights };
}

const emptyCache = (kvHeads: number): KVCache => ({ k: Array.from({ length: kvHeads }, () => []), v: Array.from({ length: kvHeads }, () => []) });

/** Runs `step` over tokens one at a time from `cache`, feeding each step the cache the step before returned. */
async function decode(step: StepFn, tokens: number[][], p: Layer, cache = emptyCache(p.kvHeads)) {
  const outs: number[][] = [];
  for (const x of tokens) {
    const result = await step(x, cache, p);
    outs.push(result.out);
    cache = result.cache;
  }
  return { outs, cache };
}

const referenceStep: StepFn = async (x, cache, p) => (await reference(id, x, cache, p)) as Step;

/** A seeded layer and tokens with entries in [−1, 1), for runs of our own. */
function seededRun(seed: number, T: number, d: number, heads: number, kvHeads: number, base = 10000): { tokens: number[][]; layer: Layer } {
  let state = seed >>> 0;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  };
  const matrix = (rows: number[], cols: number) => Array.from({ length: rows[0] }, () => Array.from({ length: cols }, () => next() / Math.sqrt(d)));
  const kv = (kvHeads * d) / heads;
  const layer = { wq: matrix([d], d), wk: matrix([d], kv), wv: matrix([d], kv), wo: matrix([d], d), heads, kvHeads, base };
  return { tokens: Array.from({ length: T }, () => Array.from({ length: d }, next)), layer };
}

/** The model solution with one line replaced (the replacement must apply), as a learner file. */
async function solutionWith(from: string, to: string): Promise<string> {
  const source = await fs.readFile(path.join(exerciseDir, 'solution.ts'), 'utf8');
  expect(source).toContain(from);
  return source.replace(from, to);
}

const lessonOuts = [
  [2, 0, 2, 0],
  [0.427618, 1.572382, 0.137733, 1.862267],
  [0.68374, 0.167564, 1.049227, 0.403513],
];

describe(id, () => {
  test('the lesson\'s outputs are the rows of causal attention over the three tokens, computed independently', () => {
    expectClose(fullCausal(lessonTokens, lessonLayer).out, lessonOuts, 6);
  });

  test('the lesson\'s step-by-step numbers: turned keys and queries, each head\'s scores and weights', () => {
    const { k, q, scores, weights } = fullCausal(lessonTokens, lessonLayer);
    expectClose(k[0], [
      [1, 0],
      [-0.841471, 0.540302],
      [-1.325444, 0.493151],
    ]);
    expectClose([Math.cos(2), Math.sin(2)], [-0.416147, 0.909297]);
    // Step 1: head 0's query is the key itself, head 1's is [0, 2] turned by 1 radian.
    expectClose([q[0][1], q[1][1]], [
      [-0.841471, 0.540302],
      [-1.682942, 1.080605],
    ]);
    expectClose([scores[0][1], scores[1][1]], [
      [-0.59501, 0.707107],
      [-1.19002, 1.414214],
    ]);
    expectClose([weights[0][1], weights[1][1]], [
      [0.213809, 0.786191],
      [0.068866, 0.931134],
    ]);
    // Step 2: head 1's query [1, −1] turned by 2 radians, and the table of weights.
    expectClose(q[1][2], [0.493151, 1.325444]);
    expectClose([weights[0][2], weights[1][2]], [
      [0.054696, 0.370956, 0.574348],
      [0.387799, 0.338571, 0.27363],
    ]);
  });

  test('the reference, step by step from an empty cache, gives the lesson\'s outputs and caches the turned keys', async () => {
    const { outs, cache } = await decode(referenceStep, lessonTokens, lessonLayer);
    expectClose(outs, lessonOuts);
    const { k, v } = fullCausal(lessonTokens, lessonLayer);
    expectClose(cache.k, k);
    expectClose(cache.v, v);
  });

  test('a run of reference steps after a prompt reproduces full causal attention row by row (T = 9, 6 query heads, 2 KV heads, d_head = 4)', async () => {
    const { tokens, layer } = seededRun(1, 9, 24, 6, 2);
    const full = fullCausal(tokens, layer);
    // The prompt's 4 tokens go in as a prefill would leave them: rotated keys and values.
    const prompt = { k: full.k.map((rows) => rows.slice(0, 4)), v: full.v.map((rows) => rows.slice(0, 4)) };
    const { outs, cache } = await decode(referenceStep, tokens.slice(4), layer, prompt);
    expectClose(outs, full.out.slice(4), 4);
    expectClose(cache.k, full.k, 4);
    expectClose(cache.v, full.v, 4);
  });

  test('the model solution, step by step, reproduces full causal attention (T = 12, base 500000, multi-query)', async () => {
    const { tokens, layer } = seededRun(2, 12, 16, 4, 1, 500000);
    const full = fullCausal(tokens, layer);
    const { outs, cache } = await decode(llamaDecodeStep, tokens, layer);
    expectClose(outs, full.out, 9);
    expectClose(cache.k, full.k, 9);
  });

  test('the cases: runs from an empty cache and after a prompt, named by their cache, one of them showing grouping and layout at its first step', async () => {
    const { ref, definition } = await loadExercise(id);
    const cases = buildCases(ref, definition, 7);
    expect(cases[0].name).toMatch(/^the lesson example/);
    const shapes = cases.map((c) => {
      const [, cache, p] = c.steps![0] as [number[], KVCache, Layer];
      const cached = cache.k[0].length;
      expect(cache.k.map((rows) => rows.length), c.name).toEqual(new Array(p.kvHeads).fill(cached));
      expect(c.name).toMatch(cached === 0 ? /from an empty cache/ : new RegExp(`prompt of ${cached} tokens|${cached} tokens cached`));
      return { cached, groups: p.heads / p.kvHeads, kvHeads: p.kvHeads, dh: p.wq[0].length / p.heads };
    });
    expect(shapes.filter((s) => s.cached === 0).length).toBeGreaterThanOrEqual(2);
    // Misconceptions are told apart on a run's first step: one needs a cache, 2+ KV heads in groups of 2+, and pairs that differ by layout.
    expect(shapes.some((s) => s.cached > 0 && s.kvHeads >= 2 && s.groups >= 2 && s.dh >= 4)).toBe(true);
  });

  test('the trace of the lesson\'s step 2 shows the lesson\'s turned key, the KV head of each query head, and the table of weights', async () => {
    const { definition, ctx } = await loadExercise(id);
    // The cache after steps 0 and 1: the first two tokens' rotated keys and values.
    const { k, v } = fullCausal(lessonTokens.slice(0, 2), lessonLayer);
    const cache = { k, v };
    const trace = (await toPlainOutput(ctx, () => definition.trace!(ctx, lessonTokens[2], cache, lessonLayer))) as Record<string, unknown>;
    expect(Object.keys(trace)).toEqual(['q', 'k', 'v', 'rotatedQ', 'rotatedK', 'kvHead', 'scores', 'weights', 'merged']);
    expectClose(trace.rotatedK, [[-1.325444, 0.493151]]);
    expect(trace.kvHead).toEqual([0, 0]);
    expectClose(trace.weights, [
      [0.054696, 0.370956, 0.574348],
      [0.387799, 0.338571, 0.27363],
    ]);
    expectClose(trace.merged, lessonOuts[2]);
  });

  test('the reference leaves the cache it is given unchanged', async () => {
    const cache = { k: [[[1, 0]]], v: [[[2, 0]]] };
    await reference(id, lessonTokens[1], cache, lessonLayer);
    expect(cache).toEqual({ k: [[[1, 0]]], v: [[[2, 0]]] });
  });

  test('the wrong variants, on the lesson\'s step 2: an unrotated key, a cache turned again, v turned', async () => {
    const cache = {
      k: [
        [
          [1, 0],
          [-0.841471, 0.540302],
        ],
      ],
      v: [
        [
          [2, 0],
          [0, 2],
        ],
      ],
    };
    const qOnly = (await wrong(id, 'rope-q-only', lessonTokens[2], cache, lessonLayer)) as Step;
    expectClose(qOnly.cache.k[0][2], [1, 1]);
    const again = (await wrong(id, 'cached-keys-rotated-again', lessonTokens[2], cache, lessonLayer)) as Step;
    // Key 1 turned a second time by 1 radian: [0, 1] turned by 2.
    expectClose(again.cache.k[0][1], [-Math.sin(2), Math.cos(2)]);
    const vTurned = (await wrong(id, 'v-rotated', lessonTokens[2], cache, lessonLayer)) as Step;
    expectClose(vTurned.cache.v[0][2], [Math.cos(2) + Math.sin(2), Math.sin(2) - Math.cos(2)]);
    const kept = (await wrong(id, 'cache-not-appended', lessonTokens[2], cache, lessonLayer)) as Step;
    expect(kept.cache).toEqual(cache);
  });

  test('grading: a cache returned without the new row diverges at step 1 of every run, and the diagnosis says so', async () => {
    const verdict = await gradeSource(id, await solutionWith('return { out: times(merged, wo), cache: next };', 'return { out: times(merged, wo), cache };'));
    // From an empty cache, H_kv empty matrices come back where [H_kv, 1, d_head] was expected: the comparison reports a type, so that case is an error.
    expect(verdict.cases[0].message).toBe('Step 1 of 3 diverges: Expected number[][][] for cache.k, got number[][] (shape [1, 0] instead of [1, 1, 2]).');
    expect(verdict.cases[1].message).toMatch(/^Step 1 of 4 diverges: Expected shape \[2, \d, 4\] for cache\.k, got \[2, \d, 4\]\.$/);
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'cache-not-appended', confidence: 'full' });
    const property = (prefix: string) => verdict.cases.find((c) => c.name.startsWith(prefix));
    expect(property('the cache grows by one row per KV head')).toMatchObject({ status: 'fail' });
    expect(property('RoPE keeps lengths')?.message).toBe('Given 2 cached tokens, the cache you return has no row 2 (the new key) for KV head 0: append the rotated key.');
    expect(property('on an empty cache')).toMatchObject({ status: 'pass' });
  });

  test('grading: a "rotation" that is not one (a sign lost in the first half) fails the lengths property of Check yourself', async () => {
    const verdict = await gradeSource(id, await solutionWith('out[i] = head[i] * c - head[i + half] * s;', 'out[i] = head[i] * c + head[i + half] * s;'));
    expect(verdict.status).toBe('fail');
    const lengths = verdict.cases.find((c) => c.name.startsWith('RoPE keeps lengths'))!;
    expect(lengths.status).toBe('fail');
    expect(lengths.message).toMatch(/^The new key of KV head \d has length \d+\.\d{6}, but its slice of x·Wk has length \d+\.\d{6}: a rotation never changes a vector's length\.$/);
    expect(verdict.cases.find((c) => c.name.startsWith('the cache grows'))).toMatchObject({ status: 'pass' });
  });

  test('grading: RoPE on q only passes step 1 of the lesson (position 0 turns nothing) and diverges at step 2, fed its own cache', async () => {
    const verdict = await gradeSource(
      id,
      await solutionWith('const k = splitHeads(times(x, wk), kvHeads).map((h) => rotate(h, position, base));', 'const k = splitHeads(times(x, wk), kvHeads);'),
    );
    expect(verdict.status).toBe('fail');
    expect(verdict.cases[0].message).toMatch(/^Step 2 of 3 diverges \(fed your own step 1 output\): /);
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'rope-q-only', confidence: 'full' });
  });

  test('the ```js block of the lesson\'s last section computes the reference\'s output on the first case', async () => {
    const lesson = await fs.readFile(path.join(exerciseDir, 'lesson.md'), 'utf8');
    const last = lesson.slice(lesson.lastIndexOf('\n## '));
    expect(last).toMatch(/^\n## In practice: PyTorch and TensorFlow\.js\n/);
    expect(last).toMatch(/\*\*What differs\.\*\* /);
    const code = /```js\n([\s\S]*?)```/.exec(last)![1];
    expect(/```python\n[\s\S]*?\nresult = /.test(last)).toBe(true);
    const { ref, definition } = await loadExercise(id);
    const { tf } = await loadTf();
    for (const c of buildCases(ref, definition, 7).slice(0, 2)) {
      const [x, cache, params] = c.steps![0] as [number[], KVCache, Layer];
      const result = new Function('tf', 'x', 'cache', 'params', `${code}\nreturn result;`)(tf, x, cache, params) as Step;
      const want = (await reference(id, x, cache, params)) as Step;
      expectClose(result.out, want.out, 4, c.name);
      expectClose(result.cache.k, want.cache.k, 4, c.name);
      expectClose(result.cache.v, want.cache.v, 4, c.name);
    }
  });

  test('the lesson: Check yourself comes after Conventions and before Where it comes from, and every code line fits 76 columns', async () => {
    const lesson = await fs.readFile(path.join(exerciseDir, 'lesson.md'), 'utf8');
    const headings = [...lesson.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    const at = (h: string) => headings.indexOf(h);
    expect(at('Check yourself')).toBe(at('Conventions') + 1);
    expect(at('Where it comes from')).toBe(at('Check yourself') + 1);
    expect(headings.at(-1)).toBe('In practice: PyTorch and TensorFlow.js');
    expect(at('What it is for')).toBe(headings.length - 2);
    const fenced = [...lesson.matchAll(/```\w*\n([\s\S]*?)```/g)].flatMap((m) => m[1].split('\n'));
    const indented = lesson.split('\n').filter((line) => line.startsWith('    '));
    for (const line of [...fenced, ...indented]) expect(line.length, line).toBeLessThanOrEqual(76);
  });

  for (const seed of [7, 99, 2024]) {
    test(`every misconception fails the reference and is diagnosed as itself (seed ${seed})`, async () => {
      for (const result of await diagnoseEachMisconception(id, seed)) {
        expect(result.failingCases, result.id).toBeGreaterThan(0);
        expect(result.diagnosed, result.id).toBe(result.id);
      }
    });
  }
});

/** The milestone written the way the starter invites: the starter's own imports of the learner's matmul, applyRopeHalf and groupedQueryAttention, then a body that uses them. */
async function importingLearnerFile(): Promise<string> {
  const starter = await fs.readFile(path.join(exerciseDir, 'starter.ts'), 'utf8');
  const imports = starter.split('\n').filter((line) => line.startsWith('import '));
  expect(imports).toEqual([
    "import { matmul } from '../foundations/matmul.js';",
    "import { applyRopeHalf } from '../positions/rope-half-split.js';",
    "import { groupedQueryAttention } from './grouped-query.js';",
  ]);
  return `${imports.join('\n')}

export function llamaDecodeStep(x: number[], cache: { k: number[][][]; v: number[][][] }, params: { wq: number[][]; wk: number[][]; wv: number[][]; wo: number[][]; heads: number; kvHeads: number; base: number }) {
  const { wq, wk, wv, wo, heads, kvHeads, base } = params;
  const t = cache.k[0].length;
  const dh = wq[0].length / heads;
  const split = (row: number[], n: number) => Array.from({ length: n }, (_, h) => row.slice(h * dh, (h + 1) * dh));
  const rope = (rows: number[][]) => applyRopeHalf(rows, rows.map(() => t), base);
  const q = rope(split(matmul([x], wq)[0], heads));
  const k = rope(split(matmul([x], wk)[0], kvHeads));
  const v = split(matmul([x], wv)[0], kvHeads);
  const next = { k: cache.k.map((rows, g) => [...rows, k[g]]), v: cache.v.map((rows, g) => [...rows, v[g]]) };
  const merged = groupedQueryAttention(q.map((row) => [row]), next.k, next.v).flatMap((head) => head[0]);
  return { out: matmul([merged], wo)[0], cache: next };
}
`;
}

/** positions/rope-half-split written with neighbour pairs: the learner's own rope file, wrong. */
const neighbourRope = `export function applyRopeHalf(x: number[][], positions: number[], base: number): number[][] {
  return x.map((row, r) => {
    const out = [...row];
    for (let i = 0; i < row.length / 2; i++) {
      const a = positions[r] * base ** (-(2 * i) / row.length);
      out[2 * i] = row[2 * i] * Math.cos(a) - row[2 * i + 1] * Math.sin(a);
      out[2 * i + 1] = row[2 * i] * Math.sin(a) + row[2 * i + 1] * Math.cos(a);
    }
    return out;
  });
}
`;

describe(`${id} built from the learner's own files`, () => {
  test('an imported file still the starter: the verdict says which file to fill in, not the milestone\'s', async () => {
    const read = (exercise: string, file: string) => fs.readFile(path.join(repoRoot, 'exercises', 'transformer-core', exercise, file), 'utf8');
    const verdict = await gradeLearnerSource(id, {
      [`${id}.ts`]: await importingLearnerFile(),
      'foundations/matmul.ts': await read('foundations/matmul', 'solution.ts'),
      'attention/grouped-query.ts': await read('attention/grouped-query', 'solution.ts'),
      'positions/rope-half-split.ts': await read('positions/rope-half-split', 'starter.ts'),
    });
    expect(verdict.status).toBe('error');
    expect(verdict.summary).toBe(
      "Not implemented yet in rope-half-split.ts, which your file imports: replace its `throw new Error('not implemented')` with your code (its own exercise checks it), or write that part in llama-decode-step.ts.",
    );
    expect(verdict.cases[0].message).toMatch(/^Step 1 of 3: Your function threw Error: not implemented \(rope-half-split\.ts:\d+\)\.$/);
  });

  let ws: Workspace;
  const solution = (exercise: string) => fs.readFile(path.join(repoRoot, 'exercises', 'transformer-core', exercise, 'solution.ts'), 'utf8');
  const check = (exercise: string) => checkExercise(ws, ws.exercises.find((r) => r.id === exercise)!, { seed: 7 });

  beforeAll(async () => {
    ws = await openWorkspace(await makeWorkspace());
    for (const exercise of ['foundations/matmul', 'attention/grouped-query']) await fs.writeFile(learnerFile(ws.dir, exercise), await solution(exercise));
    await fs.writeFile(learnerFile(ws.dir, id), await importingLearnerFile());
  }, 60_000);

  test('with right imported files it passes, with no note', async () => {
    await fs.writeFile(learnerFile(ws.dir, 'positions/rope-half-split'), await solution('positions/rope-half-split'));
    for (const exercise of ['foundations/matmul', 'attention/grouped-query', 'positions/rope-half-split']) expect((await check(exercise)).status, exercise).toBe('pass');
    const verdict = await check(id);
    expect(verdict.summary).toMatch(/^All \d+ cases pass\.$/);
    expect(verdict.notes).toEqual([]);
  }, 60_000);

  test('with a wrong rope-half-split it fails, the notes name rope-half-split alone, and the diagnosis names the neighbour pairs', async () => {
    await fs.writeFile(learnerFile(ws.dir, 'positions/rope-half-split'), neighbourRope);
    expect((await check('positions/rope-half-split')).status).toBe('fail');
    const verdict = await check(id);
    expect(verdict.status).toBe('fail');
    expect(verdict.notes.filter((n) => n.startsWith('This file imports'))).toEqual([
      'This file imports rope-half-split.ts (transformer-core/positions/rope-half-split), which does not pass yet: if its code is wrong, this exercise fails too. Check it with `llm-tutor check transformer-core/positions/rope-half-split`.',
    ]);
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'neighbour-pairs' });
  }, 60_000);
});
