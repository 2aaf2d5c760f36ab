import { promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { transformerBlock } from '../../../exercises/training/block/transformer-block/solution.js';
import { lessonBlock } from '../../../exercises/training/block/transformer-block/exercise.js';
import type { BlockParams } from '../../../exercises/training/block/block-math.js';
import { buildCases } from '../../../src/core/grading/grade.js';
import { toPlainOutput } from '../../../src/core/grading/read-back.js';
import { builtinPacksDir } from '../../../src/core/common/paths.js';
import { checkExercise } from '../../../src/core/workspace/check.js';
import { openWorkspace, type Workspace } from '../../../src/core/workspace/workspace.js';
import { gradeLearnerSource, loadExercise, reference, wrong, wrongAlternatives } from '../../helpers/exercises.js';
import { learnerFile, makeWorkspace } from '../../helpers/cli.js';
import { expectClose, mm } from '../../helpers/matrices.js';
import { expectJsBlockMatchesReference, expectLessonLayout, expectMisconceptionsDiagnosed, trainingSolution } from './block-helpers.js';

const id = 'block/transformer-block';
const qualified = `training/${id}`;

/**
 * One GPT-2 block in float64, written here independently of the exercise:
 * LayerNorm with the biased variance, q/k/v with biases, a lower-triangular
 * softmax per contiguous head, c_proj, the residual sums, the tanh-GELU MLP.
 * Returns every intermediate the lesson shows.
 */
function plainBlock(x: number[][], p: BlockParams, H: number, attnBiases = p.attn) {
  const plus = (m: number[][], b: number[]) => m.map((row) => row.map((v, j) => v + b[j]));
  const sum = (m: number[][], n: number[][]) => m.map((row, i) => row.map((v, j) => v + n[i][j]));
  const norm = (m: number[][], { gamma, beta }: { gamma: number[]; beta: number[] }) =>
    m.map((row) => {
      const mu = row.reduce((s, v) => s + v, 0) / row.length;
      const sd = Math.sqrt(row.reduce((s, v) => s + (v - mu) * (v - mu), 0) / row.length + 1e-5);
      return row.map((v, j) => ((v - mu) / sd) * gamma[j] + beta[j]);
    });
  const [T, C] = [x.length, x[0].length];
  const d = C / H;
  const h1 = norm(x, p.ln_1);
  const [q, k, v] = [plus(mm(h1, p.attn.wq), attnBiases.bq), plus(mm(h1, p.attn.wk), attnBiases.bk), plus(mm(h1, p.attn.wv), attnBiases.bv)];
  const weights: number[][][] = [];
  const merged = x.map(() => new Array<number>(C).fill(0));
  for (let head = 0; head < H; head++) {
    const cols = Array.from({ length: d }, (_, c) => head * d + c);
    const rows = q.map((qi, i) => {
      const s = k.map((kj, j) => (j <= i ? cols.reduce((acc, c) => acc + qi[c] * kj[c], 0) / Math.sqrt(d) : -Infinity));
      const e = s.map((z) => Math.exp(z - Math.max(...s)));
      return e.map((z) => z / e.reduce((a, b) => a + b, 0));
    });
    rows.forEach((w, i) => cols.forEach((c) => (merged[i][c] = w.reduce((acc, wj, j) => acc + wj * v[j][c], 0))));
    weights.push(rows);
  }
  const attn = plus(mm(merged, p.attn.wo), attnBiases.bo);
  const a = sum(x, attn);
  const gelu = (z: number) => 0.5 * z * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (z + 0.044715 * z ** 3)));
  const mlp = plus(mm(plus(mm(norm(a, p.ln_2), p.mlp.w1), p.mlp.b1).map((row) => row.map(gelu)), p.mlp.w2), p.mlp.b2);
  return { h1, weights, attn, a, mlp, y: sum(a, mlp), T };
}

