import { anyOf, defineExercise, describeType, encode, nextToken, randomInts, Rng, uniforms, type GptConfig, type ReferenceContext } from 'llm-tutor/pack';
import { randomModel, shippedModel, shippedWeights, weightsOf, type GptWeights, type ModelName } from '../gpt-math.js';
import { generate64, plainWeights, referenceGenerate, safeUniforms, tokenSteps, type GenerateMistake, type SampleOptions } from '../generate-math.js';

type GenerateArgs = [prompt: number[], n: number, w: GptWeights, opts: SampleOptions, u: number[]];
type NextTokenArgs = [logits: number[], opts: SampleOptions, u: number];
type Args = GenerateArgs | NextTokenArgs;

/** The lesson's model: one layer, two heads of width 2, six tokens, context 8 (weights drawn once, from seed 227). */
export const lessonConfig: GptConfig = { vocabSize: 6, context: 8, layers: 1, heads: 2, width: 4 };
export const lessonWeights = (): GptWeights => plainWeights(randomModel(new Rng(227), lessonConfig));
export const lessonPrompt = [1, 2];
/** The lesson's uniforms (greedy decoding reads none of them). */
export const lessonU = [0.5, 0.25, 0.75, 0.5];
/** The lesson's sampled generation. */
export const lessonSampled: SampleOptions = { temperature: 0.6, topK: 3, topP: 0.75 };

/** The prompts of the shipped models' cases. */
export const shippedPrompts: Record<ModelName, string> = { shakespeare: 'ROMEO:', tang: '床前明月光，' };

const describeOpts = (o: SampleOptions) =>
  [o.temperature === 0 ? 'greedy (temperature 0)' : `temperature ${o.temperature}`, o.topK !== undefined ? `top-k ${o.topK}` : '', o.topP !== undefined ? `top-p ${o.topP}` : ''].filter(Boolean).join(', ');

const shapeOf = (c: GptConfig) => `V = ${c.vocabSize}, C = ${c.width}, ${c.layers} layer${c.layers > 1 ? 's' : ''}, ${c.heads} heads`;

/**
 * A random small model, a random prompt and uniforms whose every choice is
 * at least 1e-4 from a boundary in float64 (so that the float32 reference
 * makes the same choices); another prompt (or, after ten, another model) is drawn if a choice is too close.
 */
function randomCase(rng: Rng, config: GptConfig, promptLength: number, n: number, opts: SampleOptions): GenerateArgs {
  for (let attempt = 0; ; attempt++) {
    const w = plainWeights(randomModel(rng, config));
    for (let tries = 0; tries < 10; tries++) {
      const prompt = randomInts(rng, promptLength, 0, config.vocabSize - 1);
      const u = safeUniforms(w, prompt, n, opts, () => rng.next());
      if (u) return [prompt, n, w, opts, u];
    }
    if (attempt === 10) throw new Error(`model/generate: no random model of ${shapeOf(config)} with safe choices`);
  }
}

/** A shipped model's case: n characters after the prompt, with uniforms whose every choice is at least 1e-4 from a boundary. */
function shippedCase(rng: Rng, exerciseDir: string, name: ModelName, prompt: string, n: number, opts: SampleOptions): GenerateArgs {
  const model = shippedModel(exerciseDir, name);
  const tokens = encode(model.tokenizer, prompt);
  const w = plainWeights(model);
  // A choice too close to call whatever its u (a top-p cut on a boundary) is avoided by drawing the earlier uniforms again.
  for (let attempt = 0; attempt < 20; attempt++) {
    const u = safeUniforms(w, tokens, n, opts, () => rng.next());
    if (u) return [tokens, n, shippedWeights(exerciseDir, name), opts, u];
  }
  throw new Error(`model/generate: no safe uniforms for ${name} after ${JSON.stringify(prompt)}`);
}

