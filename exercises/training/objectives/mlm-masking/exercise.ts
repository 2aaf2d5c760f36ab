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
      title: 'every picked token becomes [MASK]',
      message:
        'Only 80% of the picked tokens become [MASK] (u.action < 0.8); 10% become a random token ⌊u.random·vocabSize⌋ (0.8 ≤ u.action < 0.9) and 10% stay as they are. ' +
        'In the lesson example "very" (action 0.85) becomes token 8 and "hairy" (0.93) stays 15. Without that, the model never learns to correct a real token it sees.',
      hint: 'In the lesson example, what does u.action say for "very" and "hairy"? Only one of the three picked words becomes [MASK].',
      wrong: (_ctx, tokens, u, cfg) => masked(tokens, u, cfg, { action: () => 'mask' }),
    },
    {
      id: 'labels-everywhere',
      title: 'labels at every position, not only the picked ones',
      message:
        'The loss is computed only at the picked positions: every other label is −100, PyTorch\'s ignore_index, so cross_entropy skips it. ' +
        'In the lesson example 4 of the 7 labels are −100. Labelling every position with its token trains the model to copy the 85% it can see, which is trivial.',
      hint: 'In the lesson example only three positions are picked. What label makes PyTorch\'s cross_entropy skip the other four?',
      wrong: (_ctx, tokens, u, cfg) => masked(tokens, u, cfg, { unpickedLabel: (token) => token }),
    },
    {
      id: 'specials-picked',
      title: 'special tokens picked like words',
      message:
        'A special token ([CLS], [SEP], [PAD], any id in cfg.special) is never picked, whatever u.pick says: in the lesson example [CLS] has u.pick = 0.05 < 0.15 and stays, with label −100. ' +
        'Check cfg.special before comparing u.pick[t] with the rate.',
      hint: 'Look at position 0 of the lesson example: its u.pick is below the rate. What kind of token is it, and what does the convention say about it?',
      wrong: (_ctx, tokens, u, cfg) => masked(tokens, u, cfg, { pickSpecials: true }),
    },
    {
      id: 'label-is-the-input',
      title: 'the label of a picked position is its new input, not the original token',
      message:
        'The label is what the model must recover: the original token. You labelled picked positions with what they became ([MASK], or the random token), ' +
        'so "dog" would be labelled 3 ([MASK]) instead of 12. Save tokens[t] as the label before replacing the input.',
      hint: 'What should the model predict at a [MASK]: the id of [MASK], or the word that was there? Check the order in which you write the input and read the label.',
      wrong: (_ctx, tokens, u, cfg) => masked(tokens, u, cfg, { label: (_token, input) => input }),
    },
    {
      id: 'random-and-keep-swapped',
      title: 'the random and keep ranges swapped',
      message:
        'A picked token is replaced by a random one when 0.8 ≤ u.action < 0.9 and kept when u.action ≥ 0.9. You kept it in the first range and replaced it in the second: ' +
        'in the lesson example "very" (0.85) must become ⌊0.42·20⌋ = 8, and "hairy" (0.93) must stay 15.',
      hint: 'Take u.action = 0.85 and u.action = 0.95: which of the two leads to a random token? Compare with the lesson\'s table.',
      wrong: (_ctx, tokens, u, cfg) => masked(tokens, u, cfg, { action: (a, below) => (below(a, 0.8) ? 'mask' : below(a, 0.9) ? 'keep' : 'random') }),
    },
    {
      id: 'inclusive-bounds',
      title: '<= where the convention has <',
      message:
        'A position is picked when u.pick[t] < rate, and the actions split at u.action < 0.8 and < 0.9, all strict: u.pick exactly equal to the rate is not picked, ' +
        'u.action = 0.8 gives a random token and u.action = 0.9 keeps the token.',
      hint: 'Try u.pick equal to the rate, and u.action exactly 0.8: the convention uses strict comparisons. Which of yours are not?',
      wrong: (_ctx, tokens, u, cfg) => masked(tokens, u, cfg, { inclusive: true }),
    },
  ],
  hints: [
    'Go through the lesson example position by position: is the token special? Is u.pick below the rate? Then what does u.action decide?',
    'A picked position gets label tokens[t] and an input chosen by u.action: [MASK] below 0.8, ⌊u.random[t]·vocabSize⌋ below 0.9, else the token itself.',
    'Every position not picked (special tokens included) keeps its token as input and gets label −100.',
  ],
});
