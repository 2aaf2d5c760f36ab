import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { evalPerplexity } from '../../../exercises/mini-gpt/model/perplexity/solution.js';
import { heldOutPrefix, shippedWindows } from '../../../exercises/mini-gpt/model/perplexity/exercise.js';
import { lessonTokens, lessonWeights } from '../../../exercises/mini-gpt/model/perplexity-math.js';
import { forward64, type GptWeights } from '../../../exercises/mini-gpt/model/gpt-math.js';
import { builtinPacksDir } from '../../../src/core/common/paths.js';
import { loadTf } from '../../../src/reference/backend.js';
import { windowedLoss } from '../../../src/mini-gpt/evaluate.js';
import { tfParams } from '../../../src/mini-gpt/model.js';
import { readGptFile } from '../../../src/mini-gpt/weights-file.js';
import { materializeArgs } from '../../../src/sandbox/wire.js';
import { gradeLearnerSource, loadExercise, reference, wrong, wrongAlternatives } from '../../helpers/exercises.js';
import { toPlainOutput } from '../../../src/core/grading/read-back.js';
import { packExercises } from '../../helpers/pack-exercises.js';
import { expectPropertyBroken, expectSolutionHolds, solutionSource } from '../../helpers/properties.js';

const id = 'model/perplexity';
const qualified = `mini-gpt/${id}`;
const pack = packExercises('mini-gpt');
const packDir = path.join(builtinPacksDir, 'mini-gpt');
const exerciseDir = path.join(packDir, id);
const uniform = 'with wte all zero the logits are equal, and the perplexity is the vocabulary size';
const leftOver = 'tokens after the last whole window change nothing';
type Args = [number[], GptWeights, number];

const plain = (w: GptWeights): GptWeights => materializeArgs([w])[0] as GptWeights;
const ppl = async (...args: Args) => (await reference(qualified, ...args)) as number;
const relative = (got: number, want: number) => Math.abs(got - want) / Math.abs(want);

/** −log softmax(row)[target], written out: the test's own cross-entropy. */
const crossEntropy = (row: number[], target: number) => Math.log(row.reduce((s, v) => s + Math.exp(v), 0)) - row[target];

