import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { builtinPacksDir } from '../../../src/core/common/paths.js';
import { Rng, uniforms } from '../../../src/core/authoring/rng.js';
import { loadTf } from '../../../src/reference/backend.js';
import { nextToken, sampleTokens } from '../../../src/mini-gpt/sample.js';
import { decode, encode } from '../../../src/mini-gpt/tokenizer.js';
import { tfParams } from '../../../src/mini-gpt/model.js';
import { forward64, shippedModel } from '../../../exercises/mini-gpt/model/gpt-math.js';
import { choiceMargin, generate64, plainWeights, referenceGenerate, tokenSteps } from '../../../exercises/mini-gpt/model/generate-math.js';
import { lessonPrompt, lessonSampled, lessonU, lessonWeights, shippedPrompts } from '../../../exercises/mini-gpt/model/generate/exercise.js';
import { generate as solutionGenerate, nextToken as solutionNextToken } from '../../../exercises/mini-gpt/model/generate/solution.js';
import { loadExercise, reference, solutionWith } from '../../helpers/exercises.js';
import { wrongOutputs } from '../../../src/core/grading/diagnose.js';
import { packExercises } from '../../helpers/pack-exercises.js';
import { expectPropertyBroken, expectSolutionHolds } from '../../helpers/properties.js';
import type { SampleOptions } from '../../../src/mini-gpt/sample.js';

const id = 'model/generate';
const qualified = `mini-gpt/${id}`;
const { expectEachMisconceptionDiagnosed, grade, namedCase, runLessonJs, file } = packExercises('mini-gpt');
const exerciseDir = path.join(builtinPacksDir, 'mini-gpt', id);
const prefix = 'generating fewer tokens gives the start of the same text';
const topKOne = 'top-k 1 is greedy decoding, whatever the temperature and the uniforms';

type GenerateArgs = [number[], number, ReturnType<typeof lessonWeights>, SampleOptions, number[]];

/** The reference on generate's arguments (tfjs logits, float32). */
const referenceTokens = async (...args: GenerateArgs) => (await reference(qualified, ...args)) as number[];

/** A misconception's wrong output (its first alternative) on generate's arguments, or on nextToken's when `entry` is 'nextToken'. */
async function wrongOf(misconception: string, args: unknown[], entry?: string): Promise<unknown> {
  const { definition, ctx } = await loadExercise(qualified);
  const m = definition.misconceptions!.find((x) => x.id === misconception)!;
  return (await wrongOutputs(m, entry ? { ...ctx, entry } : ctx, args))?.[0];
}

/** The argmax of a row, the lower index on a tie. */
const argmax = (row: ArrayLike<number>) => Array.from(row).reduce((best, z, i, all) => (z > all[best] ? i : best), 0);

