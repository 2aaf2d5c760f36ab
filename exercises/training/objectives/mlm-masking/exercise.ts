import { defineExercise, randomInts, uniforms, type Rng } from 'llm-tutor/pack';
import { wrongKind } from '../objectives-math.js';

type Uniforms = { pick: number[]; action: number[]; random: number[] };
type Config = { maskId: number; vocabSize: number; rate: number; special: number[] };
type Args = [tokens: number[], u: Uniforms, cfg: Config];
type Masked = { inputs: number[]; labels: number[] };
type Action = 'mask' | 'random' | 'keep';

/** PyTorch's ignore_index: a label that no loss counts. */
const ignored = -100;

/** How a masking is done: the right way, or one of the mistakes. */
interface Rule {
  /** Whether special tokens may be picked. */
  pickSpecials: boolean;
  /** `<=` in place of `<` in every comparison with a uniform. */
  inclusive: boolean;
  /** The action of a picked position, from its uniform `u.action[t]` and whether the comparisons are inclusive. */
  action: (a: number, below: (x: number, bound: number) => boolean) => Action;
  /** The label of a picked position, from the original token and the input it became. */
  label: (token: number, input: number) => number;
  /** Labels of positions not picked: −100, or the original token. */
  unpickedLabel: (token: number) => number;
}

const bertAction = (a: number, below: (x: number, bound: number) => boolean): Action => (below(a, 0.8) ? 'mask' : below(a, 0.9) ? 'random' : 'keep');

const bert: Rule = {
  pickSpecials: false,
  inclusive: false,
  action: bertAction,
  label: (token) => token,
  unpickedLabel: () => ignored,
};

/** The masking of `tokens` under `rule`, step by step: which positions are picked, each one's action, and the inputs and labels. */
function maskSteps(tokens: number[], u: Uniforms, cfg: Config, rule: Rule) {
  const below = rule.inclusive ? (x: number, bound: number) => x <= bound : (x: number, bound: number) => x < bound;
  const picked = tokens.map((token, t) => below(u.pick[t], cfg.rate) && (rule.pickSpecials || !cfg.special.includes(token)));
  const actions = picked.map((p, t) => (p ? rule.action(u.action[t], below) : 'none'));
  const inputs = tokens.map((token, t) => {
    if (actions[t] === 'mask') return cfg.maskId;
    if (actions[t] === 'random') return Math.floor(u.random[t] * cfg.vocabSize);
    return token;
  });
  const labels = tokens.map((token, t) => (picked[t] ? rule.label(token, inputs[t]) : rule.unpickedLabel(token)));
  return { picked, actions, output: { inputs, labels } };
}

const masked = (tokens: number[], u: Uniforms, cfg: Config, changes: Partial<Rule> = {}): Masked => maskSteps(tokens, u, cfg, { ...bert, ...changes }).output;

/** The toy vocabulary's special ids: [PAD] 0, [CLS] 1, [SEP] 2, [MASK] 3. */
const special = [0, 1, 2, 3];
const toyConfig = (vocabSize: number, rate: number): Config => ({ maskId: 3, vocabSize, rate, special });

/** Word ids (4 … vocabSize − 1) between [CLS] and [SEP]. */
function sentence(rng: Rng, words: number, vocabSize: number): number[] {
  return [1, ...randomInts(rng, words, 4, vocabSize - 1), 2];
}

const randomUniforms = (rng: Rng, n: number): Uniforms => ({ pick: uniforms(rng, n), action: uniforms(rng, n), random: uniforms(rng, n) });

/** A random case: a sentence of `words` words, its uniforms, and the toy configuration. */
function randomCase(rng: Rng, words: number, vocabSize: number, rate: number): Args {
  const tokens = sentence(rng, words, vocabSize);
  return [tokens, randomUniforms(rng, tokens.length), toyConfig(vocabSize, rate)];
}

/** The lesson's example: "[CLS] my dog is very hairy [SEP]" in a toy vocabulary of 20. */
const lessonExample: Args = [
  [1, 11, 12, 13, 14, 15, 2],
  {
    pick: [0.05, 0.62, 0.11, 0.48, 0.09, 0.13, 0.71],
    action: [0.5, 0.2, 0.34, 0.77, 0.85, 0.93, 0.1],
    random: [0.3, 0.9, 0.55, 0.05, 0.42, 0.66, 0.2],
  },
  toyConfig(20, 0.15),
];

const isList = (x: unknown): x is number[] => Array.isArray(x) && x.every((v) => typeof v === 'number');
const isMasked = (o: unknown): o is Masked => typeof o === 'object' && o !== null && isList((o as Masked).inputs) && isList((o as Masked).labels);