function cases(rng: Rng, { exerciseDir }: { exerciseDir: string }): { name: string; args: Args; entry?: string }[] {
  const small: GptConfig = { vocabSize: 8, context: 12, layers: 2, heads: 2, width: 8 };
  const wide: GptConfig = { vocabSize: 12, context: 16, layers: 1, heads: 3, width: 6 };
  const out: { name: string; args: Args; entry?: string }[] = [
    { name: `the lesson example: ${shapeOf(lessonConfig)}, greedy, 4 tokens after [1, 2]`, args: [lessonPrompt, 4, lessonWeights(), { temperature: 0 }, lessonU] },
    { name: `the lesson example sampled: ${describeOpts(lessonSampled)}, u = [${lessonU.join(', ')}]`, args: [lessonPrompt, 4, lessonWeights(), lessonSampled, lessonU] },
  ];
  const random: [GptConfig, number, number, SampleOptions][] = [
    [small, 3, 6, { temperature: 1 }],
    [small, 2, 6, { temperature: 0.7, topK: 3 }],
    [wide, 3, 8, { temperature: 1.2, topP: 0.8 }],
    [wide, 2, 8, { temperature: 0.9, topK: 5, topP: 0.6 }],
    [small, 1, 5, { temperature: 0 }],
  ];
  for (const [config, promptLength, n, opts] of random) {
    out.push({ name: `random model (${shapeOf(config)}), ${describeOpts(opts)}: ${n} tokens after ${promptLength}`, args: randomCase(rng, config, promptLength, n, opts) });
  }
  out.push({ name: `the prompt fills the context but one place (${shapeOf(small)}, temperature 1): 1 token after 11`, args: randomCase(rng, small, 11, 1, { temperature: 1 }) });
  const shipped: [ModelName, string, number, SampleOptions][] = [
    ['shakespeare', shippedPrompts.shakespeare, 16, { temperature: 0 }],
    ['tang', shippedPrompts.tang, 6, { temperature: 0 }],
    ['shakespeare', 'JULIET:', 10, { temperature: 0.8 }],
    ['tang', '春眠不覺曉，', 6, { temperature: 0.8, topK: 40, topP: 0.9 }],
  ];
  for (const [name, prompt, n, opts] of shipped) {
    out.push({ name: `${name}, ${describeOpts(opts)}: ${n} characters after ${JSON.stringify(prompt)}`, args: shippedCase(rng, exerciseDir, name, prompt, n, opts) });
  }
  const next: [string, NextTokenArgs][] = [
    ['nextToken: a tie at temperature 0 (logits 3 at tokens 1 and 3): the lower index', [[1, 3, 0.5, 3, -2], { temperature: 0 }, 0.5]],
    ['nextToken: top-k 10 on 4 tokens keeps them all', [[0.2, 1.5, -0.3, 0.9], { temperature: 1, topK: 10 }, 0.7]],
    ['nextToken: top-p 1 keeps every token', [[0.2, 1.5, -0.3, 0.9], { temperature: 1, topP: 1 }, 0.95]],
    ['nextToken: u = 0.5 on the boundary of tokens 1 and 2 (uniform over 4): token 2', [[0, 0, 0, 0], { temperature: 1 }, 0.5]],
    ['nextToken: top-k 2 then top-p 0.5 keeps token 0 alone (the other order keeps tokens 0 and 1)', [[0.4, 0.3, 0.2, 0.1].map(Math.log), { temperature: 1, topK: 2, topP: 0.5 }, 0.8]],
    ['nextToken: temperature 0.5 sharpens [2, 1, 0, −1]', [[2, 1, 0, -1], { temperature: 0.5 }, 0.9]],
    ['nextToken: random logits, temperature 1.5', [uniforms(rng, 7).map((x) => 4 * x - 2), { temperature: 1.5 }, rng.next()]],
  ];
  for (const [name, args] of next) out.push({ name, args, entry: 'nextToken' });
  return out;
}

const isNextToken = (ctx: ReferenceContext) => ctx.entry === 'nextToken';

/** The message for outputs that are not lists of n token ids each, or undefined. */
function notTokens(outputs: unknown[], calls: readonly unknown[][]): string | undefined {
  for (const [i, out] of outputs.entries()) {
    const [, n, w] = calls[i] as GenerateArgs;
    const ok = Array.isArray(out) && out.length === n && out.every((t) => Number.isInteger(t) && t >= 0 && t < w.config.vocabSize);
    if (!ok) return `generate must return a list of ${n} token ids (integers from 0 to ${w.config.vocabSize - 1}); it returned ${describeType(out)}.`;
  }
  return undefined;
}

/**
 * A wrong variant: the mistaken generation in float64, or the mistaken choice
 * of one token; `applies` says on which options the mistake can change
 * anything (elsewhere the case tells nothing about it).
 */
function mistaken(mistake: GenerateMistake, applies: (opts: SampleOptions, n: number) => boolean, onNextToken = true) {
  return (ctx: ReferenceContext, ...args: Args) => {
    if (isNextToken(ctx)) {
      const [logits, opts, u] = args as NextTokenArgs;
      if (!onNextToken || !applies(opts, 1)) throw new Error('not applicable: the mistake changes nothing here');
      return tokenSteps(logits, opts, u, mistake).output;
    }
    const [prompt, n, w, opts, u] = args as GenerateArgs;
    if (!applies(opts, n)) throw new Error('not applicable: the mistake changes nothing here');
    return generate64(w, prompt, n, opts, u, mistake);
  };
}

