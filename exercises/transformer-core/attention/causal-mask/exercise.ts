import { anyOf, defineExercise, type ReferenceContext, type Rng, type Tf } from 'llm-tutor/pack';
import { largeScoreQ, largeScoreV, lessonExample, mix, randomQKV, scores, shapeLabel, softmaxRow } from '../attention-math.js';
import { close, isMatrix, matricesAgree, showList, wrongKind } from '../../properties.js';

type Args = [q: number[][], k: number[][], v: number[][]];

/** Which keys query i may see: `sees(i, j, n, m)`. */
type Sees = (i: number, j: number, n: number, m: number) => boolean;
const bottomRight: Sees = (i, j, n, m) => j <= m - n + i;
const bottomRightStrict: Sees = (i, j, n, m) => j < m - n + i;
const topLeft: Sees = (i, j) => j <= i;
const topLeftStrict: Sees = (i, j) => j < i;

/**
 * What a row whose keys are all masked becomes, depending on how the mask was written:
 * - `zeros`: a guard, or a loop over the visible keys only (the convention here);
 * - `nan`: −Infinity scores and no guard, so exp(−∞ − (−∞)) or 0/0 gives NaN;
 * - `mean`: masked scores replaced by a large finite negative (−1e9, GPT-2's −1e10): uniform weights, the mean of v;
 * - `unmasked`: a large finite negative added to the scores: they all shift equally, so the row is unmasked attention.
 */
type EmptyRow = 'zeros' | 'nan' | 'mean' | 'unmasked';
const allEmptyRows: EmptyRow[] = ['nan', 'zeros', 'mean', 'unmasked'];

/** Softmax over the visible keys of each row, masked keys weighted 0, then times v. */
function maskedAttention(q: number[][], k: number[][], v: number[][], sees: Sees, emptyRow: EmptyRow, opts: { scale?: number; naive?: boolean } = {}): number[][] {
  const n = q.length;
  const m = k.length;
  const s = scores(q, k, opts.scale ?? 1 / Math.sqrt(q[0].length));
  const weights = s.map((row, i) => {
    const visible = row.map((_, j) => sees(i, j, n, m));
    if (!visible.some(Boolean)) {
      if (emptyRow === 'zeros') return row.map(() => 0);
      if (emptyRow === 'nan') return row.map(() => NaN);
      if (emptyRow === 'mean') return row.map(() => 1 / m);
      return softmaxRow(row, opts.naive);
    }
    const p = softmaxRow(row.filter((_, j) => visible[j]), opts.naive);
    let next = 0;
    return visible.map((seen) => (seen ? p[next++] : 0));
  });
  return mix(weights, v);
}

/** The outputs of one mistake for each way a learner may have handled rows with no visible key (and each mask rule given). */
function eachEmptyRow(q: number[][], k: number[][], v: number[][], sees: Sees | Sees[], emptyRows: EmptyRow[], opts: { scale?: number; naive?: boolean } = {}) {
  const rules = Array.isArray(sees) ? sees : [sees];
  return anyOf(...rules.flatMap((rule) => emptyRows.map((e) => maskedAttention(q, k, v, rule, e, opts))));
}

/**
 * Scores near ±1000 after scaling (d = 4, so √d = 2), all exact in float32.
 * Row 0 (position 1) sees keys 0 and 1, scores [1000, 1001]; the masked key 2 scores 1008, the highest.
 * Row 1 (position 2) sees every key, scores [−1000, −1001, −1008].
 */
const largeK = [
  [15.625, 15.625, 15.625, 15.625],
  [15.625, 15.625, 15.625, 15.6875],
  [15.75, 15.75, 15.75, 15.75],
];