/** The first position where a masking breaks `rule` (a message), or undefined. */
function firstBreak(output: Masked, tokens: number[], rule: (t: number) => string | undefined): string | undefined {
  for (let t = 0; t < tokens.length; t++) {
    const broken = rule(t);
    if (broken) return broken;
  }
  return output.inputs.length === tokens.length && output.labels.length === tokens.length ? undefined : `inputs and labels must have one entry per token (${tokens.length}).`;
}

export default defineExercise<Args, Masked>({
  entry: 'mlmMask',
  signature: 'mlmMask(tokens: number[], u: { pick: Vector; action: Vector; random: Vector }, cfg: { maskId: number; vocabSize: number; rate: number; special: number[] }): { inputs: number[]; labels: number[] }',
  compare: 'exact',
  cases: (rng) => {
    const v = rng.int(30, 60);
    return [
      { name: 'the lesson example ("[CLS] my dog is very hairy [SEP]", rate 0.15)', args: lessonExample, expected: { inputs: [1, 11, 3, 13, 8, 15, 2], labels: [-100, -100, 12, -100, 14, 15, -100] } },
      { name: `random sentence of 10 words, rate 0.3, V = ${v}`, args: randomCase(rng, 10, v, 0.3) },
      { name: 'random sentence of 14 words, rate 0.5, V = 40', args: randomCase(rng, 14, 40, 0.5) },
      { name: "random sentence of 20 words, BERT's rate 0.15, V = 100", args: randomCase(rng, 20, 100, 0.15) },
      { name: 'rate 0: nothing is picked, every label is −100', args: randomCase(rng, 6, 25, 0) },
      {
        name: 'rate 1: every token but the specials is picked (two sentences and padding)',
        args: [[1, 5, 9, 2, 7, 6, 2, 0, 0], randomUniforms(rng, 9), toyConfig(12, 1)],
      },
      {
        name: 'on the boundaries: pick = rate is not picked, action 0.8 is random, 0.9 keeps, and a random token may be a special id',
        args: [
          [1, 20, 21, 22, 23, 24, 2],
          { pick: [0.1, 0.25, 0.1, 0.2, 0.05, 0, 0.3], action: [0.1, 0.1, 0.8, 0.9, 0.8, 0.79, 0.2], random: [0.5, 0.5, 0.999, 0.5, 0.0, 0.5, 0.5] },
          toyConfig(30, 0.25),
        ],
      },
      {
        name: 'a random replacement that draws the original token: unchanged, yet still labelled',
        args: [[1, 4, 5, 6, 2], { pick: [0.9, 0.01, 0.9, 0.02, 0.9], action: [0.5, 0.85, 0.5, 0.95, 0.5], random: [0.5, 0.4, 0.5, 0.5, 0.5] }, toyConfig(10, 0.15)],
      },
    ];
  },
  reference: (_ctx, tokens, u, cfg) => masked(tokens, u, cfg),
  trace: (_ctx, tokens, u, cfg) => {
    const { picked, actions } = maskSteps(tokens, u, cfg, bert);
    return { picked, actions };
  },
  properties: [
    {
      name: 'a label is −100 or the original token, and only labelled positions change',
      cases: (rng) => [{ name: '12 words, rate 0.5, V = 30', calls: [randomCase(rng, 12, 30, 0.5)] }, { name: '16 words, rate 0.4, V = 50', calls: [randomCase(rng, 16, 50, 0.4)] }],
      holds: (outputs, calls) => {
        const odd = wrongKind('mlmMask', 'an object { inputs, labels } of number lists', outputs, isMasked);
        if (odd) return odd;
        const [{ inputs, labels }] = outputs;
        const [tokens] = calls[0];
        return firstBreak(outputs[0], tokens, (t) => {
          if (labels[t] === ignored && inputs[t] !== tokens[t]) return `Position ${t} has label −100 but its input changed from ${tokens[t]} to ${inputs[t]}: a position that is not picked must stay as it is.`;
          if (labels[t] !== ignored && labels[t] !== tokens[t])
            return `Position ${t} has label ${labels[t]}, but its original token is ${tokens[t]}: the label is what the model must recover, the original token, whatever the input became.`;
          return undefined;
        });
      },
    },
    {
      name: 'special tokens are never picked',
      cases: (rng) => [
        { name: 'rate 1, [CLS] … [SEP] … [SEP] [PAD]', calls: [[[1, 6, 7, 2, 8, 9, 2, 0], randomUniforms(rng, 8), toyConfig(16, 1)]] as Args[] },
        { name: 'rate 0.9, [CLS] and [SEP] only', calls: [[[1, 2], { pick: [0.1, 0.2], action: [0.5, 0.5], random: [0.5, 0.5] }, toyConfig(10, 0.9)]] as Args[] },
      ],
      holds: (outputs, calls) => {
        const odd = wrongKind('mlmMask', 'an object { inputs, labels } of number lists', outputs, isMasked);
        if (odd) return odd;
        const [{ inputs, labels }] = outputs;
        const [tokens, , cfg] = calls[0];
        return firstBreak(outputs[0], tokens, (t) =>
          cfg.special.includes(tokens[t]) && (inputs[t] !== tokens[t] || labels[t] !== ignored)
            ? `Position ${t} holds the special token ${tokens[t]}, yet your function gave it input ${inputs[t]} and label ${labels[t]}. Specials ([CLS], [SEP], [PAD]) are never picked: input unchanged, label −100, whatever u.pick says.`
            : undefined,
        );
      },
    },
  ],
  misconceptions: [
    {
      id: 'every-pick-masked',
      title: { en: 'every picked token becomes [MASK]', 'zh-CN': '每个被选中的 token 都变成了 [MASK]' },
      message: {
        en:
          'Only 80% of the picked tokens become [MASK] (u.action < 0.8); 10% become a random token ⌊u.random·vocabSize⌋ (0.8 ≤ u.action < 0.9) and 10% stay as they are. ' +
          'In the lesson example "very" (action 0.85) becomes token 8 and "hairy" (0.93) stays 15. Without that, the model never learns to correct a real token it sees.',
        'zh-CN':
          '被选中的 token 中只有 80% 变成 [MASK]（u.action < 0.8）；10% 变成随机 token ⌊u.random·vocabSize⌋（0.8 ≤ u.action < 0.9），还有 10% 保持原样。' +
          '在课程的例子中，"very"（action 为 0.85）变成 token 8，"hairy"（0.93）保持为 15。少了这一步，模型永远学不会纠正它看到的真实 token。',
      },
      hint: {
        en: 'In the lesson example, what does u.action say for "very" and "hairy"? Only one of the three picked words becomes [MASK].',
        'zh-CN': '在课程的例子中，"very" 和 "hairy" 的 u.action 分别是多少？三个被选中的词里只有一个会变成 [MASK]。',
      },
      wrong: (_ctx, tokens, u, cfg) => masked(tokens, u, cfg, { action: () => 'mask' }),
    },
    {
      id: 'labels-everywhere',
      title: { en: 'labels at every position, not only the picked ones', 'zh-CN': '每个位置都打了标签，而不只是被选中的位置' },
      message: {
        en:
          'The loss is computed only at the picked positions: every other label is −100, PyTorch\'s ignore_index, so cross_entropy skips it. ' +
          'In the lesson example 4 of the 7 labels are −100. Labelling every position with its token trains the model to copy the 85% it can see, which is trivial.',
        'zh-CN':
          '损失只在被选中的位置上计算：其余每个标签都是 −100，即 PyTorch 的 ignore_index，cross_entropy 会跳过它。在课程的例子中，7 个标签里有 4 个是 −100。' +
          '给每个位置都打上它自己的 token 作标签，就是在训练模型复制它能看到的那 85%，这毫无难度。',
      },
      hint: {
        en: 'In the lesson example only three positions are picked. What label makes PyTorch\'s cross_entropy skip the other four?',
        'zh-CN': '在课程的例子中只有三个位置被选中。什么样的标签能让 PyTorch 的 cross_entropy 跳过其余四个位置？',
      },
      wrong: (_ctx, tokens, u, cfg) => masked(tokens, u, cfg, { unpickedLabel: (token) => token }),
    },
    {
      id: 'specials-picked',
      title: { en: 'special tokens picked like words', 'zh-CN': '特殊 token 像普通词一样被选中了' },
      message: {
        en:
          'A special token ([CLS], [SEP], [PAD], any id in cfg.special) is never picked, whatever u.pick says: in the lesson example [CLS] has u.pick = 0.05 < 0.15 and stays, with label −100. ' +
          'Check cfg.special before comparing u.pick[t] with the rate.',
        'zh-CN':
          '特殊 token（[CLS]、[SEP]、[PAD]，以及 cfg.special 中的任何 id）无论 u.pick 是多少都永远不会被选中：在课程的例子中，[CLS] 的 u.pick = 0.05 < 0.15，但它保持不变，标签为 −100。' +
          '在把 u.pick[t] 与比例比较之前，先检查 cfg.special。',
      },
      hint: {
        en: 'Look at position 0 of the lesson example: its u.pick is below the rate. What kind of token is it, and what does the convention say about it?',
        'zh-CN': '看看课程例子中的位置 0：它的 u.pick 低于比例。它是什么样的 token？约定对它是怎么说的？',
      },
      wrong: (_ctx, tokens, u, cfg) => masked(tokens, u, cfg, { pickSpecials: true }),
    },
    {
      id: 'label-is-the-input',
      title: { en: 'the label of a picked position is its new input, not the original token', 'zh-CN': '被选中位置的标签用了它的新输入，而不是原始 token' },
      message: {
        en:
          'The label is what the model must recover: the original token. You labelled picked positions with what they became ([MASK], or the random token), ' +
          'so "dog" would be labelled 3 ([MASK]) instead of 12. Save tokens[t] as the label before replacing the input.',
        'zh-CN':
          '标签是模型必须还原的东西：原始 token。你用被选中位置变成的东西（[MASK] 或随机 token）作标签，于是 "dog" 的标签会是 3（[MASK]），而不是 12。' +
          '请在替换输入之前把 tokens[t] 存为标签。',
      },
      hint: {
        en: 'What should the model predict at a [MASK]: the id of [MASK], or the word that was there? Check the order in which you write the input and read the label.',
        'zh-CN': '在 [MASK] 处模型应该预测什么：[MASK] 的 id，还是原来那里的词？检查你写入输入和读取标签的先后顺序。',
      },
      wrong: (_ctx, tokens, u, cfg) => masked(tokens, u, cfg, { label: (_token, input) => input }),
    },
    {
      id: 'random-and-keep-swapped',
      title: { en: 'the random and keep ranges swapped', 'zh-CN': '随机替换和保留的区间弄反了' },
      message: {
        en:
          'A picked token is replaced by a random one when 0.8 ≤ u.action < 0.9 and kept when u.action ≥ 0.9. You kept it in the first range and replaced it in the second: ' +
          'in the lesson example "very" (0.85) must become ⌊0.42·20⌋ = 8, and "hairy" (0.93) must stay 15.',
        'zh-CN':
          '被选中的 token 在 0.8 ≤ u.action < 0.9 时被替换为随机 token，在 u.action ≥ 0.9 时保留。你在第一个区间里保留了它，在第二个区间里替换了它：' +
          '在课程的例子中，"very"（0.85）必须变成 ⌊0.42·20⌋ = 8，"hairy"（0.93）必须保持为 15。',
      },
      hint: {
        en: 'Take u.action = 0.85 and u.action = 0.95: which of the two leads to a random token? Compare with the lesson\'s table.',
        'zh-CN': '取 u.action = 0.85 和 u.action = 0.95：两者中哪一个会得到随机 token？和课程中的表格比较一下。',
      },
      wrong: (_ctx, tokens, u, cfg) => masked(tokens, u, cfg, { action: (a, below) => (below(a, 0.8) ? 'mask' : below(a, 0.9) ? 'keep' : 'random') }),
    },
    {
      id: 'inclusive-bounds',
      title: { en: '<= where the convention has <', 'zh-CN': '约定用 < 的地方用了 <=' },
      message: {
        en:
          'A position is picked when u.pick[t] < rate, and the actions split at u.action < 0.8 and < 0.9, all strict: u.pick exactly equal to the rate is not picked, ' +
          'u.action = 0.8 gives a random token and u.action = 0.9 keeps the token.',
        'zh-CN': 'u.pick[t] < rate 时该位置被选中，各种处理在 u.action < 0.8 和 < 0.9 处划分，全部是严格比较：u.pick 恰好等于比例时不被选中，u.action = 0.8 得到随机 token，u.action = 0.9 保留原 token。',
      },
      hint: {
        en: 'Try u.pick equal to the rate, and u.action exactly 0.8: the convention uses strict comparisons. Which of yours are not?',
        'zh-CN': '试试 u.pick 等于比例、u.action 恰好为 0.8 的情形：约定用的是严格比较。你的比较中哪些不是？',
      },
      wrong: (_ctx, tokens, u, cfg) => masked(tokens, u, cfg, { inclusive: true }),
    },
  ],
  hints: [
    {
      en: 'Go through the lesson example position by position: is the token special? Is u.pick below the rate? Then what does u.action decide?',
      'zh-CN': '对课程的例子逐个位置过一遍：这个 token 是特殊 token 吗？u.pick 低于比例吗？接下来 u.action 决定什么？',
    },
    {
      en: 'A picked position gets label tokens[t] and an input chosen by u.action: [MASK] below 0.8, ⌊u.random[t]·vocabSize⌋ below 0.9, else the token itself.',
      'zh-CN': '被选中的位置得到标签 tokens[t]，其输入由 u.action 决定：低于 0.8 为 [MASK]，低于 0.9 为 ⌊u.random[t]·vocabSize⌋，否则为 token 本身。',
    },
    {
      en: 'Every position not picked (special tokens included) keeps its token as input and gets label −100.',
      'zh-CN': '每个未被选中的位置（包括特殊 token）都保留它的 token 作为输入，标签为 −100。',
    },
  ],
});
