import { readFileSync } from 'node:fs';
import path from 'node:path';
import { defineExercise, encode, type ReferenceContext, type Rng } from 'llm-tutor/pack';
import { matricesAgree } from '../../../transformer-core/properties.js';
import { modelsDir, randomModel, referenceForward, shippedModel, weightsOf, type GptWeights, type ModelName } from '../gpt-math.js';
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
    const shakespeare = weightsOf(shippedModel(exerciseDir, 'shakespeare'));
    const tang = weightsOf(shippedModel(exerciseDir, 'tang'));
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
      title: 'the position embedding left out',
      message:
        'Your model embeds each token as wte[token] alone: the position embedding is missing. GPT-2 adds it before the first block, x_t = wte[tokens[t]] + wpe[t]; without it the model cannot tell "ab" from "ba" except through the causal mask. ' +
        'On the lesson model logits[0] should be [0.200982, −0.097554, 2.085035, −0.200982, −2.188463, 0.103428].',
      hint: 'Print your embedding on the lesson model: row 0 should be [1, −1, 1, −1], which is wte[2] + wpe[0].',
      wrong: wrongWith({ noPositions: true }),
    },
    {
      id: 'no-final-norm',
      title: 'ln_f left out before the unembedding',
      message:
        'Your logits come from the last block\'s output directly: GPT-2 normalises the residual stream once more, with ln_f, before multiplying by wteᵀ. ' +
        'On the lesson model logits[0] should be [0.200982, −0.097554, 2.085035, −0.200982, −2.188463, 0.103428], not [1.369342, 0.700918, 4.668415, …].',
      hint: 'Count the LayerNorms in a one-layer GPT-2: ln_1, ln_2, and one more. Where is the last one?',
      wrong: wrongWith({ noFinalNorm: true }),
    },
    {
      id: 'post-norm',
      title: 'post-norm blocks (LayerNorm after each residual sum)',
      message:
        'Your blocks compute ln_1(x + attn(x)) and ln_2(a + mlp(a)), the 2017 Transformer\'s order. GPT-2 is pre-norm: a = x + attn(ln_1(x)), y = a + mlp(ln_2(a)). ' +
        'On the lesson model h.0[0] should be [3.018878, −1.649536, 2.350454, −1.881112], and logits[0][2] 2.085035, not 2.202983.',
      hint: 'Your block/transformer-block passed its exercise: does gptForward call it, or a block of its own?',
      wrong: wrongWith({ postNorm: true }),
    },
    {
      id: 'not-causal',
      title: 'attention that sees later tokens',
      message:
        'Your attention lets each position attend to every token, later ones included: GPT-2\'s attention is causal, position t sees tokens 0 … t. ' +
        'On the lesson model only the last row comes out right; logits[0] should be [0.200982, −0.097554, 2.085035, …], not [0.332666, −0.080912, 2.051389, …].',
      hint: 'Change the last token of the lesson example: do your earlier rows of logits change? They must not.',
      wrong: wrongWith({ notCausal: true }),
    },
    {
      id: 'scale-by-width',
      title: 'attention scores divided by √C instead of √(C/heads)',
      message:
        'Your attention divides the scores by √C, the model\'s width; each head\'s dot product has C/heads terms, and GPT-2 divides by √(C/heads). ' +
        'Row 0 sees one key and comes out right whatever the scale; logits[1][0] of the lesson model should be 1.950692, not 1.928341.',
      hint: 'How wide is one head of the lesson model? Which number does your softmax\'s scale use?',
      wrong: wrongWith({ scaleByWidth: true }),
    },
  ],
  hints: [
    'Four steps: x = embed(tokens, wte, wpe); x = transformerBlock(x, w.h[l], w.config.heads) for each layer in turn; ln_f; logits = unembed(x, wte).',
    'The blocks run in order, each on the previous one\'s output, all with w.config.heads heads; ln_f uses w.ln_f.gamma and w.ln_f.beta with ε = 1e-5.',
    'Check each step on the lesson model: the embedding is the block lesson\'s x, h.0 its y, and only ln_f and the unembedding are new.',
  ],
});
