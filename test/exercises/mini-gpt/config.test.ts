import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { describeModel } from '../../../exercises/mini-gpt/model/config/solution.js';
import { configSteps, lessonConfig } from '../../../exercises/mini-gpt/model/config/exercise.js';
import { modelNames, randomModel, weightsOf, type GptWeights } from '../../../exercises/mini-gpt/model/gpt-math.js';
import { gptParts } from '../../../exercises/scaling/memory/gpt-params/exercise.js';
import { builtinPacksDir } from '../../../src/core/common/paths.js';
import { Rng } from '../../../src/core/authoring/rng.js';
import { loadTf } from '../../../src/reference/backend.js';
import { parameterCount, type GptConfig } from '../../../src/mini-gpt/model.js';
import { readGptFile } from '../../../src/mini-gpt/weights-file.js';
import { materializeArgs } from '../../../src/sandbox/wire.js';
import { gradeLearnerSource, loadExercise, reference, wrong, wrongAlternatives } from '../../helpers/exercises.js';
import { toPlainOutput } from '../../../src/core/grading/read-back.js';
import { packExercises } from '../../helpers/pack-exercises.js';
import { expectPropertyBroken, expectSolutionHolds, solutionSource } from '../../helpers/properties.js';

const id = 'model/config';
const qualified = `mini-gpt/${id}`;
const pack = packExercises('mini-gpt');
const modelsDir = path.join(builtinPacksDir, 'mini-gpt', 'models');
const blockProperty = 'one more block adds 12C² + 13C parameters';
const sizesProperty = 'headWidth × heads = width, and bytes = 4 × params';

/** The weights of a model as the learner's function receives them (matrices built from their bytes). */
const plain = (w: GptWeights): GptWeights => materializeArgs([w])[0] as GptWeights;
const lessonWeights = () => plain(weightsOf(randomModel(new Rng(1), lessonConfig)));
const shipped = (name: string) => readGptFile(path.join(modelsDir, `${name}.safetensors`));

/** The scaling pack's count (memory/gpt-params) of a model of this shape: dFF = 4C, tied. */
const scalingCount = (c: GptConfig) => gptParts({ vocab: c.vocabSize, context: c.context, dModel: c.width, nLayers: c.layers, dFF: 4 * c.width, tied: true }).output;

