import { readFileSync } from 'node:fs';
import path from 'node:path';
import { defineExercise, encode, type ReferenceContext, type Rng } from 'llm-tutor/pack';
import { matricesAgree } from '../../../transformer-core/properties.js';
import { modelsDir, randomModel, referenceForward, shippedModel, shippedWeights, weightsOf, type GptWeights, type ModelName } from '../gpt-math.js';
import { forwardLogits64, lessonModel, lessonTokens, type ModelVariant } from '../forward-math.js';

type Args = [tokens: number[], w: GptWeights];

/** A random model's shape: vocabulary, context, layers, heads, width. */
type Shape = [vocabSize: number, context: number, layers: number, heads: number, width: number];

const shapeName = ([V, , L, H, C]: Shape) => `vocabulary ${V}, C = ${C}, ${L} ${L === 1 ? 'layer' : 'layers'} of ${H} ${H === 1 ? 'head' : 'heads'}`;

/** A random model of this shape (gpt-math's randomModel) as GptWeights, and T random tokens. */
function randomCall(rng: Rng, [vocabSize, context, layers, heads, width]: Shape, T: number): Args {
  const w = weightsOf(randomModel(rng, { vocabSize, context, layers, heads, width }));
  return [Array.from({ length: T }, () => rng.int(0, vocabSize - 1)), w];
}

/** The first `length` characters of a shipped model's held-out text, as its tokens. */
function heldOutTokens(exerciseDir: string, name: ModelName, length: number): number[] {
  const text = readFileSync(path.join(modelsDir(exerciseDir), `${name}-heldout.txt`), 'utf8');
  return encode(shippedModel(exerciseDir, name).tokenizer, Array.from(text).slice(0, length).join(''));
}

/** The property models: small random ones. */
const propertyShapes: Shape[] = [
  [6, 8, 1, 2, 4],
  [9, 8, 2, 2, 8],
];

/** A wrong forward pass: the float64 one with a mistake switched on. */
const wrongWith = (variant: ModelVariant) => (_ctx: ReferenceContext, tokens: number[], w: GptWeights) => forwardLogits64(w, tokens, variant);