/** Causal attention in tfjs, step by step: the scores q·kᵀ/√d, the scores with hidden keys at −Infinity and the weights (the steps a trace shows), and the output. */
function causalSteps(tf: Tf, q: number[][], k: number[][], v: number[][]) {
  const n = q.length;
  const m = k.length;
  const scoresT = tf.div(tf.matMul(tf.tensor2d(q), tf.tensor2d(k), false, true), Math.sqrt(q[0].length));
  // Query i is at absolute position m − n + i and sees key j when j <= m − n + i (bottom-right alignment).
  const position = tf.reshape(tf.add(tf.range(0, n, 1, 'int32'), tf.scalar(m - n, 'int32')), [n, 1]);
  const keyIndex = tf.reshape(tf.range(0, m, 1, 'int32'), [1, m]);
  const visible = tf.lessEqual(tf.tile(keyIndex, [n, 1]), tf.tile(position, [1, m]));
  // A row with no visible key (position < 0) would be softmax of all −Infinity, which is NaN:
  // give it finite scores here and zero its weights below, so it outputs zeros.
  const hasKey = tf.tile(tf.greaterEqual(position, tf.scalar(0, 'int32')), [1, m]);
  const masked = tf.where(visible, scoresT, tf.fill([n, m], -Infinity));
  const safe = tf.where(hasKey, masked, tf.zeros([n, m]));
  const weights = tf.mul(tf.softmax(safe), tf.cast(visible, 'float32'));
  return { steps: { scores: scoresT, masked, weights }, output: tf.matMul(weights, tf.tensor2d(v)) };
}

/** Causal attention on q, k, v, and on the same with one more token (a query, a key and a value) at the end. */
function oneMoreToken(rng: Rng, n: number, m: number, d: number, dv: number) {
  const [q, k, v] = randomQKV(rng, n, m, d, dv);
  const [[q2], [k2], [v2]] = randomQKV(rng, 1, 1, d, dv);
  return { name: `${shapeLabel(n, m, d, dv)}, then n + 1 and m + 1`, calls: [[q, k, v], [[...q, q2], [...k, k2], [...v, v2]]] as Args[] };
}

/** The first row of the output, and v[0] it should equal, when n = m; undefined when they agree. */
function firstRowDifference(out: number[][], v: number[][]): string | undefined {
  const row = out[0] ?? [];
  const agree = row.length === v[0].length && row.every((x, c) => close(v[0][c], x));
  return agree ? undefined : `causalAttention returned ${showList(row)} for query 0, but v[0] is ${showList(v[0])}.`;
}