describe(id, () => {
  test('the lesson example by hand: 20 + 16 + (16 + 80 + 148) + 8 = 288 parameters, 1152 bytes, 2 heads of 2', async () => {
    const c = 4;
    expect(4 * c + (4 * c * c + 4 * c) + (8 * c * c + 5 * c)).toBe(244);
    const want = { params: 288, layers: 1, heads: 2, width: 4, headWidth: 2, context: 4, vocabSize: 5, bytes: 1152 };
    expect(await reference(qualified, lessonWeights())).toEqual(want);
    expect(describeModel(lessonWeights())).toEqual(want);
    const { definition, ctx } = await loadExercise(qualified);
    expect(await toPlainOutput(ctx, () => definition.trace!(ctx, lessonWeights()))).toEqual(configSteps(lessonWeights()).steps);
    expect(configSteps(lessonWeights()).steps).toEqual({ wte: 20, wpe: 16, 'blocks: LayerNorms': 16, 'blocks: attention': 80, 'blocks: MLP': 148, ln_f: 8 });
    const lesson = await pack.file(id, 'lesson.md');
    expect(lesson).toContain('`{ params: 288, layers: 1, heads: 2, width: 4, headWidth: 2, context: 4, vocabSize: 5, bytes: 1152 }`');
  });

  test("the shipped models: the README's 809,856 and 951,328, parameterCount, the scaling pack's count, the file's bytes after its header, and the lesson's table", async () => {
    const lesson = await pack.file(id, 'lesson.md');
    const readme = readFileSync(path.join(builtinPacksDir, 'mini-gpt', 'README.md'), 'utf8');
    const want = { shakespeare: 809_856, tang: 951_328 };
    for (const name of modelNames) {
      const model = shipped(name);
      const got = (await reference(qualified, plain(weightsOf(model)))) as ReturnType<typeof describeModel>;
      expect(got.params, name).toBe(want[name]);
      expect(readme).toContain(`| ${name} | ${got.params.toLocaleString('en-US')} | 4 | 4 | ${got.width} | 64 |`);
      expect(got.params).toBe(parameterCount(model.config));
      expect(got.params).toBe(scalingCount(model.config));
      expect({ layers: got.layers, heads: got.heads, width: got.width, context: got.context, vocabSize: got.vocabSize }).toEqual({ ...model.config });
      // The file: an 8-byte header length, the JSON header, then every float32 once.
      const file = path.join(modelsDir, `${name}.safetensors`);
      const headerLength = Number(readFileSync(file).readBigUInt64LE(0));
      expect(statSync(file).size - 8 - headerLength).toBe(got.bytes);
      const steps = configSteps(plain(weightsOf(model))).steps;
      const blocks = steps['blocks: LayerNorms'] + steps['blocks: attention'] + steps['blocks: MLP'];
      const row = [name, got.vocabSize, got.width, steps.wte, steps.wpe, blocks, steps.ln_f, got.params, got.bytes].map((v) => (typeof v === 'number' ? v.toLocaleString('en-US') : v));
      expect(lesson).toContain(`| ${row.join(' | ')} |`);
    }
    expect(lesson).toContain('`shakespeare.safetensors` is 3,245,128 bytes: an 8-byte length, a 5,696-byte JSON header');
    expect(statSync(path.join(modelsDir, 'shakespeare.safetensors')).size).toBe(3_245_128);
  });

  test('on every seeded case the reference, the model solution, parameterCount and the scaling pack agree', async () => {
    for (const c of await pack.seededCases(id)) {
      const [w] = materializeArgs(c.args) as [GptWeights];
      const want = (await reference(qualified, w)) as ReturnType<typeof describeModel>;
      expect(describeModel(w), c.name).toEqual(want);
      expect(want.params, c.name).toBe(parameterCount(w.config));
      expect(want.params, c.name).toBe(scalingCount(w.config));
      expect(want.headWidth * want.heads).toBe(want.width);
    }
  });

  test('the wrong variants on the lesson example and on Shakespeare, as the lesson and the messages give them', async () => {
    const w = lessonWeights();
    const params = async (m: string, x: GptWeights) => ((await wrong(qualified, m, x)) as ReturnType<typeof describeModel>).params;
    expect(await params('tied-counted-twice', w)).toBe(308);
    expect((await wrongAlternatives(qualified, 'layernorms-forgotten', w))!.map((d) => (d as { params: number }).params)).toEqual([264, 272, 280]);
    expect((await wrongAlternatives(qualified, 'biases-forgotten', w))!.map((d) => (d as { params: number }).params)).toEqual([252, 240]);
    expect(await wrong(qualified, 'head-width-64', w)).toMatchObject({ heads: 0.0625, headWidth: 64 });
    expect(await wrong(qualified, 'bytes-as-fp16', w)).toMatchObject({ params: 288, bytes: 576 });
    const s = plain(weightsOf(shipped('shakespeare')));
    expect(await params('tied-counted-twice', s)).toBe(818_176);
    expect(await wrong(qualified, 'head-width-64', s)).toMatchObject({ heads: 2, headWidth: 64 });
    expect(await wrong(qualified, 'bytes-as-fp16', s)).toMatchObject({ bytes: 1_619_712 });
    const pitfalls = (await pack.file(id, 'lesson.md')).split('## Pitfalls')[1].split('\n## ')[0];
    for (const number of ['308 instead of 288', '818,176 instead of 809,856', '264 instead of 288', 'gives 252', '2 heads of 64', '0.0625 heads', '576 on the example, 1,619,712']) expect(pitfalls).toContain(number);
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', { timeout: 120_000 }, async () => {
    expect(await pack.expectEachMisconceptionDiagnosed(id)).toEqual(['tied-counted-twice', 'layernorms-forgotten', 'biases-forgotten', 'head-width-64', 'bytes-as-fp16']);
  });

  test('check yourself: the model solution holds both properties; one block counted, or two bytes a number, breaks them', { timeout: 120_000 }, async () => {
    await expectSolutionHolds(qualified, { [blockProperty]: 2, [sizesProperty]: 1 });
    const solution = await solutionSource(qualified);
    const oneBlock = solution.replace('for (const block of w.h) params += blockSize(block);', 'params += blockSize(w.h[0]);');
    expect(oneBlock).not.toBe(solution);
    await expectPropertyBroken(qualified, oneBlock, blockProperty, /^One block more changed your params from [\d,]+ to [\d,]+, by 0; a block of width C = \d+ holds 12C² \+ 13C/);
    const fp16 = solution.replace('bytes: 4 * params', 'bytes: 2 * params');
    await expectPropertyBroken(qualified, fp16, sizesProperty, /^Your bytes is \d+ for \d+ parameters: the weights are float32, 4 bytes a number/);
  });

  test("a learner who adds an output head to gptParamCount's count (tied: false) is told the tied layer is counted twice", async () => {
    const learner = `import { gptParamCount } from '../../scaling/memory/gpt-params.js';
export function describeModel(w: any) {
  const C = w.wte[0].length;
  const params = gptParamCount({ vocab: w.wte.length, context: w.wpe.length, dModel: C, nLayers: w.h.length, dFF: 4 * C, tied: false });
  return { params, layers: w.h.length, heads: w.config.heads, width: C, headWidth: C / w.config.heads, context: w.wpe.length, vocabSize: w.wte.length, bytes: 4 * params };
}
`;
    const scaling = readFileSync(path.join(builtinPacksDir, 'scaling', 'memory', 'gpt-params', 'solution.ts'), 'utf8');
    const files = { [`${id}.ts`]: learner, '../scaling/memory/gpt-params.ts': scaling };
    const verdict = await gradeLearnerSource(id, files, 7, 'mini-gpt');
    expect(verdict.status).toBe('fail');
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'tied-counted-twice', confidence: 'full' });
    // The lesson's way, tied: true, passes every case.
    const tied = await gradeLearnerSource(id, { ...files, [`${id}.ts`]: learner.replace('tied: false', 'tied: true') }, 7, 'mini-gpt');
    expect(tied.summary, tied.cases.map((c) => `${c.name}: ${c.message}`).join('\n')).toMatch(/^All \d+ cases pass\.$/);
  });

  test('the lesson: its sections in order, and every code line within 76 columns', async () => {
    const lesson = await pack.file(id, 'lesson.md');
    const headings = [...lesson.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    const order = ['The formula', 'A worked example', 'Pitfalls', 'Conventions', 'Check yourself', 'Where it comes from', 'What it is for', 'In practice: PyTorch and TensorFlow.js'];
    expect(headings.filter((h) => order.includes(h))).toEqual(order);
    expect(headings.slice(-order.length + 3)).toEqual(order.slice(3));
    const fenced = [...lesson.matchAll(/```\w*\n([\s\S]*?)```/g)].flatMap((m) => m[1].split('\n'));
    const indented = lesson.split('\n').filter((line) => line.startsWith('    '));
    for (const line of [...fenced, ...indented]) expect([...line].length, line).toBeLessThanOrEqual(76);
  });

  test("the ```js block of In practice gives the reference's output on the first case", async () => {
    const { tf } = await loadTf();
    const [first] = await pack.casesOn(id, 7);
    const [w] = materializeArgs(first.args) as [GptWeights];
    expect(await pack.runLessonJs(id, tf, { w })).toEqual(await reference(qualified, w));
  });
});
