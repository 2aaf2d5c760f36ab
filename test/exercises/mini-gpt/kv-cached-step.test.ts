import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { gptStep } from '../../../exercises/mini-gpt/model/kv-cached-step/solution.js';
import { lessonModel, lessonTokens } from '../../../exercises/mini-gpt/model/forward-math.js';
import { forward64, forwardSteps64, shippedModel, weightsOf, type GptCache, type GptWeights } from '../../../exercises/mini-gpt/model/gpt-math.js';
import { layerNorm64, linear } from '../../../exercises/training/block/block-math.js';
import { encode } from '../../../src/pack-api.js';
import { builtinPacksDir } from '../../../src/core/common/paths.js';
import { toPlainOutput } from '../../../src/core/grading/read-back.js';
import { loadTf } from '../../../src/reference/backend.js';
import { materializeArgs } from '../../../src/sandbox/wire.js';
import { gradeLearnerSource, loadExercise, reference, wrong, wrongAlternatives } from '../../helpers/exercises.js';
import { packExercises } from '../../helpers/pack-exercises.js';
import { expectPropertyBroken, expectSolutionHolds, solutionSource } from '../../helpers/properties.js';
import { expectClose, maxRatio } from './mini-gpt-helpers.js';

const id = 'model/kv-cached-step';
const qualified = `mini-gpt/${id}`;
const { file, seededCases, seededExpected, grade, expectEachMisconceptionDiagnosed, runLessonJs, lessonBlock: lessonPicture } = packExercises('mini-gpt');
type Args = [number, GptCache, GptWeights];
interface Step {
  logits: number[];
  cache: GptCache;
}

const tolerance = { atol: 1e-4, rtol: 1e-4 };
const empty = (w: GptWeights): GptCache => w.h.map(() => ({ k: [], v: [] }));
const step = async (...args: Args) => (await reference(qualified, ...args)) as Step;

/**
 * The keys and values the forward pass computes in every layer, written here
 * from gpt-math's float64 forward (the stream entering each block) and
 * training's block-math: k = ln_1(x)·wk + bk, v = ln_1(x)·wv + bv.
 */
function forwardCache(w: GptWeights, tokens: number[]): GptCache {
  const streams = forwardSteps64(w, tokens).steps.map(([, x]) => x);
  return w.h.map((p, l) => {
    const h = layerNorm64(streams[l], p.ln_1);
    return { k: linear(h, p.attn.wk, p.attn.bk), v: linear(h, p.attn.wv, p.attn.bv) };
  });
}

/** The forward pass's logits and cache, rebuilt by running `stepFn` from the empty cache, each step on the cache the one before returned. */
async function runSteps(w: GptWeights, tokens: number[], stepFn: (...args: Args) => Step | Promise<Step>): Promise<{ rows: number[][]; cache: GptCache }> {
  let cache = empty(w);
  const rows: number[][] = [];
  for (const token of tokens) {
    const out = await stepFn(token, cache, w);
    rows.push(out.logits);
    cache = out.cache;
  }
  return { rows, cache };
}

const appended = 'the returned cache is the one passed in with one more row in each layer';
const layer0 = 'layer 0\'s new key and value depend only on the token and its position';