export default defineExercise<Args, number[][]>({
  entry: 'gptForward',
  signature: 'gptForward(tokens: number[], w: GptWeights): Matrix',
  compare: { atol: 1e-4, rtol: 1e-4 },
  cases: (rng, { exerciseDir }) => {
    const cases: { name: string; args: Args }[] = [{ name: 'the lesson model (vocabulary 6, C = 4, 1 layer of 2 heads), tokens [2, 0, 1]', args: [[...lessonTokens], lessonModel] }];
    for (const [shape, T] of [
      [[10, 8, 2, 4, 8], 5],
      [[7, 6, 1, 1, 6], 4],
      [[12, 10, 3, 2, 8], 6],
    ] as [Shape, number][]) {
      cases.push({ name: `random, ${shapeName(shape)}, ${T} tokens`, args: randomCall(rng, shape, T) });
    }
    cases.push({ name: `one token (random, ${shapeName([8, 8, 2, 2, 4])})`, args: randomCall(rng, [8, 8, 2, 2, 4], 1) });
    cases.push({ name: `a full context of 8 tokens (random, ${shapeName([8, 8, 2, 2, 8])})`, args: randomCall(rng, [8, 8, 2, 2, 8], 8) });
    const shakespeare = shippedWeights(exerciseDir, 'shakespeare');
    const tang = shippedWeights(exerciseDir, 'tang');
    cases.push({ name: 'the Shakespeare model on "ROMEO:"', args: [encode(shippedModel(exerciseDir, 'shakespeare').tokenizer, 'ROMEO:'), shakespeare] });
    cases.push({ name: 'the Tang model on the first line of its held-out poems', args: [heldOutTokens(exerciseDir, 'tang', 6), tang] });
    cases.push({ name: 'the Shakespeare model on 64 held-out characters (its whole context)', args: [heldOutTokens(exerciseDir, 'shakespeare', 64), shakespeare] });
    return cases;
  },
  reference: ({ tf }: ReferenceContext, tokens, w) => referenceForward(tf, w, tokens).logits,
  trace: ({ tf }: ReferenceContext, tokens, w) => referenceForward(tf, w, tokens).steps,
  // When the file fails: each of the learner's imported pieces on the reference's input to it, the first that differs named.
  layers: ({ tf }: ReferenceContext, tokens, w) => {
    const { logits, steps } = referenceForward(tf, w, tokens);
    const rows = (name: string) => steps[name].arraySync() as number[][];
    const L = w.config.layers;
    const before = (l: number) => (l === 0 ? 'embedding' : `h.${l - 1}`);
    return [
      { name: 'embedding', exercise: 'training/block/embedding', entry: 'embed', args: [tokens, w.wte, w.wpe], expected: steps.embedding },
      ...w.h.map((block, l) => ({ name: `h.${l}`, exercise: 'training/block/transformer-block', entry: 'transformerBlock', args: [rows(before(l)), block, w.config.heads], expected: steps[`h.${l}`] })),
      { name: 'ln_f', exercise: 'training/norms/layer-norm', entry: 'layerNorm', args: [rows(`h.${L - 1}`), w.ln_f.gamma, w.ln_f.beta, 1e-5], expected: steps.ln_f },
      { name: 'unembedding', exercise: 'training/block/tied-unembedding', entry: 'unembed', args: [rows('ln_f'), w.wte], expected: logits },
    ];
  },
  properties: [
    {
      name: 'changing the last token leaves the earlier rows of logits unchanged',
      cases: (rng) =>
        propertyShapes.map((shape) => {
          const [tokens, w] = randomCall(rng, shape, 4);
          const changed = [...tokens.slice(0, -1), (tokens[3] + 1 + rng.int(0, shape[0] - 2)) % shape[0]];
          return { name: shapeName(shape), calls: [[tokens, w], [changed, w]] };
        }),
      holds: matricesAgree<Args>(
        'gptForward',
        ([before, after]) => [before.slice(0, -1), after.slice(0, -1)],
        (difference) =>
          `Replacing only the last token changed the logits of earlier positions (before, then after: ${difference}). ` +
          'Row t of the logits may depend on tokens 0 … t only: every block\'s attention must be causal, and nothing else mixes positions.',
      ),
    },
    {
      name: 'the logits of a prefix are the first rows of the whole sequence\'s logits',
      cases: (rng) =>
        propertyShapes.map((shape) => {
          const [tokens, w] = randomCall(rng, shape, 5);
          return { name: shapeName(shape), calls: [[tokens, w], [tokens.slice(0, 3), w]] };
        }),
      holds: matricesAgree<Args>(
        'gptForward',
        ([whole, prefix]) => [whole.slice(0, prefix.length), prefix],
        (difference) =>
          `gptForward of the first 3 tokens should give the first 3 rows of gptForward of all 5; they differ (the whole sequence's rows first): ${difference}. ` +
          'Position t reads tokens 0 … t and the position embeddings wpe[0 … t], whatever follows.',
      ),
    },
  ],
  misconceptions: [
    {
      id: 'no-positions',
      title: { en: 'the position embedding left out', 'zh-CN': '漏掉了位置嵌入' },
      message: {
        en:
          'Your model embeds each token as wte[token] alone: the position embedding is missing. GPT-2 adds it before the first block, x_t = wte[tokens[t]] + wpe[t]; without it the model cannot tell "ab" from "ba" except through the causal mask. ' +
          'On the lesson model logits[0] should be [0.200982, −0.097554, 2.085035, −0.200982, −2.188463, 0.103428].',
        'zh-CN':
          '你的模型只用 wte[token] 来嵌入每个 token：缺了位置嵌入。GPT-2 在第一个块之前把它加上，x_t = wte[tokens[t]] + wpe[t]；没有它，除了通过因果掩码，模型分不清「ab」和「ba」。在课程模型上，logits[0] 应为 [0.200982, −0.097554, 2.085035, −0.200982, −2.188463, 0.103428]。',
      },
      hint: {
        en: 'Print your embedding on the lesson model: row 0 should be [1, −1, 1, −1], which is wte[2] + wpe[0].',
        'zh-CN': '在课程模型上打印你的嵌入：第 0 行应为 [1, −1, 1, −1]，即 wte[2] + wpe[0]。',
      },
      wrong: wrongWith({ noPositions: true }),
    },
    {
      id: 'no-final-norm',
      title: { en: 'ln_f left out before the unembedding', 'zh-CN': '反嵌入之前漏掉了 ln_f' },
      message: {
        en:
          'Your logits come from the last block\'s output directly: GPT-2 normalises the residual stream once more, with ln_f, before multiplying by wteᵀ. ' +
          'On the lesson model logits[0] should be [0.200982, −0.097554, 2.085035, −0.200982, −2.188463, 0.103428], not [1.369342, 0.700918, 4.668415, …].',
        'zh-CN':
          '你的 logits 直接来自最后一个块的输出：GPT-2 在乘以 wteᵀ 之前，还会用 ln_f 再对残差流做一次归一化。在课程模型上，logits[0] 应为 [0.200982, −0.097554, 2.085035, −0.200982, −2.188463, 0.103428]，而不是 [1.369342, 0.700918, 4.668415, …]。',
      },
      hint: {
        en: 'Count the LayerNorms in a one-layer GPT-2: ln_1, ln_2, and one more. Where is the last one?',
        'zh-CN': '数一数单层 GPT-2 里有几个层归一化：ln_1、ln_2，还有一个。最后那个在哪里？',
      },
      wrong: wrongWith({ noFinalNorm: true }),
    },
    {
      id: 'post-norm',
      title: { en: 'post-norm blocks (LayerNorm after each residual sum)', 'zh-CN': '后置归一化的块（在每次残差相加之后做层归一化）' },
      message: {
        en:
          'Your blocks compute ln_1(x + attn(x)) and ln_2(a + mlp(a)), the 2017 Transformer\'s order. GPT-2 is pre-norm: a = x + attn(ln_1(x)), y = a + mlp(ln_2(a)). ' +
          'On the lesson model h.0[0] should be [3.018878, −1.649536, 2.350454, −1.881112], and logits[0][2] 2.085035, not 2.202983.',
        'zh-CN':
          '你的块计算的是 ln_1(x + attn(x)) 和 ln_2(a + mlp(a))，即 2017 年 Transformer 的顺序。GPT-2 是前置归一化的：a = x + attn(ln_1(x))，y = a + mlp(ln_2(a))。在课程模型上，h.0[0] 应为 [3.018878, −1.649536, 2.350454, −1.881112]，logits[0][2] 应为 2.085035 而不是 2.202983。',
      },
      hint: {
        en: 'Your block/transformer-block passed its exercise: does gptForward call it, or a block of its own?',
        'zh-CN': '你的 block/transformer-block 已经通过了它的练习：gptForward 调用的是它，还是一个自己写的块？',
      },
      wrong: wrongWith({ postNorm: true }),
    },
    {
      id: 'not-causal',
      title: { en: 'attention that sees later tokens', 'zh-CN': '注意力能看到后面的 token' },
      message: {
        en:
          'Your attention lets each position attend to every token, later ones included: GPT-2\'s attention is causal, position t sees tokens 0 … t. ' +
          'On the lesson model only the last row comes out right; logits[0] should be [0.200982, −0.097554, 2.085035, …], not [0.332666, −0.080912, 2.051389, …].',
        'zh-CN':
          '你的注意力让每个位置关注所有 token，包括后面的：GPT-2 的注意力是因果的，位置 t 只能看到 token 0 … t。在课程模型上只有最后一行是对的；logits[0] 应为 [0.200982, −0.097554, 2.085035, …]，而不是 [0.332666, −0.080912, 2.051389, …]。',
      },
      hint: {
        en: 'Change the last token of the lesson example: do your earlier rows of logits change? They must not.',
        'zh-CN': '改变课程例子的最后一个 token：你前面各行的 logits 会变吗？它们不应该变。',
      },
      wrong: wrongWith({ notCausal: true }),
    },
    {
      id: 'scale-by-width',
      title: { en: 'attention scores divided by √C instead of √(C/heads)', 'zh-CN': '注意力分数除以 √C 而不是 √(C/heads)' },
      message: {
        en:
          'Your attention divides the scores by √C, the model\'s width; each head\'s dot product has C/heads terms, and GPT-2 divides by √(C/heads). ' +
          'Row 0 sees one key and comes out right whatever the scale; logits[1][0] of the lesson model should be 1.950692, not 1.928341.',
        'zh-CN':
          '你的注意力把分数除以 √C，即模型的宽度；每个头的点积有 C/heads 项，GPT-2 除以的是 √(C/heads)。第 0 行只看到一个键，无论怎么缩放都是对的；课程模型的 logits[1][0] 应为 1.950692，而不是 1.928341。',
      },
      hint: {
        en: 'How wide is one head of the lesson model? Which number does your softmax\'s scale use?',
        'zh-CN': '课程模型的一个头有多宽？你的 softmax 的缩放用的是哪个数？',
      },
      wrong: wrongWith({ scaleByWidth: true }),
    },
  ],
  hints: [
    {
      en: 'Four steps: x = embed(tokens, wte, wpe); x = transformerBlock(x, w.h[l], w.config.heads) for each layer in turn; ln_f; logits = unembed(x, wte).',
      'zh-CN': '四步：x = embed(tokens, wte, wpe)；对每一层依次执行 x = transformerBlock(x, w.h[l], w.config.heads)；ln_f；logits = unembed(x, wte)。',
    },
    {
      en: 'The blocks run in order, each on the previous one\'s output, all with w.config.heads heads; ln_f uses w.ln_f.gamma and w.ln_f.beta with ε = 1e-5.',
      'zh-CN': '各个块按顺序运行，每个块都作用在前一个块的输出上，全部使用 w.config.heads 个头；ln_f 用 w.ln_f.gamma 和 w.ln_f.beta，ε = 1e-5。',
    },
    {
      en: 'Check each step on the lesson model: the embedding is the block lesson\'s x, h.0 its y, and only ln_f and the unembedding are new.',
      'zh-CN': '在课程模型上逐步检查：嵌入就是块课程里的 x，h.0 就是它的 y，只有 ln_f 和反嵌入是新的。',
    },
  ],
});
