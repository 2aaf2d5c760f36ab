import { anyOf, defineExercise, type ReferenceContext, type Rng } from 'llm-tutor/pack';
import { causalLmSteps, close, isNumber, mean, randomSequence, sharedLmCases, scoredAgainst, shiftedLosses, show, sum, wrongKind, type LmArgs } from '../objectives-math.js';

/** The same sequence with the last row of logits replaced by fresh random numbers. */
function newLastRow(rng: Rng, [logits, tokens]: LmArgs): LmArgs {
  const [[fresh]] = randomSequence(rng, 1, logits[0].length, 3);
  return [[...logits.slice(0, -1), fresh], tokens];
}

/** The same sequence with its first token changed to another id. */
function newFirstToken([logits, tokens]: LmArgs): LmArgs {
  const vocab = logits[0].length;
  return [logits, [(tokens[0] + 1) % vocab, ...tokens.slice(1)]];
}

/** A property's holds: the two calls must give the same loss; `explain` says why, given both. */
function sameLoss(explain: (first: number, second: number) => string) {
  return (outputs: number[]) => {
    const odd = wrongKind('causalLmLoss', 'a number', outputs, isNumber);
    if (odd) return odd;
    return close(outputs[1], outputs[0]) ? undefined : explain(outputs[0], outputs[1]);
  };
}