/** The lesson's table, rounded to 6 decimals (and worked in NumPy). */
const lesson = {
  attn: [
    [1.499995, -0.999995, 0.999995, -1.499995],
    [1.499995, 0.608852, -0.608852, -1.499995],
    [-0.035827, 0.909217, 0.783226, -1.499995],
  ],
  a: [
    [2.499995, -1.999995, 1.999995, -2.499995],
    [3.499995, 2.608852, -0.608852, -1.499995],
    [-0.035827, 2.909217, 2.783226, -1.499995],
  ],
  mlp: [
    [0.518883, 0.350459, 0.350459, 0.618883],
    [0.588192, 0.269671, 0.269671, 0.688192],
    [0.155759, 0.432745, 0.38246, 0.824444],
  ],
  y: [
    [3.018878, -1.649536, 2.350454, -1.881112],
    [4.088187, 2.878523, -0.339181, -0.811803],
    [0.119932, 3.341962, 3.165686, -0.675551],
  ],
  head0: [
    [1, 0, 0],
    [0.195573, 0.804427, 0],
    [0.045389, 0.186696, 0.767915],
  ],
  head1Row2: [0.445808, 0.108385, 0.445808],
};

describe(id, () => {
  test('the lesson\'s table: attention weights, attn, a, mlp and y from the independent float64 block', () => {
    const got = plainBlock(...lessonBlock);
    expectClose(got.weights[0], lesson.head0, 6);
    expectClose(got.weights[1][2], lesson.head1Row2, 6);
    for (const step of ['attn', 'a', 'mlp', 'y'] as const) expectClose(got[step], lesson[step], 6, step);
    // Every row of x has variance 1: ln_1(x) is ±1/√(1 + 1e-5).
    expectClose(got.h1[1], [1, 1, -1, -1].map((s) => s / Math.sqrt(1 + 1e-5)), 9);
  });

  test('the reference, its trace and the model solution give the lesson\'s numbers', async () => {
    expectClose(await reference(qualified, ...lessonBlock), lesson.y, 5);
    expectClose(transformerBlock(...lessonBlock), lesson.y, 6);
    const { definition, ctx } = await loadExercise(qualified);
    const trace = (await toPlainOutput(ctx, () => definition.trace!(ctx, ...lessonBlock))) as Record<string, number[][]>;
    expect(Object.keys(trace)).toEqual(['ln_1', 'weights', 'attn', 'a', 'ln_2', 'mlp']);
    expectClose(trace.weights[0], lesson.head0, 5);
    for (const step of ['attn', 'a', 'mlp'] as const) expectClose(trace[step], lesson[step], 5, step);
  });

  test('the lesson\'s claims about the biases: bk changes nothing, bv folds into bo as bv·wo, bq does not fold', async () => {
    const { ref, definition } = await loadExercise(qualified);
    const [x, p, H] = buildCases(ref, definition, 7)[1].args as [number[][], BlockParams, number];
    const zero = p.attn.bk.map(() => 0);
    const full = plainBlock(x, p, H).y;
    expectClose(plainBlock(x, p, H, { ...p.attn, bk: zero }).y, full, 10);
    const folded = mm([p.attn.bv], p.attn.wo)[0].map((v, j) => v + p.attn.bo[j]);
    expectClose(plainBlock(x, p, H, { ...p.attn, bv: zero, bo: folded }).y, full, 10);
    const withoutBq = plainBlock(x, p, H, { ...p.attn, bq: zero }).y;
    expect(Math.max(...withoutBq.flatMap((row, i) => row.map((v, j) => Math.abs(v - full[i][j]))))).toBeGreaterThan(1e-3);
  });

  test('the reference agrees with the independent block and the model solution on every case of two seeds', async () => {
    const { ref, definition } = await loadExercise(qualified);
    for (const seed of [7, 99]) {
      const cases = buildCases(ref, definition, seed);
      expect(cases.length).toBeLessThanOrEqual(12);
      for (const c of cases) {
        const [x, p, H] = c.args as [number[][], BlockParams, number];
        const want = plainBlock(x, p, H).y;
        expectClose(await reference(qualified, x, p, H), want, 4, c.name);
        expectClose(transformerBlock(x, p, H), want, 9, c.name);
      }
    }
  });

  test('the wrong orders on the lesson example: post-norm normalises every row, the stream-normed block starts from ln_1(x)', async () => {
    const post = (await wrong(qualified, 'post-norm', ...lessonBlock)) as number[][];
    for (const row of post) expect(row.reduce((s, v) => s + v, 0) / row.length).toBeCloseTo(0, 9);
    const normed = (await wrong(qualified, 'ln-on-residual-stream', ...lessonBlock)) as number[][];
    expect(Math.abs(normed[1][0] - lesson.y[1][0])).toBeGreaterThan(0.5);
    // Without the MLP's residual the block returns mlp(ln_2(a)), the table's mlp row.
    const [, noMlpResidual] = (await wrongAlternatives(qualified, 'residual-dropped', ...lessonBlock)) as number[][][];
    expectClose(noMlpResidual, lesson.mlp, 5);
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    await expectMisconceptionsDiagnosed(id);
  });

  test('the properties hold for the solution; a post-norm learner breaks the residual one, a non-causal learner the causality one', async () => {
    const named = (v: Awaited<ReturnType<typeof gradeLearnerSource>>, prefix: string) => v.cases.filter((c) => c.name.startsWith(prefix)).map((c) => c.status);
    const residual = 'with both output projections zero, the block passes x through unchanged';
    const causal = 'changing the last token leaves the earlier outputs unchanged';
    const solution = await trainingSolution(id);
    const solved = await gradeLearnerSource(id, { [`${id}.ts`]: solution }, 7, 'training');
    expect([...named(solved, residual), ...named(solved, causal)]).toEqual(['pass', 'pass', 'pass', 'pass']);
    const postNorm = solution.replace(
      'const a = add(x, attention(layerNorm(x, p.ln_1), p.attn, numHeads));\n  return add(a, mlp(layerNorm(a, p.ln_2), p.mlp));',
      'const a = layerNorm(add(x, attention(x, p.attn, numHeads)), p.ln_1);\n  return layerNorm(add(a, mlp(a, p.mlp)), p.ln_2);',
    );
    expect(postNorm).not.toBe(solution);
    const post = await gradeLearnerSource(id, { [`${id}.ts`]: postNorm }, 7, 'training');
    expect(named(post, residual)).toEqual(['fail', 'fail']);
    expect(post.diagnosis?.misconceptionId).toBe('post-norm');
    const seesAll = solution.replace('k.slice(0, i + 1)', 'k');
    expect(seesAll).not.toBe(solution);
    expect(named(await gradeLearnerSource(id, { [`${id}.ts`]: seesAll }, 7, 'training'), causal)).toEqual(['fail', 'fail']);
  });

  test('the lesson: its sections in order, and the js block of In practice computes the reference', async () => {
    await expectLessonLayout(id);
    await expectJsBlockMatchesReference(id, ['x', 'p', 'numHeads']);
  });
});

