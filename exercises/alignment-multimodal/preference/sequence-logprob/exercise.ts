import { anyOf, defineExercise, randomInts, randomMatrix, type Rng } from 'llm-tutor/pack';
import { close, show } from '../../../transformer-core/properties.js';
import { logSoftmax } from '../../stable-math.js';

type Args = [logits: number[][], tokens: number[], promptLen: number];

/** The lesson's sequence: 5 tokens over a vocabulary of 3, the first 2 the prompt. */
export const lessonLogits = [
  [1, 0, 2],
  [2, 1, 0],
  [1, 0, 0],
  [0, 2, 1],
  [1, 1, 0],
];
export const lessonTokens = [0, 2, 1, 0, 2];
export const lessonPromptLen = 2;

/** The lesson's sequence with row 2 made confident in a token that is not the next one: [0, 1000, 0]. */
export const confidentLogits = lessonLogits.map((row, t) => (t === 2 ? [0, 1000, 0] : [...row]));

/**
 * Every response token t = max(promptLen, 1) … T−1 scored by the row before it:
 * the rows used, the tokens they predict, each row's log-sum-exp, each
 * log-probability, and their sum (the output).
 */
export function sequenceSteps(logits: number[][], tokens: number[], promptLen: number) {
  const positions: number[] = [];
  for (let t = Math.max(promptLen, 1); t < tokens.length; t++) positions.push(t);
  const rows = positions.map((t) => t - 1);
  const targets = positions.map((t) => tokens[t]);
  const logSumExp = rows.map((r) => logits[r][0] - logSoftmax(logits[r])[0]);
  const logProbs = rows.map((r, i) => logSoftmax(logits[r])[targets[i]]);
  const output = logProbs.reduce((acc, x) => acc + x, 0);
  return { steps: { positions, rows, targets, logSumExp, logProbs }, output };
}

/** The sum over positions `from` … T−1 of what row(t) gives token t. */
function sumOver(logits: number[][], tokens: number[], from: number, row: (t: number) => number, logProb: (r: number[], k: number) => number): number {
  let total = 0;
  for (let t = from; t < tokens.length; t++) total += logProb(logits[row(t)], tokens[t]);
  return total;
}

const stable = (r: number[], k: number) => logSoftmax(r)[k];

function randomSequence(rng: Rng, length: number, vocab: number, std: number): [number[][], number[]] {
  return [randomMatrix(rng, length, vocab, std), randomInts(rng, length, 0, vocab - 1)];
}

function cases(rng: Rng): { name: string; args: Args; expected?: number }[] {
  const [a, aTokens] = randomSequence(rng, 8, 5, 2);
  const [b, bTokens] = randomSequence(rng, 10, 6, 1.5);
  const [c, cTokens] = randomSequence(rng, 6, 4, 3);
  return [
    // PyTorch 1.13, float64, as trainers.py's _get_batch_logps: labels = tokens with the prompt set to −100,
    // labels[1:] gathered from logits[:-1].log_softmax(-1), masked where −100, summed (average_log_prob=False).
    { name: 'the lesson example: 5 tokens, the first 2 the prompt, V = 3', args: [lessonLogits, lessonTokens, lessonPromptLen], expected: -3.3666566428208116 },
    { name: 'random: 8 tokens, V = 5, a prompt of 3', args: [a, aTokens, 3] },
    { name: 'random: 10 tokens, V = 6, a prompt of 6', args: [b, bTokens, 6] },
    { name: 'random: 6 tokens, V = 4, a prompt of 1', args: [c, cTokens, 1] },
    // The same PyTorch computation with promptLen 0: no label is −100, labels[1:] starts at token 1.
    { name: 'the lesson example with promptLen 0: token 0 has no row before it, so the sum starts at token 1', args: [lessonLogits, lessonTokens, 0], expected: -3.774262607265192 },
    { name: 'the lesson example with promptLen 4: a response of one token', args: [lessonLogits, lessonTokens, 4] },
    // PyTorch as for the lesson example: row 2 = [0, 1000, 0] gives token 3 (= 0) log-probability −1000.
    { name: 'a row of logits ~1000 ([0, 1000, 0]) that predicts another token: log-probability −1000, not −Infinity', args: [confidentLogits, lessonTokens, lessonPromptLen], expected: -1002.8152119288889 },
  ];
}

const shiftRows = (logits: number[][]) => logits.map((row, t) => row.map((x) => x + (t % 2 === 0 ? 1000 : -1000)));

