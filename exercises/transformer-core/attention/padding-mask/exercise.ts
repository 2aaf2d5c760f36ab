import { anyOf, defineExercise, plural, type ReferenceContext, type Rng, type Tf } from 'llm-tutor/pack';
import { largeScoreQ, largeScoreV, lessonExample, randomQKV, scores, softmaxRow } from '../attention-math.js';
import { matricesAgree } from '../../properties.js';
import { allEmptyRows, attend, attendEachEmptyRow, everyKey, type EmptyRow, type Visibility } from '../attention-variants.js';

type Args = [q: number[][], k: number[][], v: number[][], mask: boolean[][]];

/** The visibility rule a mask gives: key j is visible to query i when mask[i][j] is true. */
const allowedBy = (mask: boolean[][]): Visibility => (i, j) => mask[i][j];
const blockedBy = (mask: boolean[][]): Visibility => (i, j) => !mask[i][j];

/** The lesson's mask: query 0 may not see key 1; query 1 (a padding position) sees no key. */
const lessonMask = [
  [true, false, true],
  [false, false, false],
];

/**
 * Scores near ±1000 after scaling (d = 4, so √d = 2), all exact in float32.
 * Row 0 scores [1000, 1001, 1008] and may not see key 2, the highest; row 1 scores [−1000, −1001, −1008] and may not see key 1.
 */
const largeK = [
  [15.625, 15.625, 15.625, 15.625],
  [15.625, 15.625, 15.625, 15.6875],
  [15.75, 15.75, 15.75, 15.75],
];
const largeMask = [
  [true, true, false],
  [true, false, true],
];

function grid(n: number, m: number, allowed: (i: number, j: number) => boolean): boolean[][] {
  return Array.from({ length: n }, (_, i) => Array.from({ length: m }, (_, j) => allowed(i, j)));
}

/** A random mask in which row `emptyRow` (if any) is fully masked and every other row sees at least one key. */
function randomMask(rng: Rng, n: number, m: number, emptyRow?: number): boolean[][] {
  return Array.from({ length: n }, (_, i) => {
    if (i === emptyRow) return new Array<boolean>(m).fill(false);
    const row = Array.from({ length: m }, () => rng.next() < 0.5);
    if (!row.some(Boolean)) row[rng.int(0, m - 1)] = true;
    return row;
  });
}

/** The outputs of one visibility mistake for each way a learner may have handled rows that see no key. */
const eachEmptyRow = (q: number[][], k: number[][], v: number[][], sees: Visibility, emptyRows: EmptyRow[], scale?: number) =>
  anyOf(...attendEachEmptyRow(q, k, v, sees, emptyRows, { scale }));

/** Masked attention in tfjs, step by step: the scores q·kᵀ/√d, the scores with masked keys at −Infinity and the weights (the steps a trace shows), and the output. */
function maskedSteps(tf: Tf, q: number[][], k: number[][], v: number[][], mask: boolean[][]) {
  const n = q.length;
  const m = k.length;
  const scoresT = tf.div(tf.matMul(tf.tensor2d(q), tf.tensor2d(k), false, true), Math.sqrt(q[0].length));
  const visible = tf.tensor2d(mask, [n, m], 'bool');
  // A row with no visible key would be softmax of all −Infinity, which is NaN:
  // give it finite scores here and zero its weights below, so it outputs zeros.
  const hasKey = tf.tile(tf.any(visible, 1, true), [1, m]);
  const masked = tf.where(visible, scoresT, tf.fill([n, m], -Infinity));
  const safe = tf.where(hasKey, masked, tf.zeros([n, m]));
  const weights = tf.mul(tf.softmax(safe), tf.cast(visible, 'float32'));
  return { steps: { scores: scoresT, masked, weights }, output: tf.matMul(weights, tf.tensor2d(v)) };
}

/**
 * Masked attention on q, k, v, and on the same with the keys and values of
 * the last `padding` keys (masked for every query) replaced by other numbers.
 */
