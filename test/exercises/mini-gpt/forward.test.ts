import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { gptForward } from '../../../exercises/mini-gpt/model/forward/solution.js';
import { lessonModel, lessonTokens, run64 } from '../../../exercises/mini-gpt/model/forward-math.js';
import { forward64, forwardSteps64, shippedModel, type GptWeights } from '../../../exercises/mini-gpt/model/gpt-math.js';
import { lessonBlock } from '../../../exercises/training/block/transformer-block/exercise.js';
import { transformerBlock } from '../../../exercises/training/block/transformer-block/solution.js';
import { encode, gptLogits, tfParams } from '../../../src/pack-api.js';
import { builtinPacksDir } from '../../../src/core/common/paths.js';
import { toPlainOutput } from '../../../src/core/grading/read-back.js';
import { loadTf } from '../../../src/reference/backend.js';
import { materializeArgs } from '../../../src/sandbox/wire.js';
import { gradeLearnerSource, loadExercise, reference, wrong } from '../../helpers/exercises.js';
import { expectClose, maxRatio } from './mini-gpt-helpers.js';
import { packExercises } from '../../helpers/pack-exercises.js';
import { expectPropertyBroken, expectSolutionHolds, solutionSource } from '../../helpers/properties.js';

const id = 'model/forward';
const qualified = `mini-gpt/${id}`;
const { file, seededCases, seededExpected, namedCase, grade, expectEachMisconceptionDiagnosed, runLessonJs, lessonBlock: lessonPicture } = packExercises('mini-gpt');
type Args = [number[], GptWeights];

/** The lesson's logits, as its heatmap shows them. */
async function heatmapLogits(): Promise<number[][]> {
  const rows = (await lessonPicture(id, 'heatmap')).split('\n').filter((l) => /^t\d/.test(l));
  return rows.map((l) => l.trim().split(/\s+/).slice(1).map(Number));
}

const causal = 'changing the last token leaves the earlier rows of logits unchanged';
const prefix = 'the logits of a prefix are the first rows of the whole sequence\'s logits';

