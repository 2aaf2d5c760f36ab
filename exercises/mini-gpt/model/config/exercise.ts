import { anyOf, defineExercise, plural, type ReferenceContext, type Rng } from 'llm-tutor/pack';
import { show } from '../../../transformer-core/properties.js';
import { modelNames, randomModel, shippedModel, shippedWeights, weightsOf, type BlockParams, type GptConfig, type GptWeights } from '../gpt-math.js';

type Args = [w: GptWeights];
interface Description {
  params: number;
  layers: number;
  heads: number;
  width: number;
  headWidth: number;
  context: number;
  vocabSize: number;
  bytes: number;
}

/** The lesson's model: a vocabulary of 5, context 4, one block of width 4 with 2 heads. */
export const lessonConfig: GptConfig = { vocabSize: 5, context: 4, layers: 1, heads: 2, width: 4 };

const rows = (m: readonly ArrayLike<number>[]) => m.length;
const size = (m: readonly ArrayLike<number>[]) => m.length * (m.length > 0 ? m[0].length : 0);
const norm = (n: { gamma: number[]; beta: number[] }) => n.gamma.length + n.beta.length;

/** One block's parameters, read from its arrays: its two LayerNorms, the attention (c_attn as wq, wk, wv, and c_proj), the MLP. */
function blockParts(b: BlockParams) {
  const a = b.attn;
  const attention = size(a.wq) + size(a.wk) + size(a.wv) + a.bq.length + a.bk.length + a.bv.length + size(a.wo) + a.bo.length;
  const mlp = size(b.mlp.w1) + b.mlp.b1.length + size(b.mlp.w2) + b.mlp.b2.length;
  return { layerNorms: norm(b.ln_1) + norm(b.ln_2), attention, mlp };
}

/** The count part by part, as the lesson adds it up, and the description it ends in. */
export function configSteps(w: GptWeights): { steps: Record<string, number>; output: Description } {
  const width = w.wte[0].length;
  const blocks = w.h.map(blockParts);
  const sum = (f: (b: ReturnType<typeof blockParts>) => number) => blocks.reduce((acc, b) => acc + f(b), 0);
  const steps = {
    wte: size(w.wte),
    wpe: size(w.wpe),
    'blocks: LayerNorms': sum((b) => b.layerNorms),
    'blocks: attention': sum((b) => b.attention),
    'blocks: MLP': sum((b) => b.mlp),
    ln_f: norm(w.ln_f),
  };
  const params = Object.values(steps).reduce((a, b) => a + b, 0);
  const heads = w.config.heads;
  return { steps, output: { params, layers: w.h.length, heads, width, headWidth: width / heads, context: rows(w.wpe), vocabSize: rows(w.wte), bytes: 4 * params } };
}

const describeModel = (w: GptWeights) => configSteps(w).output;

/** The description with another parameter count (and its float32 size). */
const withParams = (d: Description, params: number): Description => ({ ...d, params, bytes: 4 * params });

const shape = (c: GptConfig) => `vocabulary ${c.vocabSize}, context ${c.context}, ${plural(c.layers, 'layer')}, ${plural(c.heads, 'head')} of ${c.width / c.heads}, width ${c.width}`;

/** A random shape: 1–3 layers, 1–4 heads of width 2–4, a vocabulary of 5–40, a context of 4, 8 or 16. */
function randomConfig(rng: Rng): GptConfig {
  const heads = rng.int(1, 4);
  return { vocabSize: rng.int(5, 40), context: rng.pick([4, 8, 16]), layers: rng.int(1, 3), heads, width: heads * rng.int(2, 4) };
}

const randomWeights = (rng: Rng, config: GptConfig): GptWeights => weightsOf(randomModel(rng, config));

/** The same weights with one block more (a copy of the first) and the header saying so. */
const oneBlockMore = (w: GptWeights): GptWeights => ({ ...w, config: { ...w.config, layers: w.config.layers + 1 }, h: [...w.h, w.h[0]] });

const isDescription = (x: unknown): x is Description =>
  x !== null && typeof x === 'object' && ['params', 'layers', 'heads', 'width', 'headWidth', 'context', 'vocabSize', 'bytes'].every((k) => typeof (x as Record<string, unknown>)[k] === 'number');

const notDescription = (outputs: unknown[]) =>
  outputs.every(isDescription) ? undefined : 'describeModel must return { params, layers, heads, width, headWidth, context, vocabSize, bytes }, every one a number.';

