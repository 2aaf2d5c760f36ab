import { readFileSync } from 'node:fs';
import path from 'node:path';
import { anyOf, defineExercise, encode, type ReferenceContext, type Rng } from 'llm-tutor/pack';
import { isMatrix, isVector, matrixDifference, wrongKind } from '../../../transformer-core/properties.js';
import { modelsDir, randomModel, shippedModel, shippedWeights, weightsOf, type GptCache, type GptWeights, type ModelName } from '../gpt-math.js';
import { lessonModel, lessonTokens, run64, type ModelVariant } from '../forward-math.js';
import { plainWeights, stepSteps } from '../kv-cached-step-math.js';

type Args = [token: number, cache: GptCache, w: GptWeights];
interface Step {
  logits: number[];
  cache: GptCache;
}

/** A random model's shape: vocabulary, context, layers, heads, width. */
type Shape = [vocabSize: number, context: number, layers: number, heads: number, width: number];

const shapeName = ([V, , L, H, C]: Shape) => `vocabulary ${V}, C = ${C}, ${L} ${L === 1 ? 'layer' : 'layers'} of ${H} ${H === 1 ? 'head' : 'heads'}`;

/** The empty cache of a model. */
const emptyCache = (w: GptWeights): GptCache => w.h.map(() => ({ k: [], v: [] }));

/** The cache after `prefix` (its keys and values in every layer), from the float64 forward pass; `plain` is w with plain arrays. */
const cacheOf = (plain: GptWeights, prefix: number[]): GptCache => (prefix.length === 0 ? emptyCache(plain) : run64(plain, prefix).cache);

/** A step of a random model of this shape: a cache of `cached` random tokens, and the next token. */
function randomStep(rng: Rng, [vocabSize, context, layers, heads, width]: Shape, cached: number): Args {
  const w = weightsOf(randomModel(rng, { vocabSize, context, layers, heads, width }));
  const tokens = Array.from({ length: cached + 1 }, () => rng.int(0, vocabSize - 1));
  return [tokens[cached], cacheOf(plainWeights(w), tokens.slice(0, cached)), w];
}

/** A step of a shipped model: the cache of `text` without its last character, and that character. */
function shippedStep(exerciseDir: string, name: ModelName, text: string): Args {
  const model = shippedModel(exerciseDir, name);
  const w = shippedWeights(exerciseDir, name);
  const tokens = encode(model.tokenizer, text);
  return [tokens[tokens.length - 1], cacheOf(plainWeights(w), tokens.slice(0, -1)), w];
}

/** A wrong step: the float64 model on the one token with a mistake switched on. */
const wrongWith =
  (variant: ModelVariant) =>
  (_ctx: ReferenceContext, token: number, cache: GptCache, w: GptWeights): Step => {
    const { logits, cache: next } = run64(w, [token], cache, variant);
    return { logits: logits[0], cache: next };
  };

const isStep = (x: unknown): x is Step =>
  typeof x === 'object' &&
  x !== null &&
  isVector((x as Step).logits) &&
  Array.isArray((x as Step).cache) &&
  (x as Step).cache.every((layer) => typeof layer === 'object' && layer !== null && isMatrix(layer.k) && isMatrix(layer.v));

/** A property's `holds` that first checks every output is `{ logits, cache: [{ k, v }, …] }`. */
const steps = (check: (outputs: Step[], calls: Args[]) => string | undefined) => (outputs: unknown[], calls: Args[]) =>
  wrongKind('gptStep', 'an object { logits, cache } with a vector and one { k, v } of matrices per layer', outputs, isStep) ?? check(outputs as Step[], calls);

/** The property models: small random ones. */
const propertyShapes: Shape[] = [
  [6, 8, 1, 2, 4],
  [9, 8, 2, 2, 8],
];