/** A learner's layerNorm as norms/layer-norm's signature fixes it, right or with the unbiased variance (÷(C − 1)). */
const learnerLayerNorm = (divisor: string) => `export function layerNorm(x: number[][], gamma: number[], beta: number[], eps: number): number[][] {
  return x.map((row) => {
    const mean = row.reduce((s, v) => s + v, 0) / row.length;
    const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / ${divisor};
    return row.map((v, c) => ((v - mean) / Math.sqrt(variance + eps)) * gamma[c] + beta[c]);
  });
}
`;

const transformerCore = (exercise: string, file: string) => fs.readFile(path.join(builtinPacksDir, 'transformer-core', exercise, file), 'utf8');

/** The milestone written as the starter invites: its own imports, and a body that calls layerNorm, mlp and causalAttention per head (or multiHeadAttention, with the biases folded as the lesson says). */
async function importingLearnerFile(attention: 'per-head' | 'multi-head'): Promise<string> {
  const starter = await fs.readFile(path.join(builtinPacksDir, 'training', id, 'starter.ts'), 'utf8');
  const imports = starter.split('\n').filter((line) => line.startsWith('import '));
  expect(imports).toEqual([
    "import { layerNorm } from '../norms/layer-norm.js';",
    "import { mlp } from './mlp.js';",
    "import { multiHeadAttention } from '../../transformer-core/attention/multi-head.js';",
    "import { causalAttention } from '../../transformer-core/attention/causal-mask.js';",
  ]);
  const attend =
    attention === 'per-head'
      ? `const [q, k, v] = [[A.wq, A.bq], [A.wk, A.bk], [A.wv, A.bv]].map(([w, b]) => linear(h, w as number[][], b as number[]));
  const d = q[0].length / numHeads;
  const cols = (m: number[][], j: number) => m.map((row) => row.slice(j * d, (j + 1) * d));
  const heads = Array.from({ length: numHeads }, (_, j) => causalAttention(cols(q, j), cols(k, j), cols(v, j)));
  const merged = h.map((_, t) => heads.flatMap((head) => head[t]));
  return linear(merged, A.wo, A.bo);`
      : `const bias = linear([A.bv], A.wo, A.bo)[0];
  return multiHeadAttention(h, A, numHeads).map((row) => row.map((v, j) => v + bias[j]));`;
  return `${imports.join('\n')}

type P = { ln_1: { gamma: number[]; beta: number[] }; attn: Record<'wq' | 'wk' | 'wv' | 'wo', number[][]> & Record<'bq' | 'bk' | 'bv' | 'bo', number[]>; ln_2: { gamma: number[]; beta: number[] }; mlp: { w1: number[][]; b1: number[]; w2: number[][]; b2: number[] } };

const linear = (x: number[][], w: number[][], b: number[]) => x.map((row) => b.map((bias, j) => row.reduce((s, v, i) => s + v * w[i][j], bias)));
const add = (a: number[][], b: number[][]) => a.map((row, i) => row.map((v, j) => v + b[i][j]));

function attn(h: number[][], A: P['attn'], numHeads: number): number[][] {
  ${attend}
}

export function transformerBlock(x: number[][], p: P, numHeads: number): number[][] {
  const a = add(x, attn(layerNorm(x, p.ln_1.gamma, p.ln_1.beta, 1e-5), p.attn, numHeads));
  return add(a, mlp(layerNorm(a, p.ln_2.gamma, p.ln_2.beta, 1e-5), p.mlp));
}
`;
}