export default defineExercise<Args, Description>({
  entry: 'describeModel',
  signature: 'describeModel(w: GptWeights): { params: number; layers: number; heads: number; width: number; headWidth: number; context: number; vocabSize: number; bytes: number }',
  inputsReadOnly: true,
  cases: (rng, ctx) => {
    const cases: { name: string; args: Args; expected?: Description }[] = [{ name: `the lesson example: ${shape(lessonConfig)}`, args: [randomWeights(rng, lessonConfig)] }];
    for (let i = 0; i < 3; i++) {
      const config = randomConfig(rng);
      cases.push({ name: `random ${i + 1}: ${shape(config)}`, args: [randomWeights(rng, config)] });
    }
    const wide: GptConfig = { vocabSize: 7, context: 8, layers: 2, heads: 1, width: 6 };
    cases.push({ name: `one head as wide as the model: ${shape(wide)}`, args: [randomWeights(rng, wide)] });
    for (const name of modelNames) {
      const model = shippedModel(ctx.exerciseDir, name);
      cases.push({ name: `the shipped ${name} model: ${shape(model.config)}`, args: [shippedWeights(ctx.exerciseDir, name)] });
    }
    return cases;
  },
  reference: (_ctx: ReferenceContext, w) => describeModel(w),
  trace: (_ctx: ReferenceContext, w) => configSteps(w).steps,
  compare: 'exact',
  properties: [
    {
      name: 'one more block adds 12C² + 13C parameters',
      cases: (rng) =>
        [{ vocabSize: 6, context: 4, layers: 1, heads: 2, width: 4 }, randomConfig(rng)].map((config) => {
          const w = randomWeights(rng, config);
          return { name: `${shape(config)}, then one block more`, calls: [[w], [oneBlockMore(w)]] as Args[] };
        }),
      holds: (outputs, [[w]]) => {
        const wrong = notDescription(outputs);
        if (wrong) return wrong;
        const [before, after] = outputs as Description[];
        const c = w.config.width;
        const want = 12 * c * c + 13 * c;
        if (after.params - before.params === want) return undefined;
        return (
          `One block more changed your params from ${show(before.params)} to ${show(after.params)}, by ${show(after.params - before.params)}; a block of width C = ${c} holds 12C² + 13C = ${show(want)}: ` +
          '4C² + 4C in attention (c_attn and c_proj with their biases), 8C² + 5C in the MLP, 4C in its two LayerNorms.'
        );
      },
    },
    {
      name: 'headWidth × heads = width, and bytes = 4 × params',
      cases: (rng) => {
        const config = randomConfig(rng);
        return [{ name: shape(config), calls: [[randomWeights(rng, config)]] as Args[] }];
      },
      holds: (outputs) => {
        const wrong = notDescription(outputs);
        if (wrong) return wrong;
        const [d] = outputs as Description[];
        if (d.headWidth * d.heads !== d.width) return `Your headWidth × heads is ${show(d.headWidth)} × ${show(d.heads)} = ${show(d.headWidth * d.heads)}, not the width ${show(d.width)}: the heads split C into equal contiguous parts.`;
        if (d.bytes !== 4 * d.params) return `Your bytes is ${show(d.bytes)} for ${show(d.params)} parameters: the weights are float32, 4 bytes a number, so ${show(4 * d.params)}.`;
        return undefined;
      },
    },
  ],
  misconceptions: [
    {
      id: 'tied-counted-twice',
      title: { en: 'the tied output layer counted as a matrix of its own', 'zh-CN': '把共享权重的输出层当成一个单独的矩阵计数' },
      message: {
        en:
          'The logits are ln_f(x)·wteᵀ: the output layer is the token embedding itself, stored once, so it adds no parameter. Counting it again adds vocabSize·C: ' +
          '308 instead of 288 in the lesson example, 818,176 instead of 809,856 for Shakespeare.',
        'zh-CN':
          'logits 是 ln_f(x)·wteᵀ：输出层就是 token 嵌入本身，只存储一次，所以不增加任何参数。再计一次会多出 vocabSize·C：课程示例中得到 308 而不是 288，莎士比亚模型得到 818,176 而不是 809,856。',
      },
      hint: {
        en: 'Which tensor does the model multiply by to get the logits? Is it stored a second time in the file?',
        'zh-CN': '模型乘以哪个张量得到 logits？它在文件里存了第二份吗？',
      },
      wrong: (_ctx, w) => {
        const d = describeModel(w);
        return withParams(d, d.params + size(w.wte));
      },
    },
    {
      id: 'layernorms-forgotten',
      title: { en: 'the LayerNorms left out of the count', 'zh-CN': '计数时漏掉了层归一化' },
      message: {
        en: 'Every block has two LayerNorms (ln_1, ln_2) and the model a final one (ln_f), each a gain γ and a bias β of C numbers: 4C per block and 2C more, 24 in the lesson example (264 instead of 288). They are stored numbers too.',
        'zh-CN': '每个块有两个层归一化（ln_1、ln_2），模型最后还有一个（ln_f），每个都有 C 个数的增益 γ 和 C 个数的偏置 β：每个块 4C，外加 2C，课程示例中共 24 个（得到 264 而不是 288）。它们也是存储的数。',
      },
      hint: {
        en: 'List what w.h[0] holds besides attn and mlp, and what w holds besides wte, wpe and h.',
        'zh-CN': '列出 w.h[0] 中除 attn 和 mlp 之外还有什么，以及 w 中除 wte、wpe 和 h 之外还有什么。',
      },
      wrong: (_ctx, w) => {
        const d = describeModel(w);
        const c = d.width;
        return anyOf(withParams(d, d.params - 4 * c * d.layers - 2 * c), withParams(d, d.params - 4 * c * d.layers), withParams(d, d.params - 2 * c));
      },
    },
    {
      id: 'biases-forgotten',
      title: { en: 'the biases of the linear layers left out', 'zh-CN': '漏掉了线性层的偏置' },
      message: {
        en: 'Every linear layer of GPT-2 has a bias: bq, bk, bv and bo in attention (4C), b1 (4C) and b2 (C) in the MLP, 9C per block: 36 in the lesson example (252 instead of 288). Count each weight matrix and its bias.',
        'zh-CN': 'GPT-2 的每个线性层都有偏置：注意力中的 bq、bk、bv 和 bo（4C），MLP 中的 b1（4C）和 b2（C），每个块 9C：课程示例中共 36 个（得到 252 而不是 288）。每个权重矩阵及其偏置都要计数。',
      },
      hint: { en: 'How many numbers does mlp.b1 hold? Is it in your count?', 'zh-CN': 'mlp.b1 有多少个数？它在你的计数里吗？' },
      wrong: (_ctx, w) => {
        const d = describeModel(w);
        const biases = 9 * d.width * d.layers;
        return anyOf(withParams(d, d.params - biases), withParams(d, d.params - biases - d.width * (2 * d.layers + 1)));
      },
    },
    {
      id: 'head-width-64',
      title: { en: 'the heads guessed from the width (heads of 64, as GPT-2\'s)', 'zh-CN': '根据宽度猜头数（像 GPT-2 那样每个头宽 64）' },
      message: {
        en:
          'GPT-2\'s heads happen to be 64 wide, but no shape of the weights says how many heads there are: wq is [C, C] whatever the split. The number is in the header, w.config.heads, and headWidth = C / heads: ' +
          'the Shakespeare model has 4 heads of 32, not 2 of 64.',
        'zh-CN':
          'GPT-2 的头恰好宽 64，但权重的任何形状都没有说明有多少个头：无论怎么切分，wq 都是 [C, C]。头数在文件头里，即 w.config.heads，且 headWidth = C / heads：莎士比亚模型有 4 个宽 32 的头，而不是 2 个宽 64 的头。',
      },
      hint: {
        en: 'Which shape would change if the model had 8 heads instead of 4? Look in w.config.',
        'zh-CN': '如果模型有 8 个头而不是 4 个，哪个形状会变？去 w.config 里找。',
      },
      wrong: (_ctx, w) => {
        const d = describeModel(w);
        const rounded = Math.max(1, Math.round(d.width / 64));
        return anyOf({ ...d, heads: d.width / 64, headWidth: 64 }, { ...d, heads: rounded, headWidth: d.width / rounded });
      },
    },
    {
      id: 'bytes-as-fp16',
      title: { en: 'bytes counted at 2 a number (float16)', 'zh-CN': '字节数按每个数 2 字节（float16）计算' },
      message: {
        en: 'The shipped weights are float32: 4 bytes a number, so bytes = 4 × params, 1,152 in the lesson example (not 576) and 3,239,424 for Shakespeare.',
        'zh-CN': '随附的权重是 float32：每个数 4 字节，所以 bytes = 4 × params，课程示例中为 1,152（不是 576），莎士比亚模型为 3,239,424。',
      },
      hint: {
        en: 'How many bytes does one float32 take? Compare your bytes with the size of shakespeare.safetensors.',
        'zh-CN': '一个 float32 占多少字节？把你算出的 bytes 与 shakespeare.safetensors 的大小比较一下。',
      },
      wrong: (_ctx, w) => {
        const d = describeModel(w);
        return { ...d, bytes: 2 * d.params };
      },
    },
  ],
  hints: [
    {
      en: 'Read each size from a shape: the rows of wte and wpe, their width C, the length of h. Only the heads come from w.config.',
      'zh-CN': '每个尺寸都从形状读出：wte 和 wpe 的行数、它们的宽度 C、h 的长度。只有头数来自 w.config。',
    },
    {
      en: 'Count every array once: wte, wpe, each block (two LayerNorms, wq/wk/wv/wo with their biases, w1/b1/w2/b2) and ln_f. Your gptParamCount of the scaling pack does it from the sizes, with dFF = 4C and tied = true.',
      'zh-CN': '每个数组计一次：wte、wpe、每个块（两个层归一化、wq/wk/wv/wo 及其偏置、w1/b1/w2/b2）和 ln_f。你在 scaling 练习包里写的 gptParamCount 可以根据尺寸算出它，取 dFF = 4C、tied = true。',
    },
    {
      en: 'params = V·C + T·C + L·(12C² + 13C) + 2C, the tied output layer counted once; headWidth = C / heads; bytes = 4 · params.',
      'zh-CN': 'params = V·C + T·C + L·(12C² + 13C) + 2C，共享权重的输出层只计一次；headWidth = C / heads；bytes = 4 · params。',
    },
  ],
});