/** Every window's per-prediction losses from the float64 forward pass of gpt-math (forward64), independent of the exercise's tfjs reference and of the solution. */
function losses64(tokens: number[], w: GptWeights, context: number): number[][] {
  const windows = Math.floor((tokens.length - 1) / context);
  return Array.from({ length: windows }, (_, j) => forward64(w, tokens.slice(j * context, (j + 1) * context)).map((row, t) => crossEntropy(row, tokens[j * context + t + 1])));
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The shipped model's own tensors (not rebuilt from GptWeights) in the recorded figure's code: exp of src/mini-gpt/evaluate.ts's windowedLoss. */
async function recordedWay(name: 'shakespeare' | 'tang', tokens: number[]): Promise<number> {
  const { tf } = await loadTf();
  const model = readGptFile(path.join(packDir, 'models', `${name}.safetensors`));
  const params = tfParams(tf, model.config, model.tensors);
  const loss = windowedLoss(tf, params, model.config, tokens);
  Object.values(params).forEach((t) => t.dispose());
  return Math.exp(loss);
}

describe(id, () => {
  test("the lesson example by hand: the table's eight losses, their mean 1.943632 nats and the perplexity 6.984072, from a float64 forward pass", async () => {
    const w = plain(lessonWeights());
    const losses = losses64(lessonTokens, w, 4);
    const lesson = await pack.file(id, 'lesson.md');
    const rows = [...lesson.matchAll(/^\| ([01]) \| ([0-3]) \| (\d) \| (\d) \| (\d\.\d{6}) \|$/gm)];
    expect(rows).toHaveLength(8);
    for (const [, j, t, reads, target, loss] of rows) {
      expect(lessonTokens[4 * Number(j) + Number(t)]).toBe(Number(reads));
      expect(lessonTokens[4 * Number(j) + Number(t) + 1]).toBe(Number(target));
      expect(losses[Number(j)][Number(t)]).toBeCloseTo(Number(loss), 5);
    }
    // Row 0 of window 0, and the probability of token 1.
    const row0 = forward64(w, lessonTokens.slice(0, 4))[0];
    [0.18742, -0.432201, -1.217286, -0.273681, 0.120101, -0.491472].forEach((v, i) => expect(row0[i]).toBeCloseTo(v, 5));
    expect(Math.exp(-crossEntropy(row0, 1))).toBeCloseTo(0.139552, 6);
    expect(losses.flat().reduce((a, b) => a + b, 0)).toBeCloseTo(15.549057, 5);
    expect(mean(losses.flat())).toBeCloseTo(1.943632, 6);
    expect(losses.map(mean).map((x) => Number(x.toFixed(6)))).toEqual([2.049592, 1.837672]);
    expect(Math.exp(mean(losses.flat()))).toBeCloseTo(6.984072, 5);
    expect(await ppl(lessonTokens, w, 4)).toBeCloseTo(6.984072, 5);
    expect(evalPerplexity(lessonTokens, w, 4)).toBeCloseTo(6.984072, 5);
    expect(Math.log(6)).toBeCloseTo(1.791759, 6);
    expect(lesson).toContain('perplexity = exp(1.943632) = 6.984072');
  });

  test('on every seeded case the reference agrees with the model solution, and with forward64 or the recorded figure\'s code (windowedLoss) on the shipped models', async () => {
    for (const c of await pack.seededExpected(id)) {
      const [tokens, w, context] = materializeArgs(c.args) as Args;
      const want = c.expected as number;
      expect(relative(evalPerplexity(tokens, w, context), want), c.name).toBeLessThan(2e-5);
      if (c.name.startsWith('the shipped')) {
        expect(context).toBe(64);
        expect(tokens).toHaveLength(shippedWindows * 64 + 1);
        expect(relative(await recordedWay(c.name.includes('tang') ? 'tang' : 'shakespeare', tokens), want), c.name).toBeLessThan(1e-5);
      } else {
        expect(relative(Math.exp(mean(losses64(tokens, w, context).flat())), want), c.name).toBeLessThan(2e-5);
      }
    }
  });

  test('the reference on the whole held-out Shakespeare text is the figure recorded in the model file', async () => {
    const { tokens, w, context } = heldOutPrefix(exerciseDir, 'shakespeare', 200);
    const model = readGptFile(path.join(packDir, 'models', 'shakespeare.safetensors'));
    expect(tokens).toHaveLength(12_801);
    const want = model.training.heldOutPerplexity;
    expect(want).toBeCloseTo(5.5858644831922675, 12);
    expect(relative(await ppl(tokens, plain(w), context), want)).toBeLessThan(1e-5);
  });

  // With the test above, this is the recorded figure reproduced by the model solution: the windows are independent
  // (the cases of several windows check how their losses are averaged), and one window costs the solution's plain-JS
  // forward pass 1/200 of the whole text's (a minute, on a loaded machine).
  test('the model solution, plain float64 JS, agrees with the reference on windows from across the held-out Shakespeare text (every 20th of its 200, and the last)', async () => {
    const { tokens, w, context } = heldOutPrefix(exerciseDir, 'shakespeare', 200);
    const weights = plain(w);
    for (const j of [0, 20, 40, 60, 80, 100, 120, 140, 160, 180, 199]) {
      const window = tokens.slice(j * context, (j + 1) * context + 1);
      expect(window, `window ${j}`).toHaveLength(context + 1);
      const want = await ppl(window, weights, context);
      expect(relative(evalPerplexity(window, weights, context), want), `window ${j}`).toBeLessThan(2e-5);
    }
  });

  test("the trace on the lesson example: 2 windows, their mean losses 2.049592 and 1.837672, the loss 1.943632", async () => {
    const { definition, ctx } = await loadExercise(qualified);
    const steps = (await toPlainOutput(ctx, () => definition.trace!(ctx, lessonTokens, plain(lessonWeights()), 4))) as { windows: number; windowLoss: number[]; loss: number };
    expect(steps.windows).toBe(2);
    expect(steps.windowLoss[0]).toBeCloseTo(2.049592, 5);
    expect(steps.windowLoss[1]).toBeCloseTo(1.837672, 5);
    expect(steps.loss).toBeCloseTo(1.943632, 5);
  });

  test('the wrong variants on the lesson example, recomputed from the float64 losses, as the Pitfalls give them', async () => {
    const w = plain(lessonWeights());
    const losses = losses64(lessonTokens, w, 4);
    const L = mean(losses.flat());
    const pitfalls = (await pack.file(id, 'lesson.md')).split('## Pitfalls')[1].split('\n## ')[0];
    const expectWrong = async (m: string, want: number, fromHere: number) => {
      expect(await wrong(qualified, m, lessonTokens, w, 4), m).toBeCloseTo(want, 5);
      expect(fromHere, m).toBeCloseTo(want, 5);
      expect(pitfalls, m).toContain(want.toFixed(6));
    };
    await expectWrong('not-exponentiated', 1.943632, L);
    await expectWrong('mean-of-window-perplexities', 7.023316, mean(losses.map((l) => Math.exp(mean(l)))));
    await expectWrong('base-2', 3.846729, 2 ** L);
    const unshifted = [0, 1].flatMap((j) => forward64(w, lessonTokens.slice(4 * j, 4 * j + 4)).map((row, t) => crossEntropy(row, lessonTokens[4 * j + t])));
    await expectWrong('targets-not-shifted', 4.539009, Math.exp(mean(unshifted)));
    await expectWrong('last-prediction-dropped', 7.299448, Math.exp(mean(losses.flatMap((l) => l.slice(0, 3)))));
    expect(await wrongAlternatives(qualified, 'last-prediction-dropped', lessonTokens, w, 4)).toHaveLength(2);
    await expectWrong('model-context', 7.249899, Math.exp(mean(losses64(lessonTokens, w, 8).flat())));
    expect(pitfalls).toContain('7.764735 and exp(1.837672) = 6.281897');
    expect(Math.exp(losses.map(mean)[0])).toBeCloseTo(7.764735, 5);
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', { timeout: 180_000 }, async () => {
    expect(await pack.expectEachMisconceptionDiagnosed(id)).toEqual(['not-exponentiated', 'mean-of-window-perplexities', 'base-2', 'targets-not-shifted', 'last-prediction-dropped', 'model-context']);
  });

  test('check yourself: the model solution holds both properties; the loss not exponentiated, or N/context windows, breaks them', { timeout: 180_000 }, async () => {
    await expectSolutionHolds(qualified, { [uniform]: 2, [leftOver]: 1 });
    const solution = await solutionSource(qualified);
    const nats = solution.replace('return Math.exp(total / (windows * context));', 'return total / (windows * context);');
    expect(nats).not.toBe(solution);
    await expectPropertyBroken(qualified, nats, uniform, /^With every row of wte zero the logits ln_f\(x\)·wteᵀ are all 0, .* Yours is 1\.9459|^With every row of wte zero .* Yours is 2\.48491/);
    const tooMany = solution.replace('Math.floor((tokens.length - 1) / context)', 'Math.floor(tokens.length / context)');
    expect(tooMany).not.toBe(solution);
    await expectPropertyBroken(qualified, tooMany, leftOver, /^Your perplexity is [\d.]+ on 13 tokens and (null|NaN) with 3 tokens more: both make 3 whole windows of 4/);
  });

  /** The lesson's way: the learner's gptForward (here the model solution's forward pass, exported) and the training pack's causalLmLoss. */
  async function lessonWayFiles(targets: string): Promise<Record<string, string>> {
    const solution = await solutionSource(qualified);
    const forward = `${solution.replace(/export function evalPerplexity[\s\S]*$/, '')}\nexport function gptForward(tokens: number[], w: GptWeights): number[][] {\n  return logitsOf(tokens, w).map((row) => Array.from(row));\n}\n`;
    const learner = `import { gptForward } from './forward.js';
import { causalLmLoss } from '../../training/objectives/causal-lm-loss.js';
export function evalPerplexity(tokens: number[], w: any, context: number): number {
  const windows = Math.floor((tokens.length - 1) / context);
  let total = 0;
  for (let j = 0; j < windows; j++) {
    const at = j * context;
    const logits = gptForward(tokens.slice(at, at + context), w);
    total += causalLmLoss(logits, ${targets});
  }
  return Math.exp(total / windows);
}
`;
    const lmLoss = readFileSync(path.join(builtinPacksDir, 'training', 'objectives', 'causal-lm-loss', 'solution.ts'), 'utf8');
    return { [`${id}.ts`]: learner, 'model/forward.ts': forward, '../training/objectives/causal-lm-loss.ts': lmLoss };
  }

  test("the lesson's way with the learner's own files passes; given only the window's own tokens, causalLmLoss drops each window's last prediction and the verdict says so", { timeout: 120_000 }, async () => {
    const right = await gradeLearnerSource(id, await lessonWayFiles('tokens.slice(at, at + context + 1)'), 7, 'mini-gpt');
    expect(right.summary, right.cases.map((c) => `${c.name}: ${c.message}`).join('\n')).toMatch(/^All \d+ cases pass\.$/);
    const dropped = await gradeLearnerSource(id, await lessonWayFiles('tokens.slice(at, at + context)'), 7, 'mini-gpt');
    expect(dropped.status).toBe('fail');
    expect(dropped.diagnosis).toMatchObject({ misconceptionId: 'last-prediction-dropped', confidence: 'full' });
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
    const [tokens, w, context] = materializeArgs(first.args) as Args;
    const got = (await pack.runLessonJs(id, tf, { tokens, w, context })) as number;
    expect(relative(got, await ppl(tokens, w, context))).toBeLessThan(1e-5);
    expect(got).toBeCloseTo(6.984072, 4);
  });
});