export default defineExercise<Args, number>({
  entry: 'sequenceLogProb',
  signature: 'sequenceLogProb(logits: Matrix, tokens: number[], promptLen: number): number',
  inputsReadOnly: true,
  cases,
  reference: (_ctx, logits, tokens, promptLen) => sequenceSteps(logits, tokens, promptLen).output,
  trace: (_ctx, logits, tokens, promptLen) => sequenceSteps(logits, tokens, promptLen).steps,
  properties: [
    {
      name: 'adding the same number to every logit of a row changes nothing (±1000 too)',
      cases: (rng) => {
        const [logits, tokens] = randomSequence(rng, 7, 5, 2);
        return [{ name: '7 tokens, V = 5, a prompt of 2: even rows +1000, odd rows −1000', calls: [[logits, tokens, 2], [shiftRows(logits), tokens, 2]] as Args[] }];
      },
      holds: ([before, after]) => {
        if (typeof before !== 'number' || typeof after !== 'number') return `sequenceLogProb must return a number; it returned ${JSON.stringify(typeof before !== 'number' ? before : after)?.slice(0, 80)}.`;
        if (close(before, after)) return undefined;
        return `Your log-probability is ${show(before)} for the logits and ${show(after)} with every even row +1000 and every odd row −1000. Softmax depends only on the differences within a row; compute log softmax as z − max − log Σ exp(z − max), or exp(1000) overflows to Infinity and exp(−1000) underflows to 0.`;
      },
    },
    {
      name: 'the rows that predict prompt tokens, and the last row, do not change the result',
      cases: (rng) => {
        const [logits, tokens] = randomSequence(rng, 7, 5, 2);
        const other = logits.map((row, r) => (r < 2 || r === 6 ? row.map((x) => x + (r + 1) * (x > 0 ? 1 : -1)) : [...row]));
        return [{ name: '7 tokens, V = 5, a prompt of 3: rows 0, 1 and 6 changed', calls: [[logits, tokens, 3], [other, tokens, 3]] as Args[] }];
      },
      holds: ([before, after]) => {
        if (typeof before !== 'number' || typeof after !== 'number') return `sequenceLogProb must return a number; it returned ${JSON.stringify(typeof before !== 'number' ? before : after)?.slice(0, 80)}.`;
        if (close(before, after)) return undefined;
        return `With a prompt of 3 tokens out of 7, only rows 2 to 5 predict response tokens (3 to 6); changing rows 0, 1 and 6 moved your result from ${show(before)} to ${show(after)}. Score token t with row t − 1, for t from promptLen to T − 1: the prompt's own predictions and the last row are not used.`;
      },
    },
  ],
  misconceptions: [
    {
      id: 'prompt-included',
      title: { en: 'the prompt tokens scored too', 'zh-CN': '把提示 token 也算进了打分' },
      message: {
        en:
          'You add the log-probabilities of the prompt tokens as well (t from 1): −3.774263 in the lesson instead of −3.366657, the extra −0.407606 being row 0\'s prediction of prompt token 1. ' +
          'DPO compares two responses to one prompt, so the prompt\'s terms would be the same in both: start at t = promptLen (trainers.py sets the prompt\'s labels to −100).',
        'zh-CN':
          '你把提示 token 的对数概率也加了进去（t 从 1 开始）：课程例子里得到 −3.774263 而不是 −3.366657，多出来的 −0.407606 是第 0 行对提示 token 1 的预测。' +
          'DPO 比较的是同一提示下的两个回答，提示的项在两者中完全相同：应从 t = promptLen 开始（trainers.py 把提示的标签设为 −100）。',
      },
      hint: {
        en: 'In the lesson, which tokens belong to the response? Count the terms in your sum: there should be T − promptLen = 3.',
        'zh-CN': '在课程例子里，哪些 token 属于回答？数一数你求和的项数：应该是 T − promptLen = 3 项。',
      },
      wrong: (_ctx, logits, tokens) => sumOver(logits, tokens, 1, (t) => t - 1, stable),
    },
    {
      id: 'no-shift',
      title: { en: 'row t scored against token t (no shift by one)', 'zh-CN': '用第 t 行给 token t 打分（没有错一位）' },
      message: {
        en:
          'You score token t with row t: −5.821045 in the lesson instead of −3.366657. Row t holds the model\'s prediction of the NEXT token, t + 1, having read tokens 0 … t; ' +
          'token t is predicted by row t − 1 (trainers.py pairs logits[:, :-1] with labels[:, 1:]), and the last row predicts a token past the end.',
        'zh-CN':
          '你用第 t 行给 token t 打分：课程例子里得到 −5.821045 而不是 −3.366657。第 t 行是模型读完 token 0 … t 后对「下一个」token t + 1 的预测；' +
          'token t 由第 t − 1 行预测（trainers.py 把 logits[:, :-1] 与 labels[:, 1:] 配对），最后一行预测的是序列结束之后的 token。',
      },
      hint: {
        en: 'Which row was computed without seeing token 3 yet? Pair each response token with the row just before it.',
        'zh-CN': '哪一行是在还没看到 token 3 时算出来的？让每个回答 token 与它前一行配对。',
      },
      wrong: (_ctx, logits, tokens, promptLen) => sumOver(logits, tokens, promptLen, (t) => t, stable),
    },
    {
      id: 'averaged',
      title: { en: 'averaged over the response tokens instead of summed', 'zh-CN': '对回答 token 取平均而不是求和' },
      message: {
        en:
          'You divide by the number of response tokens: −1.122219 in the lesson instead of −3.366657 (= 3 × −1.122219). The log-probability of a response is the log of the product of its tokens\' probabilities, a sum of logs; ' +
          'the mean is trainers.py\'s average_log_prob=True (what IPO and SimPO use), not what DPO\'s loss takes.',
        'zh-CN':
          '你除以了回答 token 的个数：课程例子里得到 −1.122219 而不是 −3.366657（= 3 × −1.122219）。回答的对数概率是其各 token 概率之积的对数，也就是对数之和；' +
          '平均值是 trainers.py 的 average_log_prob=True（IPO 和 SimPO 用的就是它），不是 DPO 的损失所用的量。',
      },
      hint: {
        en: 'The probability of the response is p(token 2)·p(token 3)·p(token 4). What is the log of a product?',
        'zh-CN': '回答的概率是 p(token 2)·p(token 3)·p(token 4)。乘积的对数是什么？',
      },
      wrong: (_ctx, logits, tokens, promptLen) => {
        const { steps, output } = sequenceSteps(logits, tokens, promptLen);
        return output / steps.logProbs.length;
      },
    },
    {
      id: 'naive-log-softmax',
      title: { en: 'log(softmax) computed without subtracting the row\'s maximum', 'zh-CN': '计算 log(softmax) 时没有减去该行的最大值' },
      message: {
        en:
          'On a row of logits [0, 1000, 0], exp(1000) overflows to Infinity, so your log-probability of token 0 is log(1/Infinity) = −Infinity instead of −1000 (the sum −Infinity instead of −1002.815212). ' +
          'Subtract the row\'s largest logit first: log softmax(z)_k = z_k − max − log Σ exp(z − max).',
        'zh-CN':
          '对 logits 为 [0, 1000, 0] 的一行，exp(1000) 上溢为 Infinity，所以你算出的 token 0 的对数概率是 log(1/Infinity) = −Infinity，而不是 −1000（总和为 −Infinity 而不是 −1002.815212）。' +
          '先减去该行最大的 logit：log softmax(z)_k = z_k − max − log Σ exp(z − max)。',
      },
      hint: {
        en: 'What is Math.exp(1000) in JavaScript? Which constant can you subtract from a row without changing its softmax?',
        'zh-CN': '在 JavaScript 里 Math.exp(1000) 是多少？从一行中减去哪个常数不会改变它的 softmax？',
      },
      wrong: (_ctx, logits, tokens, promptLen) => {
        const from = Math.max(promptLen, 1);
        const ratio = (r: number[], k: number) => Math.log(Math.exp(r[k]) / r.reduce((acc, x) => acc + Math.exp(x), 0));
        const difference = (r: number[], k: number) => r[k] - Math.log(r.reduce((acc, x) => acc + Math.exp(x), 0));
        return anyOf(sumOver(logits, tokens, from, (t) => t - 1, ratio), sumOver(logits, tokens, from, (t) => t - 1, difference));
      },
    },
  ],
  hints: [
    {
      en: 'Work the lesson by hand: which tokens are the response, and which row predicts each of them?',
      'zh-CN': '先手算课程里的例子：哪些 token 属于回答？每个 token 由哪一行预测？',
    },
    {
      en: 'Token t is predicted by row t − 1, for t from max(promptLen, 1) to T − 1: add log softmax(logits[t − 1])[tokens[t]] over those t (the last row is never used).',
      'zh-CN': 'token t 由第 t − 1 行预测，t 取 max(promptLen, 1) 到 T − 1：对这些 t 累加 log softmax(logits[t − 1])[tokens[t]]（最后一行永远用不到）。',
    },
    {
      en: 'The key idea: a sum (not a mean) of log-probabilities, each from a stable log-softmax, z_k − max − log Σ exp(z − max), so that rows of ±1000 stay finite.',
      'zh-CN': '关键：对数概率的总和（不是平均），每一项都来自数值稳定的 log-softmax，即 z_k − max − log Σ exp(z − max)，这样 ±1000 的行也保持有限。',
    },
  ],
});