describe(id, () => {
  test('the lesson\'s step 0 by hand: ln_1(x) = ±1/√(1 + 1e-5), k = ln_1(x) + bk, v = ln_1(x) + bv, logits = gptForward\'s row 0', async () => {
    const s = 1 / Math.sqrt(1 + 1e-5);
    expect(s).toBeCloseTo(0.999995, 6);
    const h = [s, -s, s, -s];
    const out = await step(lessonTokens[0], empty(lessonModel), lessonModel);
    expectClose(out.cache[0].k, [h.map((v) => v + 1)], 5);
    expectClose(out.cache[0].k, [[1.999995, 0.000005, 1.999995, 0.000005]], 6);
    expectClose(out.cache[0].v, [[1.499995, -0.999995, 0.999995, -1.499995]], 6);
    expectClose(out.logits, forward64(lessonModel, lessonTokens)[0], 5);
    expectClose(out.logits, [0.200982, -0.097554, 2.085035, -0.200982, -2.188463, 0.103428], 5);
  });

  test('the lesson\'s step 2 by hand: the attention weights of its heatmap from the cached rows, and the logits of gptForward\'s row 2', async () => {
    const s = 1 / Math.sqrt(1 + 1e-5);
    const keys = [
      [1 + s, 1 - s, 1 + s, 1 - s],
      [1 + s, 1 + s, 1 - s, 1 - s],
      [1 - s, 1 + s, 1 + s, 1 - s],
    ];
    const q = [-s, s, s, -s];
    const weights = [0, 1].map((head) => {
      const scores = keys.map((k) => (q[2 * head] * k[2 * head] + q[2 * head + 1] * k[2 * head + 1]) / Math.SQRT2);
      const e = scores.map(Math.exp);
      return e.map((x) => x / e.reduce((a, b) => a + b, 0));
    });
    const shown = (await lessonPicture(id, 'heatmap')).split('\n').filter((l) => l.startsWith('head')).map((l) => l.trim().split(/\s+/).slice(1).map(Number));
    expectClose(weights, shown, 6);
    const cache = forwardCache(lessonModel, lessonTokens.slice(0, 2));
    expectClose(cache[0].k, keys.slice(0, 2), 9);
    const { definition, ctx } = await loadExercise(qualified);
    const trace = (await toPlainOutput(ctx, () => definition.trace!(ctx, lessonTokens[2], cache, lessonModel))) as Record<string, number[][]>;
    expect(Object.keys(trace)).toEqual(['embedding', 'h.0 attention weights', 'h.0', 'ln_f']);
    expectClose(trace['h.0 attention weights'], shown, 5);
    expectClose(trace.embedding, [0, 2, 2, 0], 6);
    const out = await step(lessonTokens[2], cache, lessonModel);
    expectClose(out.logits, [0.271568, 1.973903, -1.800859, -0.271568, -0.444612, 2.245471], 5);
    expectClose(out.cache[0].k[2], keys[2], 5);
    expectClose(out.cache[0].v[2], [-0.499995, 0.999995, 0.999995, -1.499995], 5);
    expect(cache[0].k).toHaveLength(2);
  });

  test('a run of reference steps from the empty cache gives the float64 forward pass row by row, and its cache is the forward pass\'s keys and values', async () => {
    const { ref } = await loadExercise(qualified);
    const shakespeare = shippedModel(ref.dir, 'shakespeare');
    const random = (await seededCases(id)).find((c) => c.name.startsWith('the last position'))!;
    const runs: [string, GptWeights, number[]][] = [
      ['the lesson model', lessonModel, lessonTokens],
      ['a random model, a full context', materializeArgs(random.args)[2] as GptWeights, [1, 0, 7, 3, 3, 5, 2, 6]],
      ['Shakespeare', materializeArgs([weightsOf(shakespeare)])[0] as GptWeights, encode(shakespeare.tokenizer, 'ROMEO:')],
    ];
    for (const [name, w, tokens] of runs) {
      const { rows, cache } = await runSteps(w, tokens, step);
      expect(maxRatio(rows, forward64(w, tokens), tolerance), name).toBeLessThan(0.25);
      expect(maxRatio(cache, forwardCache(w, tokens), tolerance), name).toBeLessThan(0.25);
      const solved = await runSteps(w, tokens, gptStep);
      expectClose(solved.rows, forward64(w, tokens), 8, name);
      expect(maxRatio(solved.cache, forwardCache(w, tokens), { atol: 1e-9, rtol: 1e-9 }), name).toBeLessThan(1);
    }
  }, 300_000);

  test('on every case of two seeds the reference agrees with the model solution, and each case\'s cache is the forward pass\'s', async () => {
    for (const c of await seededExpected(id)) {
      const [token, cache, w] = materializeArgs(c.args) as Args;
      const want = gptStep(token, cache, w);
      expect(maxRatio(c.expected as Step, want, tolerance), c.name).toBeLessThan(0.25);
      expect(want.cache[0].k).toHaveLength(cache[0].k.length + 1);
      // The cache a case holds: the keys and values of some prefix, as the forward pass computes them.
      expect(cache.every((layer) => layer.k.length === cache[0].k.length && layer.v.length === cache[0].k.length)).toBe(true);
    }
    const shipped = (await seededCases(id)).find((c) => c.name.includes('"ROMEO"'))!;
    const [token, cache, w] = materializeArgs(shipped.args) as Args;
    expect(token).toBe(encode(shippedModel((await loadExercise(qualified)).ref.dir, 'shakespeare').tokenizer, ':')[0]);
    expect(maxRatio(cache, forwardCache(w, encode(shippedModel((await loadExercise(qualified)).ref.dir, 'shakespeare').tokenizer, 'ROMEO')), { atol: 1e-9, rtol: 1e-9 })).toBeLessThan(1);
  }, 300_000);

  test('the wrong variants on the lesson\'s step 2 give the Pitfalls\' numbers', async () => {
    const lesson = await file(id, 'lesson.md');
    const cache = forwardCache(lessonModel, lessonTokens.slice(0, 2));
    const at = async (mistake: string) => (await wrong(qualified, mistake, lessonTokens[2], cache, lessonModel)) as Step;
    expectClose((await at('own-key-left-out')).logits, [0.707379, 1.731822, -1.024444, -0.707379, -1.414757, 2.439201], 6);
    expectClose((await at('position-zero')).logits, [0.067735, 1.561038, -0.312614, -0.067735, -1.316159, 1.628773], 6);
    const [oneHead, wideScale] = (await wrongAlternatives(qualified, 'whole-row-attention', lessonTokens[2], cache, lessonModel)) as Step[];
    expectClose(oneHead.logits, [0.216275, 1.976471, -1.760196, -0.216275, -0.43255, 2.192746], 6);
    expectClose(wideScale.logits, [0.323025, 1.962084, -1.747919, -0.323025, -0.53719, 2.285109], 6);
    const stale = await at('cache-not-extended');
    expectClose(stale.logits, [0.271568, 1.973903, -1.800859, -0.271568, -0.444612, 2.245471], 6);
    expect(stale.cache[0].k).toHaveLength(2);
    for (const n of ['0.707379, 1.731822, −1.024444', '0.067735, 1.561038, −0.312614', '0.216275, 1.976471, −1.760196', '0.323025, 1.962084, −1.747919']) expect(lesson).toContain(n);
    // At position 0 the position and the scale do not matter; the own key does (nothing is left to attend to).
    const first = async (mistake: string) => (await wrong(qualified, mistake, lessonTokens[0], empty(lessonModel), lessonModel)) as Step;
    const right = await step(lessonTokens[0], empty(lessonModel), lessonModel);
    expectClose((await first('position-zero')).logits, right.logits, 5);
    for (const alternative of (await wrongAlternatives(qualified, 'whole-row-attention', lessonTokens[0], empty(lessonModel), lessonModel)) as Step[]) expectClose(alternative.logits, right.logits, 5);
    expect(maxRatio((await first('own-key-left-out')).logits, right.logits, tolerance)).toBeGreaterThan(1);
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    expect(await expectEachMisconceptionDiagnosed(id)).toEqual(['own-key-left-out', 'position-zero', 'whole-row-attention', 'cache-not-extended']);
  }, 600_000);

  test('check yourself: both properties hold for the model solution; a stale cache breaks the first, keys cached after attention the second', async () => {
    await expectSolutionHolds(qualified, { [appended]: 2, [layer0]: 2 });
    const source = await solutionSource(qualified);
    const stale = source.replace('cache: next };', 'cache };');
    expect(stale).not.toBe(source);
    const verdict = await expectPropertyBroken(qualified, stale, appended, /^Layer 0's k had 2 rows; after one step it should have 3, and yours has 2\./);
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'cache-not-extended', confidence: 'full' });
    const late = source
      .replace('    next.push({ k: keys, v: values });\n', '')
      .replace('    const a = x.map((v, j) => v + attn[j]);\n', '    const a = x.map((v, j) => v + attn[j]);\n    next.push({ k: [...cache[l].k, linear(layerNorm(a, p.ln_1), p.attn.wk, p.attn.bk)], v: values });\n');
    expect(late).not.toBe(source);
    await expectPropertyBroken(qualified, late, layer0, /^The same token at position 3 after two different caches got different layer-0 k rows/);
  }, 600_000);

  test('a learner who pushes onto the cache passed in is stopped: the cache is read-only', async () => {
    const source = (await solutionSource(qualified)).replace('const keys = [...cache[l].k, linear(h, p.attn.wk, p.attn.bk)];', 'const keys = cache[l].k;\n    keys.push(linear(h, p.attn.wk, p.attn.bk));');
    expect(source).not.toBe(await solutionSource(qualified));
    const verdict = await grade(id, source);
    expect(verdict.status).not.toBe('pass');
    expect(`${verdict.summary} ${verdict.cases.map((c) => c.message ?? '').join(' ')}`).toMatch(/not extensible|read only|changed its input/);
  }, 300_000);

  test('the learner\'s own files, as the starter imports them, with decodeStep run per head, pass', async () => {
    const starter = await file(id, 'starter.ts');
    const imports = starter.split('\n').filter((line) => line.startsWith('import '));
    const body = `
type P = { ln_1: { gamma: number[]; beta: number[] }; attn: Record<'wq' | 'wk' | 'wv' | 'wo', number[][]> & Record<'bq' | 'bk' | 'bv' | 'bo', number[]>; ln_2: { gamma: number[]; beta: number[] }; mlp: { w1: number[][]; b1: number[]; w2: number[][]; b2: number[] } };
type W = { config: { heads: number; width: number }; wte: number[][]; wpe: number[][]; h: P[]; ln_f: { gamma: number[]; beta: number[] } };
const linear = (x: number[], w: number[][], b: number[]) => b.map((bias, j) => x.reduce((s, v, i) => s + v * w[i][j], bias));

export function gptStep(token: number, cache: { k: number[][]; v: number[][] }[], w: W) {
  const t = cache[0].k.length;
  const { heads: H, width: C } = w.config;
  const d = C / H;
  const cols = (row: number[], j: number) => row.slice(j * d, (j + 1) * d);
  let x = w.wte[token].map((e, j) => e + w.wpe[t][j]);
  const next = w.h.map((p, l) => {
    const h = layerNorm([x], p.ln_1.gamma, p.ln_1.beta, 1e-5)[0];
    const [q, k, v] = [linear(h, p.attn.wq, p.attn.bq), linear(h, p.attn.wk, p.attn.bk), linear(h, p.attn.wv, p.attn.bv)];
    const merged: number[] = [];
    for (let j = 0; j < H; j++) {
      const past = { k: cache[l].k.map((r) => cols(r, j)), v: cache[l].v.map((r) => cols(r, j)) };
      merged.push(...decodeStep(past, cols(q, j), cols(k, j), cols(v, j)).out);
    }
    const attn = linear(merged, p.attn.wo, p.attn.bo);
    const a = x.map((e, i) => e + attn[i]);
    const m = mlp([layerNorm([a], p.ln_2.gamma, p.ln_2.beta, 1e-5)[0]], p.mlp)[0];
    x = a.map((e, i) => e + m[i]);
    return { k: [...cache[l].k, k], v: [...cache[l].v, v] };
  });
  return { logits: unembed(layerNorm([x], w.ln_f.gamma, w.ln_f.beta, 1e-5), w.wte)[0], cache: next };
}
`;
    const solution = (pack: string, exercise: string) => fs.readFile(path.join(builtinPacksDir, pack, exercise, 'solution.ts'), 'utf8');
    const files = {
      [`${id}.ts`]: `${imports.join('\n')}\n${body}`,
      '../training/norms/layer-norm.ts': await solution('training', 'norms/layer-norm'),
      '../training/block/mlp.ts': await solution('training', 'block/mlp'),
      '../training/block/tied-unembedding.ts': await solution('training', 'block/tied-unembedding'),
      '../transformer-core/attention/kv-cache.ts': await solution('transformer-core', 'attention/kv-cache'),
    };
    const verdict = await gradeLearnerSource(id, files, 7, 'mini-gpt');
    expect(verdict.summary, verdict.cases.map((c) => `${c.name}: ${c.message}`).join('\n')).toMatch(/^All \d+ cases pass\.$/);
    // The same body with decodeStep given the whole rows: one head of width C.
    const wide = files[`${id}.ts`].replace('for (let j = 0; j < H; j++) {', 'for (let j = 0; j < 1; j++) {').replace('const d = C / H;', 'const d = C;');
    const scaled = await gradeLearnerSource(id, { ...files, [`${id}.ts`]: wide }, 7, 'mini-gpt');
    expect(scaled.diagnosis, `${scaled.summary}\n${scaled.cases.map((c) => `${c.name}: ${c.status} ${c.message}`).join('\n')}`).toMatchObject({ misconceptionId: 'whole-row-attention', confidence: 'full' });
  }, 300_000);

  test('the ```js block of In practice gives the reference\'s step on the first case (the empty cache)', async () => {
    const { tf } = await loadTf();
    const args = { token: lessonTokens[0], cache: empty(lessonModel), w: lessonModel };
    const got = (await runLessonJs(id, tf, args)) as Step;
    expect(maxRatio(got, await step(args.token, args.cache, args.w), { atol: 1e-5, rtol: 1e-4 })).toBeLessThan(1);
  });
});
