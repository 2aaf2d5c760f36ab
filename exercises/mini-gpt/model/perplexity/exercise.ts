import { readFileSync } from 'node:fs';
import path from 'node:path';
import { anyOf, defineExercise, encode, plural, randomInts, type ReferenceContext, type Rng } from 'llm-tutor/pack';
import { close, show } from '../../../transformer-core/properties.js';
import { modelNames, modelsDir, randomModel, shippedModel, weightsOf, type GptConfig, type GptWeights } from '../gpt-math.js';
import {
  lessonTokens,
  lessonWeights,
  meanLoss,
  meanOfWindowPerplexities,
  perplexityOf,
  perplexitySteps,
  windowCount,
  windowLogits,
  windowLosses,
} from '../perplexity-math.js';

type Args = [tokens: number[], w: GptWeights, context: number];

/** How many windows of the held-out text the shipped models' cases read (a plain-JS forward pass over all 200 takes tens of seconds). */
export const shippedWindows = 2;

/** The first `windows` windows of a shipped model's held-out text, as tokens: windows·context + 1 of them. */
export function heldOutPrefix(exerciseDir: string, name: (typeof modelNames)[number], windows = shippedWindows): { tokens: number[]; w: GptWeights; context: number } {
  const model = shippedModel(exerciseDir, name);
  const text = readFileSync(path.join(modelsDir(exerciseDir), `${name}-heldout.txt`), 'utf8');
  const { context } = model.config;
  return { tokens: encode(model.tokenizer, text).slice(0, windows * context + 1), w: weightsOf(model), context };
}

const randomWeights = (rng: Rng, config: GptConfig): GptWeights => weightsOf(randomModel(rng, config));

/** A case's shape: `23 tokens, context 4: 5 windows, 2 tokens left over`. */
function shape(n: number, context: number): string {
  const windows = windowCount(n, context);
  const left = n - 1 - windows * context;
  return `${n} tokens, context ${context}: ${plural(windows, 'window')}${left > 0 ? `, ${plural(left, 'token')} left over` : ''}`;
}

/** A random case: a model of this config and n tokens of its vocabulary, read in windows of `context`. */
function randomCase(rng: Rng, config: GptConfig, n: number, context: number, what: string): { name: string; args: Args } {
  const w = randomWeights(rng, config);
  const model = `${plural(config.layers, 'layer')}, ${plural(config.heads, 'head')}, width ${config.width}, vocabulary ${config.vocabSize}, model context ${config.context}`;
  return { name: `${what}: ${shape(n, context)} (${model})`, args: [randomInts(rng, n, 0, config.vocabSize - 1), w, context] };
}

/** Each scored window's losses, from the tfjs model's logits of the right windows. */
const rightLosses = (ctx: ReferenceContext, tokens: number[], w: GptWeights, context: number) =>
  windowLosses(windowLogits(ctx.tf, w, tokens, context, windowCount(tokens.length, context)), tokens, context);

const isNumber = (x: unknown): x is number => typeof x === 'number';

