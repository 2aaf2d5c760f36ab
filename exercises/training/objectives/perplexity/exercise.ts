import { anyOf, defineExercise, type ReferenceContext, type Rng } from 'llm-tutor/pack';
import { causalLmSteps, close, isNumber, mean, randomSequence, sharedLmCases, scoredAgainst, shiftedLosses, show, sum, wrongKind, type LmArgs } from '../objectives-math.js';

/** T positions of V equal logits (each row its own constant) and random tokens: a model that knows nothing. */
function uniformSequence(rng: Rng, length: number, vocab: number): LmArgs {
  const [, tokens] = randomSequence(rng, length, vocab, 1);
  return [tokens.map(() => new Array<number>(vocab).fill(rng.int(-3, 3))), tokens];
}

/** Logits whose every scored row puts `margin` more on its target than on any other token: a model that is almost always right. */
function confidentSequence(rng: Rng, length: number, vocab: number, margin: number): LmArgs {
  const [logits, tokens] = randomSequence(rng, length, vocab, 1);
  return [logits.map((row, t) => (t + 1 < length ? row.map((_, j) => (j === tokens[t + 1] ? margin : 0)) : row)), tokens];
}

export default defineExercise<LmArgs, number>({
  entry: 'perplexity',
  signature: 'perplexity(logits: Matrix, tokens: number[]): number',
  cases: (rng) => [
    // The lesson example's value is torch.exp(F.cross_entropy(logits[:-1], tokens[1:])) in float64.
    ...sharedLmCases(rng, 3.774819811397646),
    { name: 'equal logits, V = 10: perplexity 10, as if choosing among 10 tokens', args: uniformSequence(rng, 6, 10) },
    { name: 'a confident model (target logit 6 above the rest, V = 5): perplexity near 1', args: confidentSequence(rng, 5, 5, 6) },
  ],
  reference: ({ tf }: ReferenceContext, logits, tokens) => tf.exp(causalLmSteps(tf, logits, tokens).loss),
  trace: ({ tf }: ReferenceContext, logits, tokens) => {
    const { steps, loss } = causalLmSteps(tf, logits, tokens);
    return { ...steps, loss };
  },
  properties: [
    {
      name: 'equal logits give perplexity V',
      cases: (rng) => [
        { name: 'T = 4, V = 6 equal logits per row', calls: [uniformSequence(rng, 4, 6)] },
        { name: 'T = 7, V = 50 equal logits per row', calls: [uniformSequence(rng, 7, 50)] },
      ],
      holds: (outputs, calls) => {
        const odd = wrongKind('perplexity', 'a number', outputs, isNumber);
        if (odd) return odd;
        const v = calls[0][0][0].length;
        if (close(outputs[0], v)) return undefined;
        return (
          `With ${v} equal logits in every row your perplexity is ${show(outputs[0])}, not ${v}. ` +
          `Each position gives its target p = 1/${v}, so the loss is ln ${v} nats and the perplexity is exp(ln ${v}) = ${v}: the model is as unsure as a uniform choice among ${v} tokens.`
        );
      },
    },
    {
      name: 'the perplexity is at least 1',
      cases: (rng) => [
        { name: 'T = 5, V = 8, each target logit 4 above the rest', calls: [confidentSequence(rng, 5, 8, 4)] },
        { name: 'T = 3, V = 4, each target logit 30 above the rest', calls: [confidentSequence(rng, 3, 4, 30)] },
      ],
      holds: (outputs) => {
        const odd = wrongKind('perplexity', 'a number', outputs, isNumber);
        if (odd) return odd;
        if (outputs[0] >= 1 - 1e-9) return undefined;
        return (
          `Your perplexity is ${show(outputs[0])}. The loss is a mean of −log p with p ≤ 1, so it is at least 0, and exp of it is at least 1: ` +
          'a perfect model has perplexity 1, never less.'
        );
      },
    },
  ],
  misconceptions: [
    {
      id: 'exp-of-sum',
      title: { en: 'exp of the summed loss instead of the mean', 'zh-CN': '对总损失而不是平均损失取了 exp' },
      message: {
        en:
          'Your perplexity is exp of the total loss over the T − 1 positions (53.788406 on the lesson example), which grows exponentially with the length of the text. ' +
          'Perplexity is exp of the mean loss: exp(3.985058 / 3) = 3.774820.',
        'zh-CN': '你的困惑度是 T − 1 个位置上总损失的 exp（在课程的例子中为 53.788406），它会随文本长度指数增长。困惑度是平均损失的 exp：exp(3.985058 / 3) = 3.774820。',
      },
      hint: {
        en: 'Score the lesson example twice in a row: should the perplexity change? Look at what you divide before exponentiating.',
        'zh-CN': '把课程的例子连续打分两遍：困惑度应该变化吗？看看你在取指数之前除了什么。',
      },
      wrong: (_ctx, logits, tokens) => Math.exp(sum(shiftedLosses(logits, tokens))),
    },
    {
      id: 'base-2-with-nats',
      title: { en: '2^loss with a loss in nats', 'zh-CN': '损失以奈特为单位，却用了 2^loss' },
      message: {
        en:
          'The loss is in nats (natural logarithm), so its inverse is exp, not 2^: 2^1.328353 = 2.511158, but the perplexity of the lesson example is e^1.328353 = 3.774820. ' +
          '2^ goes with a loss in bits (log₂); the base must match the logarithm.',
        'zh-CN':
          '损失以奈特为单位（自然对数），所以它的逆运算是 exp，而不是 2^：2^1.328353 = 2.511158，但课程例子的困惑度是 e^1.328353 = 3.774820。' +
          '2^ 对应以比特为单位的损失（log₂）；底数必须与对数相匹配。',
      },
      hint: {
        en: 'Which function undoes Math.log? For 10 equal logits the perplexity must be 10: check what your base gives.',
        'zh-CN': '哪个函数能抵消 Math.log？对于 10 个相等的 logits，困惑度必须是 10：检查一下你的底数给出了什么。',
      },
      wrong: (_ctx, logits, tokens) => 2 ** mean(shiftedLosses(logits, tokens)),
    },
    {
      id: 'no-shift',
      title: { en: 'no shift: each row scored against its own token', 'zh-CN': '没有平移：每一行对照它自己的 token 打分' },
      message: {
        en:
          'Your perplexity scores logits[t] against tokens[t]: the model is asked to copy its input (3.508745 on the lesson example). ' +
          'Perplexity uses the same shift as the causal-LM loss: row t against tokens[t + 1], the last row left out.',
        'zh-CN':
          '你的困惑度把 logits[t] 与 tokens[t] 对照打分：等于要求模型复制它的输入（在课程的例子中为 3.508745）。' +
          '困惑度使用与因果语言模型损失相同的平移：第 t 行对照 tokens[t + 1]，最后一行不计入。',
      },
      hint: {
        en: 'Which token does row 0 of the lesson example predict? Use the same pairs as in the causal-LM loss.',
        'zh-CN': '课程例子中的第 0 行预测的是哪个 token？使用与因果语言模型损失中相同的配对。',
      },
      wrong: (_ctx, logits, tokens) => anyOf(Math.exp(mean(scoredAgainst(logits, tokens))), Math.exp(mean(scoredAgainst(logits, tokens.slice(0, -1))))),
    },
    {
      id: 'mean-of-exp',
      title: { en: 'the per-position perplexities averaged', 'zh-CN': '对各位置的困惑度求了平均' },
      message: {
        en:
          'You take exp of each position\'s loss and average those (4.782104 on the lesson example). ' +
          'Perplexity is exp of the mean loss, a geometric mean of 1/p: average the losses first, then take one exp (3.774820).',
        'zh-CN': '你对每个位置的损失取 exp，再对它们求平均（在课程的例子中为 4.782104）。困惑度是平均损失的 exp，即 1/p 的几何平均：先对损失求平均，再取一次 exp（3.774820）。',
      },
      hint: {
        en: 'exp of a mean is not the mean of the exps. In which order do the lesson\'s formula apply exp and the average?',
        'zh-CN': '平均值的 exp 不等于各个 exp 的平均值。课程的公式中，exp 和求平均的先后顺序是怎样的？',
      },
      wrong: (_ctx, logits, tokens) => mean(shiftedLosses(logits, tokens).map(Math.exp)),
    },
    {
      id: 'loss-not-exponentiated',
      title: { en: 'the loss returned without exp', 'zh-CN': '返回了损失，没有取 exp' },
      message: {
        en: 'You returned the mean loss (1.328353 nats on the lesson example); perplexity is its exponential, e^1.328353 = 3.774820, a number of tokens rather than of nats.',
        'zh-CN': '你返回的是平均损失（在课程的例子中为 1.328353 奈特）；困惑度是它的指数，e^1.328353 = 3.774820，是一个 token 的个数，而不是奈特数。',
      },
      hint: {
        en: 'For 10 equal logits your function should return 10, the number of equally likely tokens. What turns ln 10 into 10?',
        'zh-CN': '对于 10 个相等的 logits，你的函数应当返回 10，即等可能 token 的个数。什么能把 ln 10 变成 10？',
      },
      wrong: (_ctx, logits, tokens) => mean(shiftedLosses(logits, tokens)),
    },
  ],
  hints: [
    {
      en: 'Start from the causal-LM loss of the previous exercise: the same pairs, row t against tokens[t + 1], the same mean over T − 1 positions.',
      'zh-CN': '从上一个练习的因果语言模型损失出发：同样的配对，第 t 行对照 tokens[t + 1]，同样在 T − 1 个位置上求平均。',
    },
    {
      en: 'Perplexity turns a loss in nats back into a number of tokens: the inverse of the natural log.',
      'zh-CN': '困惑度把以奈特为单位的损失换回成 token 的个数：即自然对数的逆运算。',
    },
    {
      en: 'Compute the mean loss first (stable log-sum-exp, T − 1 positions), then return Math.exp of it.',
      'zh-CN': '先算出平均损失（数值稳定的 log-sum-exp，T − 1 个位置），再返回它的 Math.exp。',
    },
  ],
});