const topLogits = (logits: ArrayLike<number>, k: number) =>
  Array.from(logits, (z, token) => [token, z] as [number, number])
    .sort((a, b) => b[1] - a[1])
    .slice(0, k);

export default defineExercise<Args, number | number[]>({
  entry: 'generate',
  signature: 'generate(prompt: number[], n: number, w: GptWeights, opts: { temperature: number; topK?: number; topP?: number }, u: Vector): number[]',
  otherExports: [{ entry: 'nextToken', signature: 'nextToken(logits: Vector, opts: { temperature: number; topK?: number; topP?: number }, u: number): number' }],
  inputsReadOnly: true,
  compare: 'exact',
  cases,
  reference: ({ tf, entry }, ...args) => {
    if (entry === 'nextToken') {
      const [logits, opts, u] = args as NextTokenArgs;
      return nextToken(logits, opts, u);
    }
    const [prompt, n, w, opts, u] = args as GenerateArgs;
    return referenceGenerate(tf, w, prompt, n, opts, u);
  },
  trace: ({ tf, entry }, ...args) => {
    // pack validate runs the trace without ctx.entry: nextToken's cases are told apart by their three arguments too.
    if (entry === 'nextToken' || args.length === 3) {
      const [logits, opts, u] = args as NextTokenArgs;
      return tokenSteps(logits, opts, u).steps;
    }
    const [prompt, n, w, opts, u] = args as GenerateArgs;
    const steps: Record<string, unknown> = {};
    const tokens = [...prompt];
    referenceGenerate(tf, w, prompt, n, opts, u, (logits, token) => {
      const i = tokens.length - prompt.length;
      if (logits.length <= 12) steps[`new token ${i}: logits`] = Array.from(logits);
      else steps[`new token ${i}: the 5 largest logits, [token, logit]`] = topLogits(logits, 5);
      if (opts.temperature !== 0) steps[`new token ${i}: u[${i}]`] = u[i];
      steps[`new token ${i}`] = token;
      tokens.push(token);
    });
    return steps;
  },
  properties: [
    {
      name: 'generating fewer tokens gives the start of the same text',
      cases: (rng) => {
        const calls = (config: GptConfig, opts: SampleOptions) => {
          const [prompt, , w, , u] = randomCase(rng, config, 2, 7, opts);
          return [[prompt, 7, w, opts, u], [prompt, 4, w, opts, u.slice(0, 4)]] as GenerateArgs[];
        };
        return [
          { name: 'V = 8, C = 8, temperature 1: 7 tokens, then 4', calls: calls({ vocabSize: 8, context: 12, layers: 2, heads: 2, width: 8 }, { temperature: 1 }) },
          { name: 'V = 12, C = 6, temperature 0.8, top-k 4, top-p 0.9: 7 tokens, then 4', calls: calls({ vocabSize: 12, context: 10, layers: 1, heads: 3, width: 6 }, { temperature: 0.8, topK: 4, topP: 0.9 }) },
        ];
      },
      holds: (outputs, calls) => {
        const odd = notTokens(outputs, calls);
        if (odd) return odd;
        const [long, short] = outputs as number[][];
        if (short.every((token, i) => token === long[i])) return undefined;
        return `With the same prompt and uniforms, 7 tokens start ${JSON.stringify(long.slice(0, 4))} and 4 tokens are ${JSON.stringify(short)}. Token i depends only on the prompt, the tokens before it and u[i], so asking for fewer tokens must give the start of the same list.`;
      },
    },
    {
      name: 'top-k 1 is greedy decoding, whatever the temperature and the uniforms',
      cases: (rng) => {
        const config: GptConfig = { vocabSize: 10, context: 10, layers: 1, heads: 2, width: 8 };
        const [prompt, , w] = randomCase(rng, config, 2, 6, { temperature: 0 });
        const greedy: GenerateArgs = [prompt, 6, w, { temperature: 0 }, uniforms(rng, 6)];
        return [
          {
            name: 'V = 10, C = 8: greedy, then top-k 1 at temperature 0.5 and 2',
            calls: [greedy, [prompt, 6, w, { temperature: 0.5, topK: 1 }, uniforms(rng, 6)], [prompt, 6, w, { temperature: 2, topK: 1 }, uniforms(rng, 6)]] as GenerateArgs[],
          },
        ];
      },
      holds: (outputs, calls) => {
        const odd = notTokens(outputs, calls);
        if (odd) return odd;
        const [greedy, ...topK] = outputs as number[][];
        const differs = topK.findIndex((tokens) => JSON.stringify(tokens) !== JSON.stringify(greedy));
        if (differs < 0) return undefined;
        const t = (calls[differs + 1] as GenerateArgs)[3].temperature;
        return `Greedy decoding gives ${JSON.stringify(greedy)}, and top-k 1 at temperature ${t} gives ${JSON.stringify(topK[differs])}. Top-k 1 leaves one token, the largest logit (dividing by T > 0 keeps the order), so every u must draw it: top-k comes after the temperature and before the softmax, and the draw takes the first token whose cumulative probability exceeds u.`;
      },
    },
  ],
  misconceptions: [
    {
      id: 'prompt-returned',
      title: { en: 'the prompt returned with the new tokens', 'zh-CN': '把提示连同新 token 一起返回' },
      message: {
        en:
          'Your list starts with the prompt: generate returns the n new tokens only (Hugging Face\'s generate returns both, this exercise does not). ' +
          'In the lesson example, greedy after [1, 2], it is [3, 4, 0, 4], not [1, 2, 3, 4, 0, 4]. Keep the prompt in your own list if you like, and return the part after it.',
        'zh-CN':
          '你的列表以提示开头：generate 只返回 n 个新 token（Hugging Face 的 generate 两者都返回，本练习不是）。在课程例子中，从 [1, 2] 开始贪心生成，结果是 [3, 4, 0, 4]，而不是 [1, 2, 3, 4, 0, 4]。你可以在自己的列表里保留提示，返回它后面的部分即可。',
      },
      hint: { en: 'How long is your list, and how long should it be? Compare it with n.', 'zh-CN': '你的列表有多长？应该有多长？和 n 比较一下。' },
      wrong: (ctx, ...args) => {
        if (isNextToken(ctx)) throw new Error('not applicable: nextToken draws one token');
        const [prompt, n, w, opts, u] = args as GenerateArgs;
        return [...prompt, ...generate64(w, prompt, n, opts, u)];
      },
    },
    {
      id: 'same-u',
      title: { en: 'every token drawn with u[0]', 'zh-CN': '每个 token 都用 u[0] 抽取' },
      message: {
        en:
          'Your tokens are all drawn with the same uniform, u[0]: new token i must be drawn with u[i], or sampling is no longer random from one token to the next. ' +
          'In the sampled lesson example the tokens are [3, 0, 4, 5]; with u[0] = 0.5 each time they are [3, 3, 3, 3].',
        'zh-CN':
          '你的所有 token 都用同一个均匀随机数 u[0] 抽取：第 i 个新 token 必须用 u[i] 抽取，否则从一个 token 到下一个 token 的采样就不再随机。在课程的采样例子中，token 为 [3, 0, 4, 5]；每次都用 u[0] = 0.5 时得到 [3, 3, 3, 3]。',
      },
      hint: {
        en: 'Which uniform does your loop pass to nextToken for new token i? Greedy cases pass; sampled ones with more than one token fail.',
        'zh-CN': '对第 i 个新 token，你的循环把哪个均匀随机数传给了 nextToken？贪心的用例能通过；生成多于一个 token 的采样用例则通不过。',
      },
      wrong: mistaken({ sameU: true }, (opts, n) => opts.temperature !== 0 && n > 1, false),
    },
    {
      id: 'top-p-before-top-k',
      title: { en: 'top-p applied before top-k', 'zh-CN': '在 top-k 之前应用了 top-p' },
      message: {
        en:
          'You filter with top-p first and top-k second. Hugging Face (and this exercise) divides by the temperature, then keeps the top k, then applies top-p to the probabilities of what is left, renormalised: ' +
          'in the sampled lesson example the kept tokens of the first step are 3 and 2 (probabilities 0.524879 and 0.255928 of the top 3 add up past 0.75), and the tokens are [3, 0, 4, 5], not [3, 0, 1, 3].',
        'zh-CN':
          '你先用 top-p 过滤，再用 top-k。Hugging Face（以及本练习）先除以温度，再保留前 k 个，然后对剩下部分重新归一化后的概率应用 top-p：在课程的采样例子中，第一步保留的 token 是 3 和 2（前 3 个中的概率 0.524879 和 0.255928 相加超过了 0.75），token 为 [3, 0, 4, 5]，而不是 [3, 0, 1, 3]。',
      },
      hint: {
        en: 'The case "top-k 2 then top-p 0.5" has probabilities [0.4, 0.3, 0.2, 0.1]: do it by hand in both orders.',
        'zh-CN': '用例「top-k 2 then top-p 0.5」的概率为 [0.4, 0.3, 0.2, 0.1]：按两种顺序各手算一遍。',
      },
      wrong: mistaken({ topPFirst: true }, (opts) => opts.temperature !== 0 && opts.topK !== undefined && opts.topP !== undefined),
    },
    {
      id: 'temperature-on-probabilities',
      title: { en: 'the temperature applied to the probabilities, after the softmax', 'zh-CN': '在 softmax 之后把温度作用在概率上' },
      message: {
        en:
          'You divide the probabilities by T (or leave T out): dividing every probability by one number changes none of their ratios, so the draw is at temperature 1. ' +
          'Temperature divides the logits, before top-k, top-p and the softmax. In the sampled lesson example (T = 0.6) the tokens are [3, 0, 4, 5]; at temperature 1 they are [3, 0, 4, 1].',
        'zh-CN':
          '你把概率除以 T（或者根本没用 T）：把每个概率都除以同一个数不会改变它们之间的比例，所以抽样实际上是在温度 1 下进行的。温度要除的是 logits，在 top-k、top-p 和 softmax 之前。在课程的采样例子中（T = 0.6），token 为 [3, 0, 4, 5]；在温度 1 下则是 [3, 0, 4, 1]。',
      },
      hint: {
        en: 'Cases at temperature 1 pass and the others fail? Where does T act: on the logits or on the probabilities?',
        'zh-CN': '温度为 1 的用例通过、其他的都没通过？T 作用在哪里：logits 还是概率？',
      },
      wrong: mistaken({ temperatureOnProbabilities: true }, (opts) => opts.temperature !== 0 && opts.temperature !== 1),
    },
    {
      id: 'zero-temperature-divided',
      title: { en: 'temperature 0 not special-cased: the logits divided by 0', 'zh-CN': '没有单独处理温度 0：把 logits 除以了 0' },
      message: {
        en:
          'At temperature 0 you divide the logits by 0: they become ±Infinity, the softmax gives NaN, and the draw falls through to a fixed token. ' +
          'Temperature 0 means greedy decoding: return the argmax of the logits (the lower index on a tie) before any division. In the lesson example that is [3, 4, 0, 4], not [0, 0, 0, 0].',
        'zh-CN':
          '温度为 0 时你把 logits 除以 0：它们变成 ±Infinity，softmax 给出 NaN，抽样总是落到某个固定的 token 上。温度 0 的意思是贪心解码：在做任何除法之前返回 logits 的 argmax（相等时取较小的下标）。在课程例子中结果是 [3, 4, 0, 4]，而不是 [0, 0, 0, 0]。',
      },
      hint: {
        en: 'What is 2 / 0 in JavaScript, and Infinity − Infinity? Your applyTemperature takes t > 0 only.',
        'zh-CN': '在 JavaScript 里 2 / 0 是多少？Infinity − Infinity 呢？你的 applyTemperature 只接受 t > 0。',
      },
      wrong: (ctx, ...args) => {
        const zeroDivided = mistaken({ zeroDivided: true }, (opts) => opts.temperature === 0)(ctx, ...args);
        if (isNextToken(ctx)) return anyOf(zeroDivided, (args as NextTokenArgs)[0].length - 1);
        const [, n, w] = args as GenerateArgs;
        return anyOf(zeroDivided, new Array<number>(n).fill(w.config.vocabSize - 1));
      },
    },
  ],
  hints: [
    {
      en: 'Write nextToken first and check it on the lesson\'s first step by hand; then generate runs the prompt through gptStep and calls nextToken n times, feeding each new token back.',
      'zh-CN': '先写 nextToken，并在课程的第一步上手算检查它；然后 generate 把提示送入 gptStep，调用 nextToken n 次，每次把新 token 送回模型。',
    },
    { text: {
      en: 'Temperature 0 is greedy: take the argmax before any division, since logits / 0 are ±Infinity.',
      'zh-CN': '温度 0 就是贪心：在做任何除法之前先取 argmax，因为 logits / 0 是 ±Infinity。',
    }, misconception: 'zero-temperature-divided' },
    {
      en: 'The key idea: nextToken is applyTemperature, topKFilter, topPFilter (in that order, each on logits), softmax, then sampleToken with u; new token i uses u[i], and generate returns only the n new tokens.',
      'zh-CN': '关键：nextToken 依次是 applyTemperature、topKFilter、topPFilter（按这个顺序，每一步都作用于 logits）、softmax，最后用 u 调用 sampleToken；第 i 个新 token 使用 u[i]，generate 只返回 n 个新 token。',
    },
  ],
});