export default defineExercise<Args, number>({
  entry: 'evalPerplexity',
  signature: 'evalPerplexity(tokens: number[], w: GptWeights, context: number): number',
  timeoutMs: 30_000,
  cases: (rng, ctx) => {
    const cases = [
      { name: `the lesson example: ${shape(lessonTokens.length, 4)} (1 layer, 2 heads, width 4, vocabulary 6, model context 8)`, args: [lessonTokens, lessonWeights(), 4] as Args },
      randomCase(rng, { vocabSize: rng.int(8, 16), context: 8, layers: 2, heads: 2, width: 8 }, 25, 8, 'whole windows'),
      randomCase(rng, { vocabSize: rng.int(8, 16), context: 8, layers: 1, heads: 4, width: 8 }, 23, 4, 'windows shorter than the model\'s context'),
      randomCase(rng, { vocabSize: rng.int(8, 16), context: 8, layers: 3, heads: 1, width: 6 }, 20, 6, 'a token left over'),
      randomCase(rng, { vocabSize: rng.int(8, 16), context: 6, layers: 1, heads: 3, width: 6 }, 7, 6, 'one window'),
    ];
    for (const name of modelNames) {
      const { tokens, w, context } = heldOutPrefix(ctx.exerciseDir, name);
      cases.push({ name: `the shipped ${name} model on the start of its held-out text: ${shape(tokens.length, context)}`, args: [tokens, w, context] });
    }
    return cases;
  },
  reference: ({ tf }, tokens, w, context) => perplexitySteps(tf, w, tokens, context).output,
  trace: ({ tf }, tokens, w, context) => perplexitySteps(tf, w, tokens, context).steps,
  compare: { atol: 1e-6, rtol: 1e-4 },
  properties: [
    {
      name: 'with wte all zero the logits are equal, and the perplexity is the vocabulary size',
      cases: (rng) =>
        [
          { vocabSize: 7, context: 4, layers: 1, heads: 2, width: 4 },
          { vocabSize: 12, context: 8, layers: 2, heads: 2, width: 8 },
        ].map((config) => {
          const w = randomWeights(rng, config);
          const zero: GptWeights = { ...w, wte: Array.from({ length: config.vocabSize }, () => new Array<number>(config.width).fill(0)) };
          const n = 2 * config.context + 1;
          return { name: `vocabulary ${config.vocabSize}, ${shape(n, config.context)}`, calls: [[randomInts(rng, n, 0, config.vocabSize - 1), zero, config.context]] as Args[] };
        }),
      holds: ([got], [[, w]]) => {
        const want = w.wte.length;
        if (isNumber(got) && close(want, got, { atol: 1e-9, rtol: 1e-6 })) return undefined;
        return (
          `With every row of wte zero the logits ln_f(x)·wteᵀ are all 0, so every token has probability 1/${want}, each prediction costs ln ${want} nats, and the perplexity is exp(ln ${want}) = ${want}. ` +
          `Yours is ${isNumber(got) ? show(got) : JSON.stringify(got)}.`
        );
      },
    },
    {
      name: 'tokens after the last whole window change nothing',
      cases: (rng) => {
        const config: GptConfig = { vocabSize: 9, context: 8, layers: 1, heads: 2, width: 4 };
        const w = randomWeights(rng, config);
        const tokens = randomInts(rng, 13, 0, 8);
        const more = [...tokens, ...randomInts(rng, 3, 0, 8)];
        return [{ name: `${shape(13, 4)}, then 3 tokens more`, calls: [[tokens, w, 4], [more, w, 4]] as Args[] }];
      },
      holds: ([before, after], [[tokens], [more]]) => {
        if (isNumber(before) && isNumber(after) && close(before, after)) return undefined;
        return (
          `Your perplexity is ${JSON.stringify(before)} on ${tokens.length} tokens and ${JSON.stringify(after)} with ${more.length - tokens.length} tokens more: ` +
          `both make ${windowCount(tokens.length, 4)} whole windows of 4 (⌊(N − 1)/4⌋), and the tokens after the last whole window are not read.`
        );
      },
    },
  ],
  misconceptions: [
    {
      id: 'not-exponentiated',
      title: 'the mean loss returned, not its exponential',
      message: 'You return the mean cross-entropy, 1.943632 nats in the lesson example: the perplexity is its exponential, exp(1.943632) = 6.984072.',
      hint: 'A model that guesses uniformly among V tokens should get V. What does your function return for it?',
      wrong: (ctx, tokens, w, context) => meanLoss(rightLosses(ctx, tokens, w, context)),
    },
    {
      id: 'mean-of-window-perplexities',
      title: 'the mean of each window\'s perplexity, not exp of the mean loss',
      message:
        'You take each window\'s perplexity and average them: 7.023316 in the lesson example instead of 6.984072. Perplexity is exp of the mean loss over every prediction: average the losses (nats), then exponentiate once. ' +
        'The mean of exponentials is larger than the exponential of the mean whenever the windows differ.',
      hint: 'In the lesson example, work out the two windows\' mean losses. Do you average those and exponentiate, or exponentiate each and average?',
      wrong: (ctx, tokens, w, context) => meanOfWindowPerplexities(rightLosses(ctx, tokens, w, context)),
    },
    {
      id: 'base-2',
      title: '2 raised to the loss in nats',
      message: 'The cross-entropy from log softmax is in nats (natural log), so its inverse is exp: exp(1.943632) = 6.984072 in the lesson example, not 2^1.943632 = 3.846729. 2^ goes with a loss in bits (log₂).',
      hint: 'Which logarithm does your loss use? The inverse of ln is exp.',
      wrong: (ctx, tokens, w, context) => 2 ** meanLoss(rightLosses(ctx, tokens, w, context)),
    },
    {
      id: 'targets-not-shifted',
      title: 'each row scored against its own token, not the next one',
      message:
        'Row t of a window\'s logits predicts the token after position t: window j reads tokens[j·context + t] and is scored against tokens[j·context + t + 1]. Scoring each row against the token it read gives 4.539009 in the lesson example instead of 6.984072.',
      hint: 'In the lesson example, which token does row 0 of the first window predict: tokens[0] or tokens[1]?',
      wrong: (ctx, tokens, w, context) => perplexityOf(windowLosses(windowLogits(ctx.tf, w, tokens, context, windowCount(tokens.length, context)), tokens, context, 0)),
    },
    {
      id: 'last-prediction-dropped',
      title: 'each window scores context − 1 predictions, not context',
      message:
        'Your windows of `context` tokens score only the predictions inside the window (as causalLmLoss(logits, window) does with the window\'s own tokens): the last row, which predicts the first token of the next window, is left out. ' +
        'Give each window the `context + 1` tokens tokens[j·context … (j+1)·context] as targets: 7.299448 in the lesson example instead of 6.984072.',
      hint: 'A window of 4 tokens has 4 rows of logits. How many of them did you score, and what does the last one predict?',
      wrong: (ctx, tokens, w, context) =>
        anyOf(
          ...[windowCount(tokens.length, context), Math.floor(tokens.length / context)].map((count) =>
            perplexityOf(windowLosses(windowLogits(ctx.tf, w, tokens, context, count), tokens, context, 1, context - 1)),
          ),
        ),
    },
    {
      id: 'model-context',
      title: 'the model\'s context used for the windows, not the context given',
      message:
        'The windows are `context` tokens long, the argument, which may be shorter than the model\'s w.config.context: the figure depends on how much each prediction may read, so an evaluation says which context it uses. In the lesson example one window of 8 gives 7.249899 instead of 6.984072 with two windows of 4: cut the tokens in windows of the `context` you are given.',
      hint: 'The case "windows shorter than the model\'s context" fails? Which context do your windows use there?',
      wrong: (ctx, tokens, w) => {
        const context = w.config.context;
        return perplexityOf(windowLosses(windowLogits(ctx.tf, w, tokens, context, windowCount(tokens.length, context)), tokens, context));
      },
    },
  ],
  hints: [
    'Cut the tokens into ⌊(N − 1)/context⌋ windows: window j reads tokens[j·context … (j+1)·context − 1], and its row t predicts tokens[j·context + t + 1].',
    'Add up −log softmax(row)[target] over every row of every window, divide by the number of predictions (windows × context), and only then exponentiate.',
    'Your gptForward gives each window\'s logits; your causalLmLoss(logits, tokens.slice(j·context, (j+1)·context + 1)) is that window\'s mean loss (one token more than rows). exp of the mean of those is the answer.',
  ],
});