export default defineExercise<LmArgs, number>({
  entry: 'causalLmLoss',
  signature: 'causalLmLoss(logits: Matrix, tokens: number[]): number',
  cases: (rng) => [
    // The lesson example's value is torch.nn.functional.cross_entropy(logits[:-1], tokens[1:]) in float64.
    ...sharedLmCases(rng, 1.3283526494816822),
    { name: 'T = 3, every token the same id', args: [randomSequence(rng, 3, 4, 2)[0], [2, 2, 2]] },
    { name: 'equal logits in every row: log V = log 8 = 2.079442', args: [Array.from({ length: 5 }, (_, i) => new Array<number>(8).fill(i - 2)), [3, 1, 4, 1, 5]] },
  ],
  reference: ({ tf }: ReferenceContext, logits, tokens) => causalLmSteps(tf, logits, tokens).loss,
  trace: ({ tf }: ReferenceContext, logits, tokens) => causalLmSteps(tf, logits, tokens).steps,
  properties: [
    {
      name: 'the last row of logits does not change the loss',
      cases: (rng) => [5, 3].map((t) => {
        const sequence = randomSequence(rng, t, 6, 2);
        return { name: `T = ${t}, V = 6, the last row replaced`, calls: [sequence, newLastRow(rng, sequence)] };
      }),
      holds: sameLoss(
        (first, second) =>
          `Replacing the last row of logits changed your loss from ${show(first)} to ${show(second)}. ` +
          'The last position predicts the token after the sequence, which is not there: its logits are scored against nothing, so they cannot matter.',
      ),
    },
    {
      name: 'the first token does not change the loss',
      cases: (rng) => [4, 6].map((t) => {
        const sequence = randomSequence(rng, t, 5, 2);
        return { name: `T = ${t}, V = 5, tokens[0] changed`, calls: [sequence, newFirstToken(sequence)] };
      }),
      holds: sameLoss(
        (first, second) =>
          `Changing tokens[0] changed your loss from ${show(first)} to ${show(second)}. ` +
          'No position predicts the first token (nothing comes before it): it is only ever an input, so it must not be a target.',
      ),
    },
  ],
  misconceptions: [
    {
      id: 'no-shift',
      title: { en: 'no shift: each row scored against its own token', 'zh-CN': '没有平移：每一行对照它自己的 token 打分' },
      message: {
        en:
          'Your loss scores logits[t] against tokens[t], so the model is asked to copy the token it already sees (1.255259 instead of 1.328353 on the lesson example). ' +
          'Row t predicts the next token: score logits[t] against tokens[t + 1], for t = 0 … T − 2.',
        'zh-CN':
          '你的损失把 logits[t] 与 tokens[t] 对照打分，等于要求模型复制它已经看到的 token（在课程的例子中得到 1.255259，而不是 1.328353）。' +
          '第 t 行预测的是下一个 token：应把 logits[t] 与 tokens[t + 1] 对照打分，t = 0 … T − 2。',
      },
      hint: {
        en: 'On the lesson example, which token should row 0 be scored against: the one at position 0, or the one after it?',
        'zh-CN': '在课程的例子中，第 0 行应该对照哪个 token 打分：位置 0 上的那个，还是它后面的那个？',
      },
      // Over all T rows, or over the first T − 1 rows still against their own tokens.
      wrong: (_ctx, logits, tokens) => anyOf(mean(scoredAgainst(logits, tokens)), mean(scoredAgainst(logits, tokens.slice(0, -1)))),
    },
    {
      id: 'last-position-included',
      title: { en: 'the last position counted (divided by T, or scored against a wrapped-around token)', 'zh-CN': '把最后一个位置也算进去了（除以 T，或对照回绕到开头的 token 打分）' },
      message: {
        en:
          'The last row has no next token, so only T − 1 positions are scored and the mean divides by T − 1. ' +
          'Dividing the sum by T gives 0.996264 on the lesson example, and scoring the last row against tokens[0] gives 2.005259; the loss is 1.328353.',
        'zh-CN': '最后一行没有下一个 token，所以只有 T − 1 个位置被打分，平均值要除以 T − 1。在课程的例子中，把总和除以 T 得到 0.996264，把最后一行对照 tokens[0] 打分得到 2.005259；正确的损失是 1.328353。',
      },
      hint: {
        en: 'How many of the T rows have a next token to be scored against? Count them on the lesson example and compare with your divisor.',
        'zh-CN': 'T 行中有几行有可供对照的下一个 token？在课程的例子中数一数，再和你的除数比较。',
      },
      wrong: (_ctx, logits, tokens) =>
        anyOf(sum(shiftedLosses(logits, tokens)) / logits.length, mean(scoredAgainst(logits, [...tokens.slice(1), tokens[0]]))),
    },
    {
      id: 'shifted-backwards',
      title: { en: 'shifted the wrong way: logits[t + 1] scored against tokens[t]', 'zh-CN': '平移方向反了：logits[t + 1] 对照 tokens[t] 打分' },
      message: {
        en:
          'You dropped the first row of logits and the last token, so each row is scored against the token before it: the model is asked to predict the past (3.204476 on the lesson example). ' +
          'Drop the last row and the first token instead: logits[0 … T − 2] against tokens[1 … T − 1].',
        'zh-CN':
          '你去掉了 logits 的第一行和最后一个 token，于是每一行都对照它前面的 token 打分：等于要求模型预测过去（在课程的例子中得到 3.204476）。' +
          '应当去掉最后一行和第一个 token：logits[0 … T − 2] 对照 tokens[1 … T − 1]。',
      },
      hint: {
        en: 'Write the pairs out for T = 3: which row goes with which token? Row 0 must be in a pair, and token 0 must not.',
        'zh-CN': '把 T = 3 时的配对写出来：哪一行配哪个 token？第 0 行必须在某个配对中，而 token 0 不能在。',
      },
      wrong: (_ctx, logits, tokens) => mean(scoredAgainst(logits, tokens.slice(0, -1), 1)),
    },
    {
      id: 'sum-instead-of-mean',
      title: { en: 'the per-position losses summed instead of averaged', 'zh-CN': '各位置的损失求和而不是求平均' },
      message: {
        en: 'The loss is the mean over the T − 1 scored positions (PyTorch\'s default reduction="mean"), so it does not grow with the length of the sequence: 1.328353 on the lesson example, not the sum 3.985058.',
        'zh-CN': '损失是 T − 1 个被打分位置上的平均值（PyTorch 默认的 reduction="mean"），所以它不会随序列长度增长：在课程的例子中是 1.328353，而不是总和 3.985058。',
      },
      hint: {
        en: 'Double the length of a sequence by repeating it: should the loss double? Look at how you combine the positions.',
        'zh-CN': '把一个序列重复一遍使其长度翻倍：损失应该翻倍吗？看看你是怎样合并各个位置的。',
      },
      wrong: (_ctx, logits, tokens) => sum(shiftedLosses(logits, tokens)),
    },
    {
      id: 'log-of-softmax',
      title: { en: 'computing −log(softmax) or log Σ exp without subtracting the max', 'zh-CN': '计算 −log(softmax) 或 log Σ exp 时没有减去最大值' },
      message: {
        en:
          'With logits near ±1000, Math.exp overflows to Infinity (or every exp underflows to 0), so your loss is Infinity or NaN. ' +
          'Compute each position\'s loss as logsumexp(z) − z[y], with logsumexp(z) = m + log Σ exp(z − m) and m the row max.',
        'zh-CN':
          '当 logits 接近 ±1000 时，Math.exp 会上溢为 Infinity（或者每个 exp 都下溢为 0），于是你的损失变成 Infinity 或 NaN。' +
          '请把每个位置的损失算成 logsumexp(z) − z[y]，其中 logsumexp(z) = m + log Σ exp(z − m)，m 为该行的最大值。',
      },
      hint: {
        en: 'Try Math.exp(1000) in Node. Which constant can you take out of every exponent of a row without changing the softmax?',
        'zh-CN': '在 Node 里试试 Math.exp(1000)。从一行的每个指数中提出哪个常数不会改变 softmax？',
      },
      wrong: (_ctx, logits, tokens) => {
        const naive = (z: number[], y: number) => Math.log(sum(z.map(Math.exp))) - z[y];
        return mean(tokens.slice(1).map((y, t) => naive(logits[t], y)));
      },
    },
  ],
  hints: [
    {
      en: 'Write the (row, token) pairs for the lesson example: row t of logits is what the model predicts after reading tokens 0 … t.',
      'zh-CN': '把课程例子中的（行，token）配对写出来：logits 的第 t 行是模型读完 token 0 … t 之后做出的预测。',
    },
    {
      en: 'Each pair costs −log softmax(logits[t])[tokens[t + 1]] = logsumexp(logits[t]) − logits[t][tokens[t + 1]], with the row max shifted out of the log-sum-exp.',
      'zh-CN': '每个配对的代价为 −log softmax(logits[t])[tokens[t + 1]] = logsumexp(logits[t]) − logits[t][tokens[t + 1]]，并在 log-sum-exp 中把该行的最大值移出去。',
    },
    {
      en: 'Loop over t = 0 … T − 2 (the last row has no next token), add up the costs, and divide by T − 1.',
      'zh-CN': '对 t = 0 … T − 2 循环（最后一行没有下一个 token），把代价加起来，再除以 T − 1。',
    },
  ],
});