describe(id, () => {
  test('the lesson example, greedy: the logits of each step are a float64 forward pass\'s last row, and the tokens are [3, 4, 0, 4]', async () => {
    const w = lessonWeights();
    const table = [
      [0.112163, 0.035256, 0.902832, 1.333794, 0.809863, -0.861964],
      [0.446273, -0.189418, 0.158981, 0.55063, 0.689957, -1.526185],
      [0.417452, -0.056253, -0.623235, -0.690403, -0.100522, -0.409873],
      [0.043553, -0.366226, -0.50274, -0.289134, 0.22402, -0.870514],
    ];
    const tokens = [...lessonPrompt];
    for (const row of table) {
      const logits = forward64(w, tokens).at(-1)!;
      logits.forEach((z, j) => expect(z).toBeCloseTo(row[j], 6));
      tokens.push(argmax(logits));
    }
    expect(tokens.slice(2)).toEqual([3, 4, 0, 4]);
    expect(await referenceTokens(lessonPrompt, 4, w, { temperature: 0 }, lessonU)).toEqual([3, 4, 0, 4]);
    expect(solutionGenerate(lessonPrompt, 4, w, { temperature: 0 }, lessonU)).toEqual([3, 4, 0, 4]);
    // The float32 reference's logits agree with the table within its tolerance.
    const { tf } = await loadTf();
    const rows: Float32Array[] = [];
    referenceGenerate(tf, w, lessonPrompt, 4, { temperature: 0 }, lessonU, (logits) => rows.push(logits), () => []);
    rows.forEach((row, i) => row.forEach((z, j) => expect(Math.abs(z - table[i][j])).toBeLessThan(1e-5)));
  });

  test('the lesson example, sampled (T = 0.6, top-k 3, top-p 0.75): the first choice by hand, and the tokens [3, 0, 4, 5]', async () => {
    const z = [0.112163, 0.035256, 0.902832, 1.333794, 0.809863, -0.861964].map((x) => x / 0.6);
    [0.186939, 0.05876, 1.50472, 2.22299, 1.349772, -1.436607].forEach((x, j) => expect(z[j]).toBeCloseTo(x, 5));
    // Top-k 3 keeps tokens 2, 3, 4; softmax over them.
    const e = [2, 3, 4].map((j) => Math.exp(z[j]));
    const sum = e[0] + e[1] + e[2];
    [0.255928, 0.524879, 0.219193].forEach((p, i) => expect(e[i] / sum).toBeCloseTo(p, 5));
    // Top-p 0.75: token 4 (0.219193 ≤ 0.25) goes; renormalised, token 2 owns [0, 0.327774), token 3 the rest.
    expect(e[0] / (e[0] + e[1])).toBeCloseTo(0.327774, 5);
    expect(nextToken(forward64(lessonWeights(), lessonPrompt).at(-1)!, lessonSampled, 0.5)).toBe(3);
    const w = lessonWeights();
    expect(generate64(w, lessonPrompt, 4, lessonSampled, lessonU)).toEqual([3, 0, 4, 5]);
    expect(await referenceTokens(lessonPrompt, 4, w, lessonSampled, lessonU)).toEqual([3, 0, 4, 5]);
    // Each choice of the lesson is at least 0.02 from a boundary: float32 and float64 agree.
    const steps: number[] = [];
    const { tf } = await loadTf();
    referenceGenerate(tf, w, lessonPrompt, 4, lessonSampled, lessonU, (logits) => steps.push(choiceMargin(logits, lessonSampled)(lessonU[steps.length])));
    for (const margin of steps) expect(margin).toBeGreaterThan(0.02);
    // The later steps' kept probabilities, as the lesson gives them.
    const kept = (tokens: number[], u: number) => tokenSteps(forward64(w, tokens).at(-1)!, lessonSampled, u).steps.probs as number[];
    [0.270931, 0, 0, 0.322399, 0.40667, 0].forEach((p, j) => expect(kept([1, 2, 3], 0.25)[j]).toBeCloseTo(p, 5));
    [0.700934, 0, 0, 0, 0.299066, 0].forEach((p, j) => expect(kept([1, 2, 3, 0], 0.75)[j]).toBeCloseTo(p, 5));
    [0.38726, 0, 0, 0, 0, 0.61274].forEach((p, j) => expect(kept([1, 2, 3, 0, 4], 0.5)[j]).toBeCloseTo(p, 5));
  });

  test('the reference\'s nextToken is the inference pack\'s references composed (temperature, top-k, top-p, softmax, sample) on random logits, and the model solution\'s nextToken is the same', async () => {
    const rng = new Rng(5);
    const optsList: SampleOptions[] = [{ temperature: 1 }, { temperature: 0.7, topK: 3 }, { temperature: 1.3, topP: 0.8 }, { temperature: 0.9, topK: 5, topP: 0.6 }, { temperature: 0.5, topK: 20 }];
    let compared = 0;
    for (let trial = 0; trial < 40; trial++) {
      const logits = Array.from({ length: 3 + rng.int(0, 8) }, () => rng.normal(0, 2));
      const opts = optsList[trial % optsList.length];
      const u = rng.next();
      const want = nextToken(logits, opts, u);
      expect(solutionNextToken(logits, opts, u)).toBe(want);
      expect(tokenSteps(logits, opts, u).output).toBe(want);
      // The temperature reference is float32 (tfjs): leave out draws within 1e-4 of a boundary.
      if (choiceMargin(logits, opts)(u) < 1e-4) continue;
      let z = (await reference('inference/decoding/temperature', logits, opts.temperature)) as number[];
      if (opts.topK !== undefined) z = (await reference('inference/decoding/top-k', z, opts.topK)) as number[];
      if (opts.topP !== undefined) z = (await reference('inference/decoding/top-p', z, opts.topP)) as number[];
      const max = Math.max(...z);
      const probs = z.map((x) => Math.exp(x - max));
      expect(await reference('inference/decoding/sample', probs, u), `trial ${trial}`).toBe(want);
      compared++;
    }
    expect(compared).toBeGreaterThan(30);
    // Greedy: the lower index on a tie.
    expect(nextToken([1, 3, 0.5, 3, -2], { temperature: 0 }, 0.5)).toBe(1);
  });

  test('the reference is the plain loop: one tfjs forward pass per new token gives the same tokens on every random case (seeds 7 and 99)', async () => {
    const { tf } = await loadTf();
    for (const seed of [7, 99]) {
      for (const c of await packExercises('mini-gpt').casesOn(id, seed)) {
        if (c.entry || !c.name.startsWith('random')) continue;
        const [prompt, n, w, opts, u] = c.args as GenerateArgs;
        const plain = referenceGenerate(tf, w, prompt, n, opts, u, undefined, () => []);
        expect(await referenceTokens(prompt, n, w, opts, u), c.name).toEqual(plain);
        expect(solutionGenerate(prompt, n, w, opts, u), c.name).toEqual(plain);
      }
    }
  });

  test('greedy on the shipped Shakespeare model from "ROMEO:": the lesson\'s 40 characters, and each token the argmax of a float64 forward pass on the tokens before it', async () => {
    const model = shippedModel(exerciseDir, 'shakespeare');
    const w = plainWeights(model);
    const prompt = encode(model.tokenizer, shippedPrompts.shakespeare);
    const tokens = await referenceTokens(prompt, 40, w, { temperature: 0 }, new Array(40).fill(0.5));
    const text = decode(model.tokenizer, tokens);
    expect(text).toBe('\nThe shall the shall the shall the shall');
    expect((await file(id, 'lesson.md')).includes(`    ROMEO:\n    ${text.slice(1)}\n`)).toBe(true);
    // forward64 is causal: row t of one pass on the whole text is the pass on its first t + 1 tokens.
    const all = [...prompt, ...tokens];
    const rows = forward64(w, all.slice(0, -1));
    for (let i = 0; i < 40; i++) {
      const row = rows[prompt.length - 1 + i];
      expect(argmax(row), `token ${i}`).toBe(tokens[i]);
      const sorted = [...row].sort((a, b) => b - a);
      expect(sorted[0] - sorted[1], `token ${i}: a clear argmax`).toBeGreaterThan(0.1);
    }
    expect(solutionGenerate(prompt, 40, w, { temperature: 0 }, new Array(40).fill(0.5))).toEqual(tokens);
  }, 120_000);

  test('sampling on the shipped Shakespeare model at temperature 0.8 equals src/mini-gpt\'s sampleTokens with the same uniforms: the lesson\'s text', async () => {
    const { tf } = await loadTf();
    const model = shippedModel(exerciseDir, 'shakespeare');
    const w = plainWeights(model);
    const prompt = encode(model.tokenizer, shippedPrompts.shakespeare);
    const u = uniforms(new Rng(1), 40);
    const tokens = await referenceTokens(prompt, 40, w, { temperature: 0.8 }, u);
    const params = tfParams(tf, model.config, model.tensors);
    expect(sampleTokens(tf, params, model.config, prompt, 40, 0.8, new Rng(1))).toEqual(tokens);
    tf.dispose(Object.values(params));
    expect(generate64(w, prompt, 40, { temperature: 0.8 }, u)).toEqual(tokens);
    const text = decode(model.tokenizer, tokens);
    expect(text).toBe('\n\nLoss, gue, he land day, bed the sway h');
    expect((await file(id, 'lesson.md')).includes(`    ROMEO:\n\n    ${text.slice(2)}\n`)).toBe(true);
  }, 120_000);

  test('greedy on the shipped Tang model after 床前明月光，: 風落落雲聲。, a new line, 春風不可見', async () => {
    const model = shippedModel(exerciseDir, 'tang');
    const w = plainWeights(model);
    const tokens = await referenceTokens(encode(model.tokenizer, shippedPrompts.tang), 12, w, { temperature: 0 }, new Array(12).fill(0.5));
    expect(decode(model.tokenizer, tokens)).toBe('風落落雲聲。\n春風不可見');
  }, 60_000);

  test('the wrong variants on the lesson example: prompt returned [1, 2, 3, 4, 0, 4], u[0] each time [3, 3, 3, 3], top-p first [3, 0, 1, 3], temperature on the probabilities [3, 0, 4, 1], temperature 0 divided [0, 0, 0, 0]', async () => {
    const w = lessonWeights();
    const greedy = [lessonPrompt, 4, w, { temperature: 0 }, lessonU];
    const sampled = [lessonPrompt, 4, w, lessonSampled, lessonU];
    expect(await wrongOf('prompt-returned', greedy)).toEqual([1, 2, 3, 4, 0, 4]);
    expect(await wrongOf('same-u', sampled)).toEqual([3, 3, 3, 3]);
    expect(await wrongOf('top-p-before-top-k', sampled)).toEqual([3, 0, 1, 3]);
    expect(await wrongOf('temperature-on-probabilities', sampled)).toEqual([3, 0, 4, 1]);
    expect(await wrongOf('zero-temperature-divided', greedy)).toEqual([0, 0, 0, 0]);
    // The named nextToken case: top-k 2 then top-p 0.5 keeps token 0 alone; the other order keeps 0 and 1, and u = 0.8 draws 1.
    const ordered = [[0.4, 0.3, 0.2, 0.1].map(Math.log), { temperature: 1, topK: 2, topP: 0.5 }, 0.8];
    expect(nextToken(...(ordered as [number[], SampleOptions, number]))).toBe(0);
    expect(await wrongOf('top-p-before-top-k', ordered, 'nextToken')).toBe(1);
    // On four equal logits u = 0.5 is the boundary of tokens 1 and 2: it belongs to token 2.
    expect(nextToken([0, 0, 0, 0], { temperature: 1 }, 0.5)).toBe(2);
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    expect(await expectEachMisconceptionDiagnosed(id)).toEqual(['prompt-returned', 'same-u', 'top-p-before-top-k', 'temperature-on-probabilities', 'zero-temperature-divided']);
  }, 300_000);

  test('check yourself: the model solution holds both properties; uniforms read from the end break the first, a top-k that keeps one token too many the second', async () => {
    await expectSolutionHolds(qualified, { [prefix]: 2, [topKOne]: 1 });
    const reversed = await solutionWith(qualified, ['nextToken(Array.from(logits), opts, u[i])', 'nextToken(Array.from(logits), opts, u[n - 1 - i])']);
    await expectPropertyBroken(qualified, reversed, prefix, /^With the same prompt and uniforms, 7 tokens start /);
    const oneTooMany = await solutionWith(qualified, ['.sort()[n - opts.topK]', '.sort()[n - opts.topK - 1]']);
    await expectPropertyBroken(qualified, oneTooMany, topKOne, /^Greedy decoding gives \[/);
  }, 300_000);

  test('a learner whose nextToken divides by a temperature of 0 fails the greedy cases and is told so', async () => {
    const learner = await solutionWith(qualified, ['if (opts.temperature === 0) {', 'if (opts.temperature === -1) {']);
    const verdict = await grade(id, learner);
    const failing = verdict.cases.filter((c) => c.status !== 'pass').map((c) => c.name);
    expect(failing).toContain((await namedCase(id, 'the lesson example: ')).name);
    expect(failing.every((name) => /greedy|temperature 0/.test(name))).toBe(true);
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'zero-temperature-divided', confidence: 'full' });
  }, 120_000);

  test('the ```js block of In practice gives the reference\'s tokens on the lesson example', async () => {
    const { tf } = await loadTf();
    const got = await runLessonJs(id, tf, { prompt: lessonPrompt, n: 4, w: lessonWeights(), opts: { temperature: 0 }, u: lessonU });
    expect(got).toEqual([3, 4, 0, 4]);
    const sampled = await runLessonJs(id, tf, { prompt: lessonPrompt, n: 4, w: lessonWeights(), opts: lessonSampled, u: lessonU });
    expect(sampled).toEqual([3, 0, 4, 5]);
  });
});