describe(id, () => {
  test('the lesson example by hand: the embedding is the block lesson\'s x, h.0 its y, ln_f row 0 and logits[0][2]', () => {
    const [x, p, heads] = lessonBlock;
    const embedding = lessonTokens.map((token, t) => lessonModel.wte[token].map((e, j) => e + lessonModel.wpe[t][j]));
    expect(embedding).toEqual(x);
    expect(lessonModel.h[0]).toEqual(p);
    expect(lessonModel.config.heads).toBe(heads);
    const y = transformerBlock(x, p, heads);
    expectClose(y[0], [3.018878, -1.649536, 2.350454, -1.881112], 6);
    const mean = y[0].reduce((s, v) => s + v, 0) / 4;
    const variance = y[0].reduce((s, v) => s + (v - mean) ** 2, 0) / 4;
    expect(mean).toBeCloseTo(0.459671, 6);
    expect(variance).toBeCloseTo(5.013155, 6);
    const lnF = y[0].map((v) => (v - mean) / Math.sqrt(variance + 1e-5));
    expectClose(lnF, [1.143008, -0.942027, 0.844473, -1.045454], 6);
    // logits[0][2] = ln_f[0]·wte[2], wte[2] = [1, −1, 0, 0].
    expect(lnF[0] - lnF[1]).toBeCloseTo(2.085035, 6);
  });

  test('the lesson\'s heatmap and stated rows are the float64 forward pass of gpt-math (forward64), and its argmaxes', async () => {
    const logits = forward64(lessonModel, lessonTokens);
    const shown = await heatmapLogits();
    expectClose(logits, shown, 6);
    expect(shown.map((row) => row.indexOf(Math.max(...row)))).toEqual([2, 0, 5]);
    const steps = Object.fromEntries(forwardSteps64(lessonModel, lessonTokens).steps);
    expectClose(steps['h.0'], [
      [3.018878, -1.649536, 2.350454, -1.881112],
      [4.088187, 2.878523, -0.339181, -0.811803],
      [0.119932, 3.341962, 3.165686, -0.675551],
    ], 6);
    expectClose(steps.ln_f, [
      [1.143008, -0.942027, 0.844473, -1.045454],
      [1.26603, 0.684662, -0.861774, -1.088918],
      [-0.764646, 1.036214, 0.93769, -1.209258],
    ], 6);
  });

  test('the reference, its trace (embedding, h.0, ln_f) and the model solution give the lesson\'s numbers', async () => {
    const shown = await heatmapLogits();
    expectClose(await reference(qualified, lessonTokens, lessonModel), shown, 5);
    expectClose(gptForward(lessonTokens, lessonModel), shown, 6);
    const { definition, ctx } = await loadExercise(qualified);
    const trace = (await toPlainOutput(ctx, () => definition.trace!(ctx, lessonTokens, lessonModel))) as Record<string, number[][]>;
    expect(Object.keys(trace)).toEqual(['embedding', 'h.0', 'ln_f']);
    expectClose(trace.embedding, lessonBlock[0], 6);
    expectClose(trace['h.0'][2], [0.119932, 3.341962, 3.165686, -0.675551], 5);
  });

  test('on every case of two seeds the reference agrees with forward64 and the model solution, and forward-math\'s run64 with forward64', async () => {
    for (const c of await seededExpected(id)) {
      const [tokens, w] = materializeArgs(c.args) as Args;
      const want = forward64(w, tokens);
      const got = c.expected as number[][];
      expect(maxRatio(got, want, { atol: 1e-4, rtol: 1e-4 }), c.name).toBeLessThan(0.25);
      expectClose(gptForward(tokens, w), want, 9, c.name);
      expectClose(run64(w, tokens).logits, want, 9, c.name);
    }
  }, 600_000);

  test('the mistakes forwardSteps64 can make agree with run64\'s: positions left out, ln_f left out, post-norm', async () => {
    for (const c of (await seededCases(id)).filter((x) => x.name.startsWith('random'))) {
      const [tokens, w] = materializeArgs(c.args) as Args;
      expectClose(run64(w, tokens, undefined, { noPositions: true }).logits, forward64(w, tokens, { noPositions: true }), 9, c.name);
      expectClose(run64(w, tokens, undefined, { noFinalNorm: true }).logits, forward64(w, tokens, { noFinalNorm: true }), 9, c.name);
      expectClose(run64(w, tokens, undefined, { postNorm: true }).logits, forward64(w, tokens, { order: 'post' }), 9, c.name);
    }
  });

  test('the shipped models\' cases: GptWeights carry the model file\'s tensors, so the reference is src/mini-gpt\'s gptLogits on the file itself', async () => {
    const { tf } = await loadTf();
    for (const [name, part] of [
      ['shakespeare', '"ROMEO:"'],
      ['tang', 'Tang'],
    ] as const) {
      const c = await namedCase(id, part);
      const [tokens, w] = materializeArgs(c.args) as Args;
      const model = shippedModel((await loadExercise(qualified)).ref.dir, name);
      if (name === 'shakespeare') expect(tokens).toEqual(encode(model.tokenizer, 'ROMEO:'));
      const direct = tf.tidy(() => {
        const input = tf.tensor2d([tokens], [1, tokens.length], 'int32');
        return (gptLogits(tf, tfParams(tf, model.config, model.tensors), model.config, input).arraySync() as number[][][])[0];
      });
      expectClose(await reference(qualified, tokens, w), direct, 5, name);
    }
    const full = await namedCase(id, '64 held-out');
    expect((full.args[0] as number[]).length).toBe(64);
  });

  test('the wrong variants on the lesson example give the Pitfalls\' numbers', async () => {
    const lesson = await file(id, 'lesson.md');
    const at = async (mistake: string) => (await wrong(qualified, mistake, lessonTokens, lessonModel)) as number[][];
    expectClose((await at('no-positions'))[0], [0.582237, -1.261055, 2.700059, -0.582237, -2.02124, -0.678818], 6);
    expectClose((await at('no-final-norm'))[0], [1.369342, 0.700918, 4.668415, 0.469342, -4.89999, 0.231575], 6);
    expect((await at('post-norm'))[0][2]).toBeCloseTo(2.202983, 6);
    const full = await at('not-causal');
    expectClose(full[0], [0.332666, -0.080912, 2.051389, -0.332666, -2.303142, 0.251753], 6);
    expectClose(full[2], (await heatmapLogits())[2], 6);
    const scaled = await at('scale-by-width');
    expectClose(scaled[0], (await heatmapLogits())[0], 6);
    expect(scaled[1][0]).toBeCloseTo(1.928341, 6);
    for (const n of ['0.582237, −1.261055, 2.700059', '1.369342, 0.700918, 4.668415', '2.202983', '0.332666, −0.080912, 2.051389', '1.928341']) expect(lesson).toContain(n);
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    expect(await expectEachMisconceptionDiagnosed(id)).toEqual(['no-positions', 'no-final-norm', 'post-norm', 'not-causal', 'scale-by-width']);
  }, 600_000);

  test('check yourself: both properties hold for the model solution; attention over every key breaks both', async () => {
    await expectSolutionHolds(qualified, { [causal]: 2, [prefix]: 2 });
    const source = await solutionSource(qualified);
    const seesAll = source.replace('k.slice(0, i + 1).map', 'k.map');
    expect(seesAll).not.toBe(source);
    await expectPropertyBroken(qualified, seesAll, causal, /^Replacing only the last token changed the logits of earlier positions/);
    const verdict = await expectPropertyBroken(qualified, seesAll, prefix, /^gptForward of the first 3 tokens should give the first 3 rows/);
    expect(verdict.diagnosis?.misconceptionId).toBe('not-causal');
  }, 600_000);

  test('a learner who forgets ln_f is told so, with the lesson\'s numbers', async () => {
    const source = (await solutionSource(qualified)).replace('return linear(layerNorm(x, w.ln_f), ', 'return linear(x, ');
    expect(source).not.toBe(await solutionSource(qualified));
    const verdict = await grade(id, source);
    expect(verdict.status).toBe('fail');
    // Every case fails; only the properties, which compare the learner's outputs with each other, pass.
    expect(verdict.cases.filter((c) => c.status === 'pass' && !c.name.startsWith(causal) && !c.name.startsWith(prefix)).map((c) => c.name)).toEqual([]);
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'no-final-norm', confidence: 'full' });
    expect(verdict.diagnosis!.message).toContain('[0.200982, −0.097554, 2.085035, −0.200982, −2.188463, 0.103428]');
  }, 600_000);

  test('the learner\'s own files, as the starter imports them, pass; with a transformer-block that sees every key, the verdict names the non-causal attention', async () => {
    const starter = await file(id, 'starter.ts');
    const imports = starter.split('\n').filter((line) => line.startsWith('import '));
    expect(imports).toHaveLength(4);
    const body = `
type W = { config: { heads: number }; wte: number[][]; wpe: number[][]; h: Parameters<typeof transformerBlock>[1][]; ln_f: { gamma: number[]; beta: number[] } };

export function gptForward(tokens: number[], w: W): number[][] {
  let x = embed(tokens, w.wte, w.wpe);
  for (const p of w.h) x = transformerBlock(x, p, w.config.heads);
  return unembed(layerNorm(x, w.ln_f.gamma, w.ln_f.beta, 1e-5), w.wte);
}
`;
    const training = (exercise: string) => fs.readFile(path.join(builtinPacksDir, 'training', exercise, 'solution.ts'), 'utf8');
    const files = {
      [`${id}.ts`]: `${imports.join('\n')}\n${body}`,
      '../training/block/embedding.ts': await training('block/embedding'),
      '../training/block/transformer-block.ts': await training('block/transformer-block'),
      '../training/norms/layer-norm.ts': await training('norms/layer-norm'),
      '../training/block/tied-unembedding.ts': await training('block/tied-unembedding'),
    };
    const verdict = await gradeLearnerSource(id, files, 7, 'mini-gpt');
    expect(verdict.summary, verdict.cases.map((c) => `${c.name}: ${c.message}`).join('\n')).toMatch(/^All \d+ cases pass\.$/);
    const seesAll = files['../training/block/transformer-block.ts'].replace('k.slice(0, i + 1)', 'k');
    expect(seesAll).not.toBe(files['../training/block/transformer-block.ts']);
    const broken = await gradeLearnerSource(id, { ...files, '../training/block/transformer-block.ts': seesAll }, 7, 'mini-gpt');
    expect(broken.diagnosis).toMatchObject({ misconceptionId: 'not-causal' });
    // Layer by layer, on the reference's activations: the embedding agrees, the block is the first piece that differs.
    expect(broken.layers?.pieces.map((p) => [p.name, p.exercise, p.status])).toEqual([
      ['embedding', 'training/block/embedding', 'agrees'],
      ['h.0', 'training/block/transformer-block', 'differs'],
      ['ln_f', 'training/norms/layer-norm', 'agrees'],
      ['unembedding', 'training/block/tied-unembedding', 'agrees'],
    ]);
    expect(broken.layers?.first).toBe(1);
    expect(broken.layers?.pieces[1].mismatch?.kind).toBe('values');
    expect(broken.notes.join('\n')).toContain('the first piece that differs from the reference is h.0, computed by your training/block/transformer-block (embedding agrees)');
    // Every piece right, joined wrongly (ln_f forgotten): the note says the mistake is in this file.
    const joined = files[`${id}.ts`].replace('unembed(layerNorm(x, w.ln_f.gamma, w.ln_f.beta, 1e-5), w.wte)', 'unembed(x, w.wte)');
    expect(joined).not.toBe(files[`${id}.ts`]);
    const misjoined = await gradeLearnerSource(id, { ...files, [`${id}.ts`]: joined }, 7, 'mini-gpt');
    expect(misjoined.status).toBe('fail');
    expect(misjoined.layers?.first).toBeUndefined();
    expect(misjoined.layers?.pieces.filter((p) => p.status === 'agrees').map((p) => p.name)).toEqual(['embedding', 'h.0', 'unembedding']);
    expect(misjoined.notes.join('\n')).toContain('the difference is in how this file joins them');
  }, 300_000);

  test('the ```js block of In practice gives the reference\'s logits on the lesson example', async () => {
    const { tf } = await loadTf();
    expectClose(await runLessonJs(id, tf, { tokens: lessonTokens, w: lessonModel }), await heatmapLogits(), 5);
  });
});