/** Whether the training pack lists norms/layer-norm (the norms track's exercise), so that a note can name it. */
const layerNormListed = readFileSync(path.join(builtinPacksDir, 'training', 'pack.json'), 'utf8').includes('"norms/layer-norm"');

describe(`${id} built from the learner's own files`, () => {
  /** The learner's files of the milestone's imports, as paths under the training pack's folder. */
  const learnerFiles = async (layerNorm: string) => ({
    'norms/layer-norm.ts': layerNorm,
    'block/mlp.ts': await trainingSolution('block/mlp'),
    '../transformer-core/attention/causal-mask.ts': await transformerCore('attention/causal-mask', 'solution.ts'),
    '../transformer-core/attention/multi-head.ts': await transformerCore('attention/multi-head', 'solution.ts'),
  });

  test('with right imported files, attention per head through causalAttention, it passes', async () => {
    const verdict = await gradeLearnerSource(id, { [`${id}.ts`]: await importingLearnerFile('per-head'), ...(await learnerFiles(learnerLayerNorm('row.length'))) }, 7, 'training');
    expect(verdict.summary, verdict.cases.map((c) => `${c.name}: ${c.message}`).join('\n')).toMatch(/^All \d+ cases pass\.$/);
  });

  test('through multiHeadAttention with bv and bo folded, only the case with bq = 0 passes and the verdict names the query bias', async () => {
    const verdict = await gradeLearnerSource(id, { [`${id}.ts`]: await importingLearnerFile('multi-head'), ...(await learnerFiles(learnerLayerNorm('row.length'))) }, 7, 'training');
    const bqZero = verdict.cases.find((c) => c.name.startsWith('bq = 0'))!;
    expect(bqZero.status).toBe('pass');
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'query-bias-dropped', confidence: 'full' });
  });

  test('with layer-norm still the starter, the verdict says to fill in layer-norm.ts', async () => {
    const starter = `export function layerNorm(x: number[][], gamma: number[], beta: number[], eps: number): number[][] {\n  throw new Error('not implemented');\n}\n`;
    const verdict = await gradeLearnerSource(id, { [`${id}.ts`]: await importingLearnerFile('per-head'), ...(await learnerFiles(starter)) }, 7, 'training');
    expect(verdict.status).toBe('error');
    expect(verdict.summary).toBe(
      "Not implemented yet in layer-norm.ts, which your file imports: replace its `throw new Error('not implemented')` with your code (its own exercise checks it), or write that part in transformer-block.ts.",
    );
  });

  let ws: Workspace;
  const check = (pack: string, exercise: string) => checkExercise(ws, ws.exercises.find((r) => r.key === `${pack}/${exercise}`)!, { seed: 7 });

  beforeAll(async () => {
    ws = await openWorkspace(await makeWorkspace(['transformer-core', 'training']));
    const files = await learnerFiles(learnerLayerNorm('row.length'));
    for (const [file, source] of Object.entries(files)) {
      const full = path.join(ws.dir, 'exercises', 'training', file);
      await fs.mkdir(path.dirname(full), { recursive: true });
      await fs.writeFile(full, source);
    }
    await fs.writeFile(learnerFile(ws.dir, id, 'training'), await importingLearnerFile('per-head'));
    for (const exercise of ['attention/causal-mask', 'attention/multi-head']) expect((await check('transformer-core', exercise)).status).toBe('pass');
    expect((await check('training', 'block/mlp')).status).toBe('pass');
    if (layerNormListed) expect((await check('training', 'norms/layer-norm')).status).toBe('pass');
  }, 60_000);

  test('with a wrong causal-mask of transformer-core, the milestone fails and the notes name that exercise', async () => {
    const wrongMask = (await transformerCore('attention/causal-mask', 'solution.ts')).replace(/Math\.sqrt\((\w+)\)/, 'Math.sqrt($1 * 2)');
    expect(wrongMask).not.toBe(await transformerCore('attention/causal-mask', 'solution.ts'));
    await fs.writeFile(learnerFile(ws.dir, 'attention/causal-mask'), wrongMask);
    try {
      expect((await check('transformer-core', 'attention/causal-mask')).status).toBe('fail');
      const verdict = await check('training', id);
      expect(verdict.status).toBe('fail');
      expect(verdict.notes.filter((n) => n.startsWith('This file imports'))).toEqual([
        'This file imports causal-mask.ts (transformer-core/attention/causal-mask), which does not pass yet: if its code is wrong, this exercise fails too. Check it with `llm-tutor check transformer-core/attention/causal-mask`.',
      ]);
    } finally {
      await fs.writeFile(learnerFile(ws.dir, 'attention/causal-mask'), await transformerCore('attention/causal-mask', 'solution.ts'));
    }
  }, 60_000);

  // norms/layer-norm joins pack.json when the norms track is merged; until then no exercise owns the file and no note can name it.
  test.runIf(layerNormListed)('with a layer-norm that divides by C − 1, the milestone fails and the notes name norms/layer-norm alone', async () => {
    await fs.writeFile(learnerFile(ws.dir, 'norms/layer-norm', 'training'), learnerLayerNorm('(row.length - 1)'));
    expect((await check('training', 'norms/layer-norm')).status).toBe('fail');
    expect((await check('transformer-core', 'attention/causal-mask')).status).toBe('pass');
    const verdict = await check('training', id);
    expect(verdict.status).toBe('fail');
    expect(verdict.notes.filter((n) => n.startsWith('This file imports'))).toEqual([
      'This file imports layer-norm.ts (training/norms/layer-norm), which does not pass yet: if its code is wrong, this exercise fails too. Check it with `llm-tutor check training/norms/layer-norm`.',
    ]);
  }, 60_000);
});
