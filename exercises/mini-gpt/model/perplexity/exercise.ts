import { readFileSync } from 'node:fs';
import path from 'node:path';
import { anyOf, defineExercise, encode, plural, randomInts, type ReferenceContext, type Rng } from 'llm-tutor/pack';
import { close, show } from '../../../transformer-core/properties.js';
import { modelNames, modelsDir, randomModel, shippedModel, shippedWeights, weightsOf, type GptConfig, type GptWeights } from '../gpt-math.js';
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

/**
 * How many windows of the held-out text the shipped models' cases read: one whole context of the trained model
 * (a plain-JS forward pass over all 200 takes tens of seconds, and every window more is paid by every submission
 * of a class). Reading several windows, and how their losses are averaged, is what the other cases check.
 */
export const shippedWindows = 1;

/** The first `windows` windows of a shipped model's held-out text, as tokens: windows·context + 1 of them. */
export function heldOutPrefix(exerciseDir: string, name: (typeof modelNames)[number], windows = shippedWindows): { tokens: number[]; w: GptWeights; context: number } {
  const model = shippedModel(exerciseDir, name);
  const text = readFileSync(path.join(modelsDir(exerciseDir), `${name}-heldout.txt`), 'utf8');
  const { context } = model.config;
  return { tokens: encode(model.tokenizer, text).slice(0, windows * context + 1), w: shippedWeights(exerciseDir, name), context };
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
      title: { en: 'the mean loss returned, not its exponential', 'zh-CN': '返回了平均损失，而不是它的指数' },
      message: {
        en: 'You return the mean cross-entropy, 1.943632 nats in the lesson example: the perplexity is its exponential, exp(1.943632) = 6.984072.',
        'zh-CN': '你返回的是平均交叉熵，课程例子中为 1.943632 nat：困惑度是它的指数，exp(1.943632) = 6.984072。',
      },
      hint: {
        en: 'A model that guesses uniformly among V tokens should get V. What does your function return for it?',
        'zh-CN': '一个在 V 个 token 中均匀猜测的模型应该得到 V。你的函数对它返回什么？',
      },
      wrong: (ctx, tokens, w, context) => meanLoss(rightLosses(ctx, tokens, w, context)),
    },
    {
      id: 'mean-of-window-perplexities',
      title: { en: 'the mean of each window\'s perplexity, not exp of the mean loss', 'zh-CN': '对各窗口的困惑度取平均，而不是对平均损失取 exp' },
      message: {
        en:
          'You take each window\'s perplexity and average them: 7.023316 in the lesson example instead of 6.984072. Perplexity is exp of the mean loss over every prediction: average the losses (nats), then exponentiate once. ' +
          'The mean of exponentials is larger than the exponential of the mean whenever the windows differ.',
        'zh-CN':
          '你先求出每个窗口的困惑度，再取平均：课程例子中得到 7.023316 而不是 6.984072。困惑度是所有预测的平均损失的 exp：先对损失（nat）取平均，再取一次指数。只要各窗口不同，指数的平均就大于平均的指数。',
      },
      hint: {
        en: 'In the lesson example, work out the two windows\' mean losses. Do you average those and exponentiate, or exponentiate each and average?',
        'zh-CN': '在课程例子里算出两个窗口的平均损失。你是先对它们取平均再取指数，还是先各自取指数再取平均？',
      },
      wrong: (ctx, tokens, w, context) => meanOfWindowPerplexities(rightLosses(ctx, tokens, w, context)),
    },
    {
      id: 'base-2',
      title: { en: '2 raised to the loss in nats', 'zh-CN': '算成 2 的损失次幂，而损失以 nat 为单位' },
      message: {
        en: 'The cross-entropy from log softmax is in nats (natural log), so its inverse is exp: exp(1.943632) = 6.984072 in the lesson example, not 2^1.943632 = 3.846729. 2^ goes with a loss in bits (log₂).',
        'zh-CN': '由 log softmax 得到的交叉熵以 nat（自然对数）为单位，所以它的逆运算是 exp：课程例子中为 exp(1.943632) = 6.984072，而不是 2^1.943632 = 3.846729。2^ 对应以比特（log₂）为单位的损失。',
      },
      hint: { en: 'Which logarithm does your loss use? The inverse of ln is exp.', 'zh-CN': '你的损失用的是哪个对数？ln 的逆运算是 exp。' },
      wrong: (ctx, tokens, w, context) => 2 ** meanLoss(rightLosses(ctx, tokens, w, context)),
    },
    {
      id: 'targets-not-shifted',
      title: { en: 'each row scored against its own token, not the next one', 'zh-CN': '每一行与它自己的 token 比较打分，而不是与下一个 token' },
      message: {
        en:
          'Row t of a window\'s logits predicts the token after position t: window j reads tokens[j·context + t] and is scored against tokens[j·context + t + 1]. Scoring each row against the token it read gives 4.539009 in the lesson example instead of 6.984072.',
        'zh-CN':
          '窗口 logits 的第 t 行预测的是位置 t 之后的那个 token：窗口 j 读取 tokens[j·context + t]，与 tokens[j·context + t + 1] 比较打分。把每一行与它读取的 token 比较打分，课程例子中得到 4.539009 而不是 6.984072。',
      },
      hint: {
        en: 'In the lesson example, which token does row 0 of the first window predict: tokens[0] or tokens[1]?',
        'zh-CN': '在课程例子里，第一个窗口的第 0 行预测的是哪个 token：tokens[0] 还是 tokens[1]？',
      },
      wrong: (ctx, tokens, w, context) => perplexityOf(windowLosses(windowLogits(ctx.tf, w, tokens, context, windowCount(tokens.length, context)), tokens, context, 0)),
    },
    {
      id: 'last-prediction-dropped',
      title: { en: 'each window scores context − 1 predictions, not context', 'zh-CN': '每个窗口只给 context − 1 次预测打分，而不是 context 次' },
      message: {
        en:
          'Your windows of `context` tokens score only the predictions inside the window (as causalLmLoss(logits, window) does with the window\'s own tokens): the last row, which predicts the first token of the next window, is left out. ' +
          'Give each window the `context + 1` tokens tokens[j·context … (j+1)·context] as targets: 7.299448 in the lesson example instead of 6.984072.',
        'zh-CN':
          '你以 `context` 个 token 为窗口，只给窗口内部的预测打分（就像把窗口自己的 token 交给 causalLmLoss(logits, window) 那样）：预测下一个窗口第一个 token 的最后一行被漏掉了。给每个窗口 `context + 1` 个 token，即 tokens[j·context … (j+1)·context]，作为目标：课程例子中得到 7.299448 而不是 6.984072。',
      },
      hint: {
        en: 'A window of 4 tokens has 4 rows of logits. How many of them did you score, and what does the last one predict?',
        'zh-CN': '一个 4 个 token 的窗口有 4 行 logits。你给其中几行打了分？最后一行预测的是什么？',
      },
      wrong: (ctx, tokens, w, context) =>
        anyOf(
          ...[windowCount(tokens.length, context), Math.floor(tokens.length / context)].map((count) =>
            perplexityOf(windowLosses(windowLogits(ctx.tf, w, tokens, context, count), tokens, context, 1, context - 1)),
          ),
        ),
    },
    {
      id: 'model-context',
      title: { en: 'the model\'s context used for the windows, not the context given', 'zh-CN': '窗口用的是模型的上下文，而不是传入的上下文' },
      message: {
        en:
          'The windows are `context` tokens long, the argument, which may be shorter than the model\'s w.config.context: the figure depends on how much each prediction may read, so an evaluation says which context it uses. In the lesson example one window of 8 gives 7.249899 instead of 6.984072 with two windows of 4: cut the tokens in windows of the `context` you are given.',
        'zh-CN':
          '窗口长度是参数 `context` 个 token，它可能比模型的 w.config.context 短：这个数字取决于每次预测能读取多少内容，所以一次评估要说明它用的是哪个上下文。在课程例子中，一个宽 8 的窗口得到 7.249899，而两个宽 4 的窗口得到 6.984072：按传入的 `context` 切分窗口。',
      },
      hint: {
        en: 'The case "windows shorter than the model\'s context" fails? Which context do your windows use there?',
        'zh-CN': '用例「windows shorter than the model\'s context」没有通过？在那里你的窗口用的是哪个上下文？',
      },
      wrong: (ctx, tokens, w) => {
        const context = w.config.context;
        return perplexityOf(windowLosses(windowLogits(ctx.tf, w, tokens, context, windowCount(tokens.length, context)), tokens, context));
      },
    },
  ],
  hints: [
    {
      en: 'Cut the tokens into ⌊(N − 1)/context⌋ windows: window j reads tokens[j·context … (j+1)·context − 1], and its row t predicts tokens[j·context + t + 1].',
      'zh-CN': '把 token 切成 ⌊(N − 1)/context⌋ 个窗口：窗口 j 读取 tokens[j·context … (j+1)·context − 1]，它的第 t 行预测 tokens[j·context + t + 1]。',
    },
    {
      en: 'Add up −log softmax(row)[target] over every row of every window, divide by the number of predictions (windows × context), and only then exponentiate.',
      'zh-CN': '对每个窗口的每一行累加 −log softmax(row)[target]，除以预测次数（windows × context），最后才取指数。',
    },
    {
      en: 'Your gptForward gives each window\'s logits; your causalLmLoss(logits, tokens.slice(j·context, (j+1)·context + 1)) is that window\'s mean loss (one token more than rows). exp of the mean of those is the answer.',
      'zh-CN': '你的 gptForward 给出每个窗口的 logits；你的 causalLmLoss(logits, tokens.slice(j·context, (j+1)·context + 1)) 就是该窗口的平均损失（token 比行数多一个）。对这些平均损失再取平均，然后取 exp，就是答案。',
    },
  ],
});