function paddingChanged(rng: Rng, n: number, m: number, padding: number): { name: string; calls: Args[] } {
  const [q, k, v] = randomQKV(rng, n, m, 4, 3);
  const [, otherK, otherV] = randomQKV(rng, 0, padding, 4, 3);
  const mask = randomMask(rng, n, m - padding).map((row) => [...row, ...new Array<boolean>(padding).fill(false)]);
  const scaled = (rows: number[][]) => rows.map((row) => row.map((x) => 10 * x));
  return {
    name: `n=${n}, m=${m}, the last ${plural(padding, 'key')} masked for every query`,
    calls: [
      [q, k, v, mask],
      [q, [...k.slice(0, m - padding), ...scaled(otherK)], [...v.slice(0, m - padding), ...scaled(otherV)], mask],
    ],
  };
}

export default defineExercise<Args, number[][]>({
  entry: 'maskedAttention',
  signature: 'maskedAttention(q: Matrix, k: Matrix, v: Matrix, mask: boolean[][]): Matrix',
  cases: (rng) => {
    const qkv = (n: number, m: number, d: number, dv: number) => randomQKV(rng, n, m, d, dv);
    const cases: { name: string; args: Args }[] = [{ name: 'the lesson example (query 0 may not see key 1; query 1 sees no key)', args: [...lessonExample, lessonMask] }];
    {
      const [m, d, dv] = [rng.int(5, 7), rng.int(3, 8), rng.int(2, 5)];
      const len = m - rng.int(1, 3);
      cases.push({ name: `key padding: the last ${plural(m - len, 'key is', 'keys are')} padding (n=${m}, d=${d}, dv=${dv})`, args: [...qkv(m, m, d, dv), grid(m, m, (_, j) => j < len)] });
    }
    {
      const [T, d, dv] = [rng.int(5, 7), rng.int(3, 6), rng.int(2, 5)];
      const len = T - rng.int(1, 2);
      cases.push({
        name: `a padded sequence: ${len} tokens in ${T} slots (the padding queries see no key: zero rows)`,
        args: [...qkv(T, T, d, dv), grid(T, T, (i, j) => i < len && j < len)],
      });
    }
    {
      const [T, d, dv] = [rng.int(5, 7), rng.int(3, 6), rng.int(2, 4)];
      const pad = rng.int(1, 2);
      cases.push({
        name: `left padding and a causal mask: ${plural(pad, 'pad token')}, then ${T - pad} tokens (batched generation; the pad queries are zero rows)`,
        args: [...qkv(T, T, d, dv), grid(T, T, (i, j) => j >= pad && j <= i)],
      });
    }
    {
      const [n, m, d, dv] = [rng.int(4, 6), rng.int(4, 7), rng.int(3, 6), rng.int(2, 5)];
      const empty = rng.int(0, n - 1);
      cases.push({ name: `a random mask, row ${empty} fully masked (n=${n}, m=${m}, d=${d}, dv=${dv})`, args: [...qkv(n, m, d, dv), randomMask(rng, n, m, empty)] });
    }
    {
      const [n, m, d, dv] = [rng.int(2, 3), rng.int(6, 8), rng.int(4, 8), rng.int(2, 6)];
      cases.push({ name: `cross-attention, a random mask (n=${n}, m=${m}, d=${d}, dv=${dv})`, args: [...qkv(n, m, d, dv), randomMask(rng, n, m)] });
    }
    cases.push({ name: 'every key visible (plain attention)', args: [...qkv(3, 4, 4, 3), grid(3, 4, () => true)] });
    cases.push({ name: 'every key masked (the output is all zeros)', args: [...qkv(3, 4, 4, 2), grid(3, 4, () => false)] });
    {
      const picks = Array.from({ length: 4 }, () => rng.int(0, 4));
      cases.push({ name: "one visible key per row (each output row is that key's value)", args: [...qkv(4, 5, 4, 3), grid(4, 5, (i, j) => j === picks[i])] });
    }
    cases.push({ name: 'large scores (±1000 after scaling; the masked key of row 0 scores highest)', args: [largeScoreQ, largeK, largeScoreV, largeMask] });
    return cases;
  },
  reference: ({ tf }: ReferenceContext, q, k, v, mask) => maskedSteps(tf, q, k, v, mask).output,
  trace: ({ tf }: ReferenceContext, q, k, v, mask) => maskedSteps(tf, q, k, v, mask).steps,
  properties: [
    {
      name: 'changing the keys and values no query may see leaves the output unchanged',
      cases: (rng) => [paddingChanged(rng, 3, 5, 2), paddingChanged(rng, 4, 6, 1)],
      holds: matricesAgree<Args>(
        'maskedAttention',
        (outputs) => [outputs[0], outputs[1]],
        (difference) =>
          `Replacing the keys and values of masked positions changed your output (before, then after: ${difference}). ` +
          'A masked key gets a weight of exactly 0, so nothing in its key or its value may reach any output: a padding token can hold anything.',
      ),
    },
  ],
  misconceptions: [
    {
      id: 'fully-masked-row-nan',
      title: { en: 'a row that sees no key comes out NaN', 'zh-CN': '看不到任何键的行得到 NaN' },
      message: {
        en:
          'Your rows with at least one visible key are right, but a row whose keys are all masked is NaN. With every score −Infinity the max is −Infinity too, ' +
          'and exp(−∞ − (−∞)) = exp(NaN), or the empty sum 0/0, is NaN. By the convention here (FlashAttention\'s) such a row is all zeros: ' +
          'check whether mask[i] has any true entry before the softmax, and return a row of dv zeros when it has none.',
        'zh-CN':
          '至少有一个可见键的行是对的，但所有键都被遮住的行是 NaN。每个分数都是 −Infinity 时，最大值也是 −Infinity，' +
          '而 exp(−∞ − (−∞)) = exp(NaN)，或者空求和的 0/0，都是 NaN。按这里的约定（FlashAttention 的约定），这样的行为全零：' +
          '在 softmax 之前检查 mask[i] 中是否有 true，如果没有，就返回 dv 个零组成的行。',
      },
      hint: {
        en: 'Follow a row whose mask is all false through your code: which step makes it NaN? Decide what such a row returns before that step.',
        'zh-CN': '让一个掩码全为 false 的行走一遍你的代码：哪一步让它变成了 NaN？在那一步之前先决定这样的行返回什么。',
      },
      wrong: (_ctx, q, k, v, mask) => attend(q, k, v, allowedBy(mask), { emptyRow: 'nan' }),
    },
    {
      id: 'mask-built-by-multiplication',
      title: { en: 'mask built as (1 − mask)·(−Infinity): 0·(−∞) is NaN', 'zh-CN': '用 (1 − mask)·(−Infinity) 构造掩码：0·(−∞) 是 NaN' },
      message: {
        en:
          'Every row of your output is NaN. Turning the mask into an additive term by multiplication, (1 − mask[i][j]) · (−Infinity), gives 0 · (−Infinity) at every visible key, ' +
          'and in JavaScript (as in IEEE arithmetic) that is NaN, not 0. Choose instead of multiplying: mask[i][j] ? score : −Infinity, or skip the masked keys.',
        'zh-CN':
          '你输出的每一行都是 NaN。用乘法 (1 − mask[i][j]) · (−Infinity) 把掩码变成加性项，会在每个可见键上得到 0 · (−Infinity)，' +
          '而在 JavaScript 中（和 IEEE 运算一样）它是 NaN，不是 0。不要用乘法，而要做选择：mask[i][j] ? score : −Infinity，或者跳过被遮住的键。',
      },
      // Every visible score becomes NaN, so every row with a visible key is NaN; a row with none is NaN too, or zeros behind a guard.
      hint: {
        en: 'Evaluate 0 * -Infinity in Node. Choose between the score and −Infinity with a condition instead of multiplying.',
        'zh-CN': '在 Node 里算一下 0 * -Infinity。用条件判断在分数和 −Infinity 之间选择，而不是用乘法。',
      },
      wrong: (_ctx, q, _k, v, mask) => {
        const row = (fill: number) => new Array<number>(v[0].length).fill(fill);
        return anyOf(
          q.map(() => row(NaN)),
          q.map((_, i) => row(mask[i].some(Boolean) ? NaN : 0)),
        );
      },
    },
    {
      id: 'fully-masked-row-mean',
      title: {
        en: 'a row that sees no key gives the mean of v (masked scores replaced by a large finite negative)',
        'zh-CN': '看不到任何键的行得到 v 的均值（被遮住的分数替换成了很大的有限负数）',
      },
      message: {
        en:
          'You replace masked scores with a large finite number such as −1e9 (GPT-2 uses −1e10, Hugging Face the most negative float). That works while a row sees some key, ' +
          'but when every key of a row is masked all its scores are equal, the weights are all 1/m, and the row becomes the plain mean of v. ' +
          'By the convention here a row that sees no key is all zeros: check for it, or use −Infinity and guard the empty row.',
        'zh-CN':
          '你把被遮住的分数替换成了 −1e9 这样很大的有限数（GPT-2 用 −1e10，Hugging Face 用最小的负浮点数）。只要一行还能看到某个键，这就行得通，' +
          '但当一行的所有键都被遮住时，它的所有分数相等，权重都是 1/m，这一行就变成了 v 的简单均值。' +
          '按这里的约定，看不到任何键的行为全零：显式检查这种情况，或者用 −Infinity 并对空行加保护。',
      },
      hint: {
        en: 'Your fill value works until a row has every key masked: then all its scores are equal. What should such a row return, and can you check for it before the softmax?',
        'zh-CN': '你的填充值在一行的所有键都被遮住之前都没问题：那时它的所有分数都相等。这样的行应该返回什么？你能在 softmax 之前检查出来吗？',
      },
      wrong: (_ctx, q, k, v, mask) => attend(q, k, v, allowedBy(mask), { emptyRow: 'mean' }),
    },
    {
      id: 'fully-masked-row-unmasked',
      title: { en: 'a row that sees no key is unmasked attention (a large negative added to the scores)', 'zh-CN': '看不到任何键的行成了无掩码注意力（给分数加上了一个很大的负数）' },
      message: {
        en:
          'You add a large negative number (−10000 as in BERT, or −1e9) to the masked scores. That works where a row sees some key: its visible scores dominate and the masked keys get almost no weight. ' +
          'But when every key of a row is masked, all its scores shift by the same amount, the softmax does not change, and the row comes out as if nothing were masked. ' +
          'A row that sees no key must be all zeros: check whether mask[i] has any true entry.',
        'zh-CN':
          '你给被遮住的分数加上了一个很大的负数（像 BERT 那样加 −10000，或者 −1e9）。在一行还能看到某个键时这行得通：可见的分数占主导，被遮住的键几乎没有权重。' +
          '但当一行的所有键都被遮住时，它的所有分数平移同样的量，softmax 不变，这一行的结果就像什么都没遮住一样。' +
          '看不到任何键的行必须为全零：检查 mask[i] 中是否有 true。',
      },
      hint: {
        en: 'Adding the same number to every score of a row does not change its softmax. When a row has no visible key, what should it return instead?',
        'zh-CN': '给一行的每个分数都加上同一个数，并不会改变它的 softmax。当一行没有可见的键时，它应该返回什么？',
      },
      wrong: (_ctx, q, k, v, mask) => attend(q, k, v, allowedBy(mask), { emptyRow: 'unmasked' }),
    },
    {
      id: 'mask-inverted',
      title: { en: 'mask read the wrong way round (true taken as "blocked")', 'zh-CN': '掩码的含义弄反了（把 true 当成「屏蔽」）' },
      message: {
        en:
          'Your queries attend to exactly the keys the mask hides. Here mask[i][j] = true means query i MAY attend to key j (as in a Hugging Face attention_mask, where 1 is a real token). ' +
          'PyTorch\'s key_padding_mask and nn.MultiheadAttention use the opposite sense (True = ignore); always check which one an API uses.',
        'zh-CN':
          '你的查询关注的恰好是掩码遮住的那些键。这里 mask[i][j] = true 表示查询 i「可以」关注键 j（和 Hugging Face 的 attention_mask 一样，真实 token 为 1）。' +
          'PyTorch 的 key_padding_mask 和 nn.MultiheadAttention 采用相反的含义（True = 忽略）；一定要查清每个 API 用的是哪一种。',
      },
      hint: {
        en: 'Read the task again for what true means in mask[i][j]: may the query attend to that key, or not?',
        'zh-CN': '再读一遍题目中 mask[i][j] 为 true 的含义：查询是可以关注这个键，还是不可以？',
      },
      wrong: (_ctx, q, k, v, mask) => eachEmptyRow(q, k, v, blockedBy(mask), allEmptyRows),
    },
    {
      id: 'mask-ignored',
      title: { en: 'the mask is not applied', 'zh-CN': '没有应用掩码' },
      message: {
        en: 'Your output is plain attention: every query sees every key. Before the softmax, leave out key j for query i when mask[i][j] is false (or set its score to −Infinity).',
        'zh-CN': '你的输出是普通注意力：每个查询都看到所有键。在 softmax 之前，当 mask[i][j] 为 false 时，对查询 i 排除键 j（或把它的分数设为 −Infinity）。',
      },
      hint: {
        en: 'Your queries see every key. Where does mask[i][j] enter your computation of query i\'s scores?',
        'zh-CN': '你的查询看到了所有键。在计算查询 i 的分数时，mask[i][j] 在哪里起作用？',
      },
      wrong: (_ctx, q, k, v) => attend(q, k, v, everyKey),
    },
    {
      id: 'masked-scores-zeroed',
      title: { en: 'masked scores set to 0 instead of −Infinity', 'zh-CN': '被遮住的分数设成了 0，而不是 −Infinity' },
      message: {
        en:
          'You multiply the scores by the mask (or set masked scores to 0). A score of 0 is not "excluded": exp(0 − max) is still positive, so masked keys keep some weight, ' +
          'and a row with every key masked becomes the mean of v. Masked scores must be −Infinity (weight exactly 0), or those keys left out of the softmax.',
        'zh-CN':
          '你用掩码去乘分数（或把被遮住的分数设为 0）。分数为 0 并不等于「被排除」：exp(0 − max) 仍然是正数，所以被遮住的键仍保留了一些权重，' +
          '而所有键都被遮住的行会变成 v 的均值。被遮住的分数必须是 −Infinity（权重恰好为 0），或者把这些键排除在 softmax 之外。',
      },
      hint: {
        en: 'What is exp(0)? A masked key needs a weight of exactly 0 after the softmax, so ask which score gives that.',
        'zh-CN': 'exp(0) 等于多少？被遮住的键在 softmax 之后需要权重恰好为 0，想一想什么样的分数能做到。',
      },
      wrong: (_ctx, q, k, v, mask) => {
        const p = scores(q, k, 1 / Math.sqrt(q[0].length)).map((row, i) => softmaxRow(row.map((s, j) => (mask[i][j] ? s : 0))));
        return p.map((row) => v[0].map((_, c) => row.reduce((acc, w, j) => acc + w * v[j][c], 0)));
      },
    },
    {
      id: 'mask-after-softmax',
      title: { en: 'masked after the softmax, without renormalising', 'zh-CN': '在 softmax 之后加掩码，且没有重新归一化' },
      message: {
        en:
          'You take the softmax over every key and then set the masked weights to 0, so the remaining weights no longer add up to 1 (and the masked keys still took part in the normalisation). ' +
          'Mask the scores before the softmax (−Infinity, or skip those keys), so the softmax runs over the visible keys only.',
        'zh-CN':
          '你先对所有键做 softmax，再把被遮住的权重置为 0，于是剩下的权重之和不再是 1（而且被遮住的键仍参与了归一化）。' +
          '应当在 softmax 之前对分数加掩码（设为 −Infinity，或跳过这些键），让 softmax 只在可见的键上进行。',
      },
      hint: {
        en: 'Add up one query\'s weights after your mask: they no longer sum to 1. Apply the mask to the scores, before the softmax.',
        'zh-CN': '把一个查询加掩码后的权重加起来：和已经不是 1 了。要在 softmax 之前把掩码施加到分数上。',
      },
      wrong: (_ctx, q, k, v, mask) => {
        const p = scores(q, k, 1 / Math.sqrt(q[0].length)).map((row, i) => softmaxRow(row).map((w, j) => (mask[i][j] ? w : 0)));
        return p.map((row) => v[0].map((_, c) => row.reduce((acc, w, j) => acc + w * v[j][c], 0)));
      },
    },
    {
      id: 'no-scaling',
      title: { en: 'scores not divided by √d', 'zh-CN': '分数没有除以 √d' },
      message: {
        en: 'Your mask is right but the scores are q·kᵀ without the 1/√d, so the weights come out too sharp. Divide every score by Math.sqrt(d), d = q[0].length.',
        'zh-CN': '你的掩码是对的，但分数是不带 1/√d 的 q·kᵀ，所以权重过于尖锐。把每个分数除以 Math.sqrt(d)，d = q[0].length。',
      },
      hint: {
        en: 'Your mask looks right; compare the scores with the formula in the lesson: something divides them before the softmax.',
        'zh-CN': '你的掩码看起来没问题；把分数和课程里的公式对比一下：在 softmax 之前，分数还要先除以某个量。',
      },
      wrong: (_ctx, q, k, v, mask) => eachEmptyRow(q, k, v, allowedBy(mask), allEmptyRows, 1),
    },
    {
      id: 'no-max-subtraction',
      title: { en: 'softmax without subtracting the max', 'zh-CN': 'softmax 没有减去最大值' },
      message: {
        en:
          'Your mask is right, but with scores near 1000 Math.exp overflows to Infinity (near −1000 it underflows to 0), giving NaN. ' +
          'Subtract the largest visible score of the row before exponentiating.',
        'zh-CN':
          '你的掩码是对的，但分数接近 1000 时 Math.exp 上溢为 Infinity（接近 −1000 时下溢为 0），结果是 NaN。' +
          '在取指数之前，先减去该行可见分数中的最大值。',
      },
      hint: {
        en: 'Try scores near 1000: Math.exp overflows. Shift the visible scores of each row by the same constant before exponentiating.',
        'zh-CN': '试试接近 1000 的分数：Math.exp 会上溢。在取指数之前，把每一行的可见分数都减去同一个常数。',
      },
      wrong: (_ctx, q, k, v, mask) => anyOf(...attendEachEmptyRow(q, k, v, allowedBy(mask), ['zeros', 'nan'], { naive: true })),
    },
  ],
  hints: [
    {
      en: 'Work one query at a time. Which keys may query i see? What should its output be when mask[i] has no true entry at all?',
      'zh-CN': '一次处理一个查询。查询 i 可以看到哪些键？当 mask[i] 中完全没有 true 时，它的输出应该是什么？',
    },
    {
      en: 'For query i, score only the keys j with mask[i][j] true: (q[i]·k[j]) / √d. Softmax those scores (subtract their max first) and mix the matching rows of v; the masked keys get weight exactly 0.',
      'zh-CN': '对查询 i，只给 mask[i][j] 为 true 的键 j 打分：(q[i]·k[j]) / √d。对这些分数做 softmax（先减去它们的最大值），再混合 v 中对应的行；被遮住的键权重恰好为 0。',
    },
    {
      en: 'If mask[i] has no true entry, return a row of dv zeros without running the softmax: a softmax of nothing is 0/0 = NaN, and a large finite fill such as −1e9 gives the mean of v instead.',
      'zh-CN': '如果 mask[i] 中没有 true，就不做 softmax，直接返回 dv 个零组成的行：对空集合做 softmax 是 0/0 = NaN，而用 −1e9 这样很大的有限值填充则会得到 v 的均值。',
    },
  ],
});