export default defineExercise<Args, number[][]>({
  entry: 'causalAttention',
  signature: 'causalAttention(q: Matrix, k: Matrix, v: Matrix): Matrix',
  cases: (rng) => {
    const random = (n: number, m: number, d: number, dv: number): Args => randomQKV(rng, n, m, d, dv);
    const shape = shapeLabel;
    const cases: { name: string; args: Args }[] = [{ name: 'the lesson example (n=2, m=3, d=4, dv=2)', args: lessonExample }];
    {
      const [n, d, dv] = [rng.int(4, 7), rng.int(3, 8), rng.int(2, 6)];
      cases.push({ name: `random, n = m (a prompt with no cache: ${shape(n, n, d, dv)})`, args: random(n, n, d, dv) });
    }
    cases.push({ name: 'n < m (decoding with a cache: 2 new queries, 5 keys)', args: random(2, 5, 4, 3) });
    {
      const m = rng.int(4, 8);
      cases.push({ name: `one new query (a decode step: it sees all ${m} keys)`, args: random(1, m, 8, 4) });
    }
    {
      const n = rng.int(2, 4);
      const [m, d, dv] = [n + rng.int(2, 5), rng.int(4, 16), rng.int(2, 6)];
      cases.push({ name: `random, n < m (${shape(n, m, d, dv)})`, args: random(n, m, d, dv) });
    }
    cases.push({ name: 'n > m (5 queries, 3 keys: the first 2 rows see no key and are zeros)', args: random(5, 3, 4, 2) });
    {
      const n = rng.int(4, 7);
      const [m, d, dv] = [rng.int(1, n - 1), rng.int(2, 8), rng.int(2, 6)];
      const zeroRows = n - m === 1 ? 'row 0 is zeros' : `rows 0..${n - m - 1} are zeros`;
      cases.push({ name: `random, n > m (${shape(n, m, d, dv)}: ${zeroRows})`, args: random(n, m, d, dv) });
    }
    cases.push({ name: 'one query, one key (the output is v)', args: random(1, 1, 3, 2) });
    cases.push({ name: `random, n = m, a wide head (${shape(8, 8, 32, 8)})`, args: random(8, 8, 32, 8) });
    cases.push({ name: 'large scores (±1000 after scaling; the masked key scores highest)', args: [largeScoreQ, largeK, largeScoreV] });
    return cases;
  },
  reference: ({ tf }: ReferenceContext, q, k, v) => causalSteps(tf, q, k, v).output,
  trace: ({ tf }: ReferenceContext, q, k, v) => causalSteps(tf, q, k, v).steps,
  properties: [
    {
      name: 'with n = m, the first query sees only the first key: its output is v[0]',
      cases: (rng) => [{ name: shapeLabel(4, 4, 3, 2), calls: [randomQKV(rng, 4, 4, 3, 2)] }],
      holds: (outputs, calls) => {
        const odd = wrongKind('causalAttention', 'a matrix', outputs, isMatrix);
        if (odd) return odd;
        const difference = firstRowDifference(outputs[0], calls[0][2]);
        if (!difference) return undefined;
        return `${difference} With as many queries as keys, query 0 is at position 0 and may see key 0 alone: its one weight is 1, so its output is exactly v[0].`;
      },
    },
    {
      name: 'adding a token at the end leaves the earlier outputs unchanged',
      cases: (rng) => [oneMoreToken(rng, 3, 3, 4, 2), oneMoreToken(rng, 2, 4, 4, 3)],
      holds: matricesAgree<Args>(
        'causalAttention',
        ([before, after]) => [before, after.slice(0, before.length)],
        (difference) =>
          `Adding one query, key and value at the end changed the outputs of the earlier queries (your outputs before, and the same rows after: ${difference}). ` +
          'A causal query sees only keys at or before its own position, so a later token must not change what it outputs.',
      ),
    },
  ],
  misconceptions: [
    {
      id: 'diagonal-excluded',
      title: { en: 'a query does not see its own position (< where <= belongs)', 'zh-CN': '查询看不到自己的位置（该用 <= 的地方用了 <）' },
      message: {
        en:
          'Your mask hides the key at the query\'s own position. Causal means "no key from the future": the present token is visible. ' +
          'With a strict < the first query of a prompt sees no key at all (a NaN or zero row). ' +
          'The rule is j <= m − n + i: <=, and the m − n offset that puts the n queries at the end of the m positions (plain j < i also gets that offset wrong when n ≠ m).',
        'zh-CN':
          '你的掩码遮住了查询自身位置上的键。因果的意思是「不看未来的键」：当前 token 是可见的。' +
          '用严格的 < 时，提示词的第一个查询看不到任何键（得到 NaN 或全零行）。' +
          '规则是 j <= m − n + i：用 <=，并加上 m − n 这个偏移，把 n 个查询放在 m 个位置的末尾（当 n ≠ m 时，简单的 j < i 连这个偏移也弄错了）。',
      },
      // Learners write it as j < m − n + i or as plain j < i; the two agree when n = m.
      hint: {
        en: 'Can a token see itself? Look at your comparison between the key index and the query position: is the key at the query\'s own position kept?',
        'zh-CN': '一个 token 能看到自己吗？检查你对键下标和查询位置的比较：查询自身位置上的键被保留了吗？',
      },
      wrong: (_ctx, q, k, v) => eachEmptyRow(q, k, v, [bottomRightStrict, topLeftStrict], allEmptyRows),
    },
    {
      id: 'top-left-alignment',
      title: { en: 'mask aligned top-left (j <= i) instead of bottom-right', 'zh-CN': '掩码按左上对齐（j <= i），而不是右下对齐' },
      message: {
        en:
          'Your query i sees keys j <= i, as if the queries were the first n positions. With a KV cache the queries are the last n positions: ' +
          'query i is at absolute position m − n + i and sees keys j <= m − n + i. The two rules agree only when n = m. ' +
          'When n > m, the first n − m queries see no key and output zeros.',
        'zh-CN':
          '你的查询 i 看到的是 j <= i 的键，就好像查询是前 n 个位置。有 KV 缓存时，查询是最后 n 个位置：' +
          '查询 i 位于绝对位置 m − n + i，能看到 j <= m − n + i 的键。两条规则只在 n = m 时一致。' +
          '当 n > m 时，前 n − m 个查询看不到任何键，输出全零。',
      },
      hint: {
        en: 'Draw the grid for n = 2 queries and m = 5 keys: the queries are the two newest tokens, so the last query must see every key. Where does query i sit among the m positions?',
        'zh-CN': '画出 n = 2 个查询、m = 5 个键的网格：查询是最新的两个 token，所以最后一个查询必须看到所有键。查询 i 在 m 个位置中处于哪里？',
      },
      wrong: (_ctx, q, k, v) => maskedAttention(q, k, v, topLeft, 'zeros'),
    },
    {
      id: 'mask-after-softmax',
      title: { en: 'masked after the softmax, without renormalising', 'zh-CN': '在 softmax 之后加掩码，且没有重新归一化' },
      message: {
        en:
          'You take the softmax over every key and then set the future keys\' weights to 0, so the remaining weights no longer add up to 1 ' +
          '(and the future keys still took part in the normalisation). Mask the scores before the softmax (−Infinity, or skip those keys), ' +
          'so the softmax runs over the visible keys only.',
        'zh-CN':
          '你先对所有键做 softmax，再把未来键的权重置为 0，于是剩下的权重之和不再是 1' +
          '（而且未来的键仍参与了归一化）。应当在 softmax 之前对分数加掩码（设为 −Infinity，或跳过这些键），' +
          '让 softmax 只在可见的键上进行。',
      },
      hint: {
        en: 'Add up the weights of a query after your mask: they no longer sum to 1. Hide the future keys before the softmax instead of after it.',
        'zh-CN': '把一个查询加掩码后的权重加起来：和已经不是 1 了。在 softmax 之前而不是之后遮住未来的键。',
      },
      wrong: (_ctx, q, k, v) => {
        const n = q.length;
        const m = k.length;
        const p = scores(q, k, 1 / Math.sqrt(q[0].length)).map((row, i) => softmaxRow(row).map((w, j) => (bottomRight(i, j, n, m) ? w : 0)));
        return mix(p, v);
      },
    },
    {
      id: 'fully-masked-row-not-zero',
      title: { en: 'a query that sees no key does not output zeros', 'zh-CN': '看不到任何键的查询没有输出全零' },
      message: {
        en:
          'When n > m the first n − m queries see no key. With −Infinity scores and no guard their softmax is 0/0 = NaN; with a finite fill such as −1e9 ' +
          'you get the mean of v (or, if you add −1e9, the unmasked row). By the convention here (FlashAttention\'s) such a row is all zeros: ' +
          'check whether the query sees any key (m − n + i >= 0) before the softmax.',
        'zh-CN':
          '当 n > m 时，前 n − m 个查询看不到任何键。用 −Infinity 分数又不加保护时，它们的 softmax 是 0/0 = NaN；用 −1e9 这类有限值填充时，' +
          '会得到 v 的均值（如果是加上 −1e9，则得到无掩码的那一行）。按这里的约定（FlashAttention 的约定），这样的行为全零：' +
          '在 softmax 之前检查该查询是否能看到任何键（m − n + i >= 0）。',
      },
      hint: {
        en: 'Take n > m and follow the first query: it sees no key at all. What does the lesson say such a row returns, and where in your code would you check for it?',
        'zh-CN': '取 n > m，跟踪第一个查询：它看不到任何键。课程里说这样的行该返回什么？你的代码应该在哪里检查这种情况？',
      },
      wrong: (_ctx, q, k, v) => eachEmptyRow(q, k, v, bottomRight, ['nan', 'mean', 'unmasked']),
    },
    {
      id: 'masked-scores-zeroed',
      title: { en: 'masked scores set to 0 instead of −Infinity', 'zh-CN': '被遮住的分数设成了 0，而不是 −Infinity' },
      message: {
        en:
          'You multiply the scores by the 0/1 mask (or set masked scores to 0). A score of 0 is not "excluded": exp(0 − max) is still positive, ' +
          'so future keys keep some weight. Masked scores must be −Infinity (weight exactly 0), or those keys left out of the softmax.',
        'zh-CN':
          '你用 0/1 掩码去乘分数（或把被遮住的分数设为 0）。分数为 0 并不等于「被排除」：exp(0 − max) 仍然是正数，' +
          '所以未来的键仍保留了一些权重。被遮住的分数必须是 −Infinity（权重恰好为 0），或者把这些键排除在 softmax 之外。',
      },
      hint: {
        en: 'What is exp(0)? A hidden key needs a weight of exactly 0 after the softmax, so ask which score gives that.',
        'zh-CN': 'exp(0) 等于多少？被遮住的键在 softmax 之后需要权重恰好为 0，想一想什么样的分数能做到。',
      },
      wrong: (_ctx, q, k, v) => {
        const n = q.length;
        const m = k.length;
        const p = scores(q, k, 1 / Math.sqrt(q[0].length)).map((row, i) => softmaxRow(row.map((s, j) => (bottomRight(i, j, n, m) ? s : 0))));
        return mix(p, v);
      },
    },
    {
      id: 'mask-missing',
      title: { en: 'no mask at all', 'zh-CN': '完全没有掩码' },
      message: {
        en: 'Your output is plain attention: every query sees every key, including future ones. Before the softmax, hide key j from query i whenever j > m − n + i.',
        'zh-CN': '你的输出是普通注意力：每个查询都看到所有键，包括未来的键。在 softmax 之前，只要 j > m − n + i，就对查询 i 遮住键 j。',
      },
      hint: {
        en: 'Your queries still see keys from their future. Which keys may query i see, given that it sits at position m − n + i?',
        'zh-CN': '你的查询仍能看到它们未来的键。查询 i 位于位置 m − n + i，它可以看到哪些键？',
      },
      wrong: (_ctx, q, k, v) => mix(scores(q, k, 1 / Math.sqrt(q[0].length)).map((row) => softmaxRow(row)), v),
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
      wrong: (_ctx, q, k, v) => eachEmptyRow(q, k, v, bottomRight, allEmptyRows, { scale: 1 }),
    },
    {
      id: 'no-max-subtraction',
      title: { en: 'softmax without subtracting the max', 'zh-CN': 'softmax 没有减去最大值' },
      message: {
        en:
          'Your mask is right, but with scores near 1000 Math.exp overflows to Infinity (near −1000 it underflows to 0), giving NaN. ' +
          'Subtract the largest visible score of the row before exponentiating. ' +
          '(If the rows that see no key also come out NaN, that is the 0/0 of an empty sum: give them zeros.)',
        'zh-CN':
          '你的掩码是对的，但分数接近 1000 时 Math.exp 上溢为 Infinity（接近 −1000 时下溢为 0），结果是 NaN。' +
          '在取指数之前，先减去该行可见分数中的最大值。' +
          '（如果看不到任何键的行也得到 NaN，那是空求和的 0/0：让它们输出全零。）',
      },
      hint: {
        en: 'Try scores near 1000: Math.exp overflows. Shift the visible scores of each row by the same constant before exponentiating.',
        'zh-CN': '试试接近 1000 的分数：Math.exp 会上溢。在取指数之前，把每一行的可见分数都减去同一个常数。',
      },
      wrong: (_ctx, q, k, v) => eachEmptyRow(q, k, v, bottomRight, ['zeros', 'nan'], { naive: true }),
    },
  ],
  hints: [
    {
      en: 'Draw the visibility grid for n = 2 queries and m = 5 keys. The queries are the two newest tokens: which absolute positions are they at, and which keys can each one see?',
      'zh-CN': '画出 n = 2 个查询、m = 5 个键的可见性网格。查询是最新的两个 token：它们位于哪些绝对位置？每个查询能看到哪些键？',
    },
    {
      en: 'Query i sits at position m − n + i. Compute its scores (q[i]·k[j]) / √d only for j <= m − n + i (or set the others to −Infinity), softmax those, and mix the rows of v.',
      'zh-CN': '查询 i 位于位置 m − n + i。只对 j <= m − n + i 计算它的分数 (q[i]·k[j]) / √d（或把其余的设为 −Infinity），对这些分数做 softmax，再用权重混合 v 的各行。',
    },
    {
      en: 'If m − n + i < 0 the query sees nothing: return a row of dv zeros for it instead of running the softmax (which would give 0/0 = NaN).',
      'zh-CN': '如果 m − n + i < 0，该查询什么也看不到：直接为它返回 dv 个零组成的行，而不是去算 softmax（那会得到 0/0 = NaN）。',
    },
  ],
});