export default defineExercise<Args, Step>({
  entry: 'gptStep',
  signature: 'gptStep(token: number, cache: GptCache, w: GptWeights): { logits: Vector; cache: GptCache }',
  inputsReadOnly: true,
  compare: { atol: 1e-4, rtol: 1e-4 },
  cases: (rng, { exerciseDir }) => {
    const cases: { name: string; args: Args }[] = [
      { name: 'the lesson model, token 2 on the empty cache (position 0)', args: [lessonTokens[0], emptyCache(lessonModel), lessonModel] },
      { name: 'the lesson model, token 1 at position 2 (the cache of tokens [2, 0])', args: [lessonTokens[2], cacheOf(lessonModel, lessonTokens.slice(0, 2)), lessonModel] },
    ];
    for (const [shape, cached] of [
      [[10, 8, 2, 4, 8], 3],
      [[7, 6, 1, 1, 6], 1],
      [[12, 10, 3, 2, 8], 5],
    ] as [Shape, number][]) {
      cases.push({ name: `random, ${shapeName(shape)}, position ${cached}`, args: randomStep(rng, shape, cached) });
    }
    cases.push({ name: `the last position of the context (random, ${shapeName([8, 8, 2, 2, 8])}, 7 cached tokens)`, args: randomStep(rng, [8, 8, 2, 2, 8], 7) });
    cases.push({ name: 'the Shakespeare model, ":" after the cache of "ROMEO"', args: shippedStep(exerciseDir, 'shakespeare', 'ROMEO:') });
    const tangLine = Array.from(readFileSync(path.join(modelsDir(exerciseDir), 'tang-heldout.txt'), 'utf8')).slice(0, 5).join('');
    cases.push({ name: 'the Tang model, the 5th character of a held-out line after the cache of the first 4', args: shippedStep(exerciseDir, 'tang', tangLine) });
    return cases;
  },
  reference: ({ tf }: ReferenceContext, token, cache, w) => stepSteps(tf, token, cache, w).output,
  trace: ({ tf }: ReferenceContext, token, cache, w) => stepSteps(tf, token, cache, w).steps,
  properties: [
    {
      name: 'the returned cache is the one passed in with one more row in each layer',
      cases: (rng) =>
        propertyShapes.map((shape) => {
          const [token, cache, w] = randomStep(rng, shape, 2);
          return { name: `${shapeName(shape)}, 2 cached tokens`, calls: [[token, cache, w]] };
        }),
      holds: steps(([out], [[, cache]]) => {
        if (out.cache.length !== cache.length) return `The model has ${cache.length} layers, so the cache has ${cache.length} entries; yours has ${out.cache.length}.`;
        for (let l = 0; l < cache.length; l++) {
          for (const part of ['k', 'v'] as const) {
            const [had, got] = [cache[l][part], out.cache[l][part]];
            if (got.length !== had.length + 1) return `Layer ${l}'s ${part} had ${had.length} rows; after one step it should have ${had.length + 1}, and yours has ${got.length}. Each step appends its key and value to every layer.`;
            const difference = matrixDifference(got.slice(0, had.length), had);
            if (difference) return `Layer ${l}'s first ${had.length} rows of ${part} changed (yours first, then the cache passed in): ${difference}. The cached rows are the earlier positions' and stay as they were; only a new last row is added.`;
          }
        }
        return undefined;
      }),
    },
    {
      name: 'layer 0\'s new key and value depend only on the token and its position',
      cases: (rng) =>
        propertyShapes.map((shape) => {
          const [token, cache, w] = randomStep(rng, shape, 3);
          const other = cacheOf(plainWeights(w), Array.from({ length: 3 }, () => rng.int(0, shape[0] - 1)));
          return { name: `${shapeName(shape)}, two caches of 3 tokens`, calls: [[token, cache, w], [token, other, w]] };
        }),
      holds: steps(([first, second]) => {
        for (const part of ['k', 'v'] as const) {
          const difference = matrixDifference(first.cache[0][part].slice(3), second.cache[0][part].slice(3));
          if (difference)
            return (
              `The same token at position 3 after two different caches got different layer-0 ${part} rows (after the first cache, then the second): ${difference}. ` +
              `Layer 0's ${part} is ln_1(wte[token] + wpe[3])·w${part} + b${part}: it reads the token and its position, not the cache (only the attention output does).`
            );
        }
        return undefined;
      }),
    },
  ],
  misconceptions: [
    {
      id: 'own-key-left-out',
      title: { en: 'attending before appending: the token\'s own key left out', 'zh-CN': '先关注再追加：漏掉了 token 自己的键' },
      message: {
        en:
          'Your step attends over the cached keys and appends the new key and value afterwards, so the token does not see itself. In a forward pass position t sees positions 0 … t, itself included: append first, then attend over all t + 1 rows. ' +
          'At position 0 there is then nothing to attend to. On the lesson model\'s step at position 2 the logits should be [0.271568, 1.973903, −1.800859, −0.271568, −0.444612, 2.245471].',
        'zh-CN':
          '你的这一步先在缓存的键上做注意力，之后才追加新的键和值，所以 token 看不到它自己。在前向传播中，位置 t 能看到位置 0 … t，包括它自己：先追加，再在全部 t + 1 行上做注意力。这样在位置 0 就没有东西可关注了。在课程模型位置 2 的那一步，logits 应为 [0.271568, 1.973903, −1.800859, −0.271568, −0.444612, 2.245471]。',
      },
      hint: {
        en: 'On the empty cache, how many keys does your attention see? It should see one: the token\'s own.',
        'zh-CN': '在空缓存上，你的注意力能看到几个键？应该是一个：token 自己的。',
      },
      wrong: wrongWith({ ownKeyLeftOut: true }),
    },
    {
      id: 'position-zero',
      title: { en: 'every token embedded at position 0', 'zh-CN': '每个 token 都按位置 0 嵌入' },
      message: {
        en:
          'Your step adds wpe[0] whatever the position: a step\'s token sits at position t = cache[0].k.length, the number of rows already cached, and gets wpe[t]. ' +
          'The first step is right, the later ones not: on the lesson model\'s step at position 2, logits[1] should be 1.973903.',
        'zh-CN':
          '无论位置是多少，你的这一步都加上 wpe[0]：这一步的 token 位于位置 t = cache[0].k.length，即缓存中已有的行数，应该加上 wpe[t]。第一步是对的，后面的就不对了：在课程模型位置 2 的那一步，logits[1] 应为 1.973903。',
      },
      hint: { en: 'How does your step know its position? The cache holds one row per earlier token.', 'zh-CN': '你的这一步怎么知道自己的位置？缓存中之前的每个 token 都有一行。' },
      wrong: wrongWith({ positionZero: true }),
    },
    {
      id: 'whole-row-attention',
      title: { en: 'attention over whole rows: one head of width C, or the scale √C', 'zh-CN': '在整行上做注意力：一个宽 C 的头，或按 √C 缩放' },
      message: {
        en:
          'Your attention does not split the rows into heads of width d = C / heads: it runs one head over all C columns (decodeStep given the whole q, k, v and cached rows), or divides each head\'s scores by √C. ' +
          'Run decodeStep once per head on columns j·d … j·d + d − 1 of q, k, v and of every cached row; it then scales by 1/√d itself. At position 0 one key gets all the weight whatever the split; on the lesson model\'s step at position 2, logits[5] should be 2.245471.',
        'zh-CN':
          '你的注意力没有把各行拆成宽 d = C / heads 的头：要么在全部 C 列上运行一个头（把整个 q、k、v 和缓存行交给 decodeStep），要么把每个头的分数除以 √C。对每个头，在 q、k、v 以及每个缓存行的第 j·d … j·d + d − 1 列上运行一次 decodeStep；它自己会按 1/√d 缩放。在位置 0，无论怎么拆分，唯一的键都拿到全部权重；在课程模型位置 2 的那一步，logits[5] 应为 2.245471。',
      },
      hint: {
        en: 'How long are the q and k you pass to decodeStep? One head of the lesson model is 2 wide, and it has two heads.',
        'zh-CN': '你传给 decodeStep 的 q 和 k 有多长？课程模型的一个头宽 2，共有两个头。',
      },
      wrong: (ctx, token, cache, w) => anyOf(wrongWith({})(ctx, token, cache, { ...w, config: { ...w.config, heads: 1 } }), wrongWith({ scaleByWidth: true })(ctx, token, cache, w)),
    },
    {
      id: 'cache-not-extended',
      title: { en: 'the cache passed in returned, without the new rows', 'zh-CN': '返回了传入的缓存，没有新的行' },
      message: {
        en:
          'Your logits are right, but the cache you return is the one you were given: the new token\'s key and value must be appended in every layer, so that the next step sees them. Build new arrays (the cache passed in must not change), [...cache[l].k, k], and return those.',
        'zh-CN':
          '你的 logits 是对的，但返回的缓存就是传进来的那个：新 token 的键和值必须追加到每一层里，下一步才能看到它们。构建新的数组（传入的缓存不能改变），即 [...cache[l].k, k]，然后返回它们。',
      },
      hint: { en: 'After one step from the empty cache, how many rows should each layer\'s k and v have?', 'zh-CN': '从空缓存走一步之后，每一层的 k 和 v 应该有几行？' },
      wrong: (_ctx, token, cache, w) => ({ logits: run64(w, [token], cache).logits[0], cache }),
    },
  ],
  hints: [
    {
      en: 'The step is the forward pass for one row: x = wte[token] + wpe[t] with t = cache[0].k.length, then each block on that row alone, then ln_f and the logits.',
      'zh-CN': '这一步就是单独一行的前向传播：x = wte[token] + wpe[t]，其中 t = cache[0].k.length，然后每个块只处理这一行，最后是 ln_f 和 logits。',
    },
    {
      en: 'In block l, project ln_1(x) to q, k, v (with biases), append k and v to cache[l], and let q attend over all the rows, head by head: columns j·d … j·d + d − 1, d = C / heads.',
      'zh-CN': '在第 l 个块中，把 ln_1(x) 投影成 q、k、v（含偏置），把 k 和 v 追加到 cache[l]，再让 q 逐头关注所有行：第 j·d … j·d + d − 1 列，d = C / heads。',
    },
    {
      en: 'decodeStep does one head: call it with that head\'s columns of q, k, v and of the cached rows, put the heads\' outputs side by side, then ·wo + bo. Return the new cache, never the old one changed.',
      'zh-CN': 'decodeStep 只处理一个头：用该头在 q、k、v 以及缓存各行中对应的列调用它，把各头的输出并排拼起来，再 ·wo + bo。返回新的缓存，绝不要返回被改动过的旧缓存。',
    },
  ],
});
