import { anyOf, defineExercise, describeType, type ReferenceContext } from 'llm-tutor/pack';

type Args = [heads: number, n: number];
type Bias = number[][][];

/** 2^(−8h/H) for h = 1 … H: the slopes of H heads when H is a power of two. */
const powerOfTwoSlopes = (heads: number) => Array.from({ length: heads }, (_, h) => 2 ** ((-8 * (h + 1)) / heads));

/**
 * The paper's get_slopes: for a power of two, 2^(−8h/H); otherwise the slopes of
 * the closest smaller power of two c, then every other slope of 2c (the 1st,
 * 3rd, …) for the remaining H − c heads.
 */
function alibiSlopes(heads: number): number[] {
  const c = 2 ** Math.floor(Math.log2(heads));
  if (c === heads) return powerOfTwoSlopes(heads);
  const interleaved = alibiSlopes(2 * c).filter((_, k) => k % 2 === 0);
  return [...powerOfTwoSlopes(c), ...interleaved.slice(0, heads - c)];
}

/** distance(i, j) for every query row i and key column j of an n-token sequence, as an [n][n] table. */
const table = (n: number, distance: (i: number, j: number) => number) =>
  Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => distance(i, j)));

/** One [n][n] matrix per slope: slope·f(i, j) where j ≤ i, and `above` (−Infinity unless a mistake says otherwise) where j > i. */
function biasPerHead(slopes: number[], n: number, f: (i: number, j: number) => number, above?: (i: number, j: number) => number): Bias {
  return slopes.map((m) => table(n, (i, j) => (j <= i ? m * f(i, j) : above ? m * above(i, j) : -Infinity)));
}

const paperBias = (i: number, j: number) => -(i - j);

export default defineExercise<Args, Bias>({
  entry: 'alibiBias',
  signature: 'alibiBias(heads: number, n: number): Matrix[]',
  cases: (rng) => {
    const [h, n] = [rng.pick([2, 4, 16]), rng.int(3, 9)];
    const [odd, m] = [rng.pick([3, 5, 7, 12, 20]), rng.int(2, 6)];
    return [
      { name: 'the lesson example (heads=4, n=4)', args: [4, 4] },
      { name: "the paper's 8 heads, slopes 1/2 … 1/256 (n=5)", args: [8, 5] },
      { name: `random (heads=${h}, n=${n})`, args: [h, n] },
      // One head has the slope 2^(−8) = 1/256 = 0.00390625 (the paper's formula with h = H = 1).
      {
        name: 'one head (heads=1, n=3): slope 1/256',
        args: [1, 3],
        expected: [
          [
            [0, -Infinity, -Infinity],
            [-0.00390625, 0, -Infinity],
            [-0.0078125, -0.00390625, 0],
          ],
        ],
      },
      { name: 'heads=6, not a power of two: slopes 1/4, 1/16, 1/64, 1/256, 1/2, 1/8 (n=4)', args: [6, 4] },
      { name: `random, not a power of two (heads=${odd}, n=${m})`, args: [odd, m] },
      { name: 'one token (heads=4, n=1): [[0]] for every head', args: [4, 1] },
      { name: 'a longer sequence (heads=2, n=40)', args: [2, 40] },
    ];
  },
  reference: ({ tf }: ReferenceContext, heads, n) =>
    tf.tidy(() => {
      const slopes = tf.tensor3d(alibiSlopes(heads), [heads, 1, 1]);
      // j − i as [1, n, n]: −(i − j), the paper's bias before its slope.
      const keyMinusQuery = tf.sub(tf.reshape(tf.range(0, n), [1, 1, n]), tf.reshape(tf.range(0, n), [1, n, 1]));
      const causal = tf.broadcastTo(tf.cast(tf.linalg.bandPart(tf.ones([n, n]), -1, 0), 'bool'), [heads, n, n]);
      return tf.where(causal, tf.mul(slopes, keyMinusQuery), tf.fill([heads, n, n], -Infinity));
    }),
  trace: (_ctx, heads, n) => ({ slopes: alibiSlopes(heads), distances: table(n, (i, j) => i - j) }),
  properties: [
    {
      name: 'alibiBias(H, n) is the top-left corner of alibiBias(H, N)',
      cases: (rng) => [cornerCase(4, rng.int(2, 5), rng.int(6, 12)), cornerCase(rng.pick([2, 8]), 3, 20)],
      holds: ([short, long], [[heads, n], [, total]]) =>
        checkShapes([short, long], [[heads, n], [heads, total]]) ??
        firstDifference(
          { bias: short, name: `alibiBias(${heads}, ${n})` },
          { bias: long, name: `alibiBias(${heads}, ${total})` },
          'A longer sequence only adds rows and columns: the bias between a query and a key depends on their distance alone, not on n.',
        ),
    },
    {
      name: 'each diagonal is constant: bias[h][i][j] = bias[h][i+1][j+1]',
      cases: (rng) => [diagonalCase(4, 6), diagonalCase(6, 5), diagonalCase(8, rng.int(3, 8))],
      holds: ([bias], [[heads, n]]) =>
        checkShapes([bias], [[heads, n]]) ??
        firstDifference(
          { bias: bias.map((head) => head.slice(0, n - 1).map((row) => row.slice(0, n - 1))), name: `alibiBias(${heads}, ${n})` },
          { bias, name: `alibiBias(${heads}, ${n})`, index: (h, i, j) => [h, i + 1, j + 1] },
          'Only the distance i − j counts, so one step down and one step right along a diagonal changes nothing.',
        ),
    },
    {
      name: 'head h of H heads is head 2h of 2H heads',
      cases: (rng) => [doublingCase(4, 5), doublingCase(rng.pick([1, 2, 8]), rng.int(3, 6))],
      holds: ([few, many], [[heads, n], [doubled]]) =>
        checkShapes([few, many], [[heads, n], [doubled, n]]) ??
        firstDifference(
          { bias: few, name: `alibiBias(${heads}, ${n})` },
          { bias: many, name: `alibiBias(${doubled}, ${n})`, index: (h, i, j) => [2 * h + 1, i, j] },
          `With H a power of two, 2^(−8h/H) = 2^(−8·2h/2H): doubling the heads puts a new slope between every two old ones, and the old slopes stay (head h, 1-based, becomes head 2h).`,
        ),
    },
  ],
  misconceptions: [
    {
      id: 'heads-from-zero',
      title: { en: 'heads counted from 0, so the first slope is 1', 'zh-CN': '头从 0 开始计数，导致第一个斜率为 1' },
      message: {
        en:
          'Your first head has slope 1 = 2^0: you used h = 0 … H − 1 in 2^(−8h/H). The paper counts heads from 1, so the slopes are 2^(−8/H), 2^(−16/H), … 2^(−8): ' +
          'for 4 heads 1/4, 1/16, 1/64, 1/256, not 1, 1/4, 1/16, 1/64. Every head then penalises distance 4 times too much.',
        'zh-CN':
          '你的第一个头斜率为 1 = 2^0：你在 2^(−8h/H) 中用了 h = 0 … H − 1。论文从 1 开始给头计数，所以斜率是 2^(−8/H), 2^(−16/H), … 2^(−8)：' +
          '4 个头时为 1/4, 1/16, 1/64, 1/256，而不是 1, 1/4, 1/16, 1/64。这样每个头对距离的惩罚都大了 4 倍。',
      },
      hint: {
        en: 'For 4 heads the first slope is 1/4 and the last 1/256. Print your slopes: what is h for the first head?',
        'zh-CN': '4 个头时，第一个斜率是 1/4，最后一个是 1/256。把你的斜率打印出来：第一个头的 h 是多少？',
      },
      wrong: (_ctx, heads, n) => biasPerHead(Array.from({ length: heads }, (_, h) => 2 ** ((-8 * h) / heads)), n, paperBias),
    },
    {
      id: 'positive-bias',
      title: { en: 'the bias with the wrong sign: +m·(i − j), or −m·(j − i)', 'zh-CN': '偏置符号反了：+m·(i − j)，或 −m·(j − i)' },
      message: {
        en:
          'Your bias grows with the distance: +m·(i − j) (the same as −m·(j − i)). ALiBi is a penalty: a key further back gets a lower score, −m·(i − j) ≤ 0. ' +
          'With your sign every head prefers the most distant token. In the lesson, head 1 puts −0.75 on the first key of row 3, not +0.75.',
        'zh-CN':
          '你的偏置随距离增大：+m·(i − j)（与 −m·(j − i) 相同）。ALiBi 是惩罚：越靠前的键分数越低，−m·(i − j) ≤ 0。' +
          '按你的符号，每个头都会偏爱最远的 token。在课程中，头 1 在第 3 行的第一个键上放的是 −0.75，而不是 +0.75。',
      },
      hint: {
        en: 'Row 3 of the lesson example starts with −0.75: a far key must lose score. Check the sign and which index comes first in the distance.',
        'zh-CN': '课程示例的第 3 行以 −0.75 开头：远处的键必须被扣分。检查符号，以及距离中哪个下标在前。',
      },
      wrong: (_ctx, heads, n) => biasPerHead(alibiSlopes(heads), n, (i, j) => i - j),
    },
    {
      id: 'no-causal-mask',
      title: { en: 'no causal mask above the diagonal', 'zh-CN': '对角线上方没有因果掩码' },
      message: {
        en:
          'Your matrix has finite values above the diagonal (j > i), where a query would see future keys. ALiBi here is the bias of causal attention: ' +
          'the paper adds it to the future mask, so every entry with j > i is −Infinity. −m·(i − j) there would even reward the future, and −m·|i − j| is the bidirectional variant, not this one.',
        'zh-CN':
          '你的矩阵在对角线上方（j > i）有有限值，而那里的查询会看到未来的键。这里的 ALiBi 是因果注意力的偏置：论文把它加到未来掩码上，所以 j > i 的每个元素都是 −Infinity。' +
          '在那里用 −m·(i − j) 甚至会奖励未来，而 −m·|i − j| 是双向变体，不是这里要的版本。',
      },
      hint: {
        en: 'What should a query at position 1 see of the key at position 2? Look at the entries above your diagonal.',
        'zh-CN': '位置 1 的查询应该看到位置 2 的键的什么？看看你对角线上方的元素。',
      },
      wrong: (_ctx, heads, n) => anyOf(biasPerHead(alibiSlopes(heads), n, paperBias, paperBias), biasPerHead(alibiSlopes(heads), n, paperBias, (i, j) => -Math.abs(i - j))),
    },
    {
      id: 'one-slope',
      title: { en: 'one slope for all heads', 'zh-CN': '所有头共用一个斜率' },
      message: {
        en:
          'All your heads carry the same bias, with the first slope 2^(−8/H). The point of ALiBi is a different slope per head, a geometric sequence 2^(−8h/H), h = 1 … H: ' +
          'steep heads look at the last few tokens, gentle ones (down to 1/256) see far back. For 4 heads: 1/4, 1/16, 1/64, 1/256.',
        'zh-CN':
          '你所有的头都带着同样的偏置，斜率都是第一个斜率 2^(−8/H)。ALiBi 的关键在于每个头的斜率不同，构成等比数列 2^(−8h/H)，h = 1 … H：' +
          '陡峭的头只看最近的几个 token，平缓的头（最小到 1/256）能看得很远。4 个头时：1/4, 1/16, 1/64, 1/256。',
      },
      hint: { en: 'Compare your head 1 with your head 4: in the lesson they differ by a factor of 64.', 'zh-CN': '比较你的头 1 和头 4：在课程中它们相差 64 倍。' },
      wrong: (_ctx, heads, n) => biasPerHead(Array.from({ length: heads }, () => 2 ** (-8 / heads)), n, paperBias),
    },
    {
      id: 'eight-head-slopes',
      title: { en: 'the slopes 1/2, 1/4, … of 8 heads for any number of heads', 'zh-CN': '不论头数多少都用 8 个头的斜率 1/2, 1/4, …' },
      message: {
        en:
          'Your slopes are 2^(−h): 1/2, 1/4, 1/8 … whatever the number of heads. That is the sequence of 8 heads only. The exponent is −8h/H, so the slopes always run from 2^(−8/H) down to 2^(−8) = 1/256: ' +
          'for 4 heads 1/4, 1/16, 1/64, 1/256; for 16 heads 1/√2, 1/2, … 1/256.',
        'zh-CN':
          '你的斜率是 2^(−h)：1/2, 1/4, 1/8 …，与头数无关。那只是 8 个头时的数列。指数是 −8h/H，所以斜率总是从 2^(−8/H) 一直降到 2^(−8) = 1/256：' +
          '4 个头时为 1/4, 1/16, 1/64, 1/256；16 个头时为 1/√2, 1/2, … 1/256。',
      },
      hint: { en: 'Whatever H is, the last head has slope 1/256. Is that true of yours with 4 heads?', 'zh-CN': '不论 H 是多少，最后一个头的斜率都是 1/256。你的实现在 4 个头时是这样吗？' },
      wrong: (_ctx, heads, n) => biasPerHead(Array.from({ length: heads }, (_, h) => 2 ** -(h + 1)), n, paperBias),
    },
    {
      id: 'formula-for-any-heads',
      title: { en: '2^(−8h/H) used when H is not a power of two', 'zh-CN': 'H 不是 2 的幂时仍用 2^(−8h/H)' },
      message: {
        en:
          'For H not a power of two your slopes are 2^(−8h/H), a smooth sequence. The paper\'s get_slopes (and BLOOM\'s build_alibi_tensor) do something else: ' +
          'the slopes of the closest smaller power of two c, then every other slope of 2c for the H − c remaining heads. For 6 heads: 1/4, 1/16, 1/64, 1/256, then 1/2, 1/8.',
        'zh-CN':
          '当 H 不是 2 的幂时，你的斜率是 2^(−8h/H)，一个平滑的数列。论文的 get_slopes（以及 BLOOM 的 build_alibi_tensor）的做法不同：' +
          '先取最接近的较小的 2 的幂 c 对应的斜率，剩下的 H − c 个头再隔一个取一个地使用 2c 个头的斜率。6 个头时：1/4, 1/16, 1/64, 1/256，然后是 1/2, 1/8。',
      },
      hint: {
        en: 'For 6 heads the slopes are those of 4 heads, then the 1st and 3rd of 8 heads. Does your code treat H = 6 apart from H = 4 or 8?',
        'zh-CN': '6 个头的斜率是 4 个头的斜率，再加上 8 个头斜率中的第 1 个和第 3 个。你的代码有没有把 H = 6 与 H = 4 或 8 区别对待？',
      },
      wrong: (_ctx, heads, n) => biasPerHead(powerOfTwoSlopes(heads), n, paperBias),
    },
    {
      id: 'key-position-only',
      title: { en: 'm·j (the key position) instead of −m·(i − j)', 'zh-CN': '用了 m·j（键的位置），而不是 −m·(i − j)' },
      message: {
        en:
          'Your bias depends only on the key: m·j (or m·(j − (n − 1)), as MPT writes it). That is the shortcut of the paper\'s code and of BLOOM: on row i it differs from −m·(i − j) by the constant m·i, ' +
          'which a softmax over the row ignores. But the bias matrix itself is −m·(i − j): 0 on the diagonal, −m at distance 1, as in the lesson\'s table.',
        'zh-CN':
          '你的偏置只依赖于键：m·j（或 MPT 写法中的 m·(j − (n − 1))）。这是论文代码和 BLOOM 的捷径：在第 i 行上，它与 −m·(i − j) 相差常数 m·i，而对整行做 softmax 会忽略这个常数。' +
          '但偏置矩阵本身是 −m·(i − j)：对角线为 0，距离 1 处为 −m，如课程中的表格所示。',
      },
      hint: {
        en: 'The diagonal of the bias is 0 on every row: a query at its own position gets no penalty. Is yours?',
        'zh-CN': '偏置的对角线在每一行都是 0：查询在自己的位置上不受惩罚。你的是这样吗？',
      },
      wrong: (_ctx, heads, n) =>
        anyOf(
          biasPerHead(alibiSlopes(heads), n, (_i, j) => j),
          biasPerHead(alibiSlopes(heads), n, (_i, j) => j - (n - 1)),
        ),
    },
  ],
  hints: [
    {
      en: 'Two parts: a slope per head, m_h = 2^(−8h/H) with h counted from 1 (when H is not a power of two, see the lesson), then per head a matrix whose entry (i, j) depends on the distance i − j.',
      'zh-CN': '分两部分：先算每个头的斜率 m_h = 2^(−8h/H)，h 从 1 开始计数（H 不是 2 的幂时见课程），然后为每个头构造一个矩阵，其 (i, j) 元素取决于距离 i − j。',
    },
    {
      en: 'Entry (i, j) of head h is −m_h·(i − j) when the key is not after the query (j ≤ i), and −Infinity when it is (j > i). The diagonal is 0.',
      'zh-CN': '头 h 的 (i, j) 元素：当键不在查询之后（j ≤ i）时为 −m_h·(i − j)，在查询之后（j > i）时为 −Infinity。对角线为 0。',
    },
    {
      en: 'For H not a power of two, take c = the largest power of two ≤ H: the first c slopes are those of c heads, and the other H − c are the 1st, 3rd, 5th … slopes of 2c heads.',
      'zh-CN': '当 H 不是 2 的幂时，取 c = 不超过 H 的最大的 2 的幂：前 c 个斜率是 c 个头时的斜率，其余 H − c 个是 2c 个头时的第 1、3、5 … 个斜率。',
    },
  ],
});

/** The property case "f(H, n) is the corner of f(H, N)". */
function cornerCase(heads: number, n: number, total: number) {
  return { name: `heads=${heads}, n=${n} inside N=${total}`, calls: [[heads, n], [heads, total]] as Args[] };
}

/** The property case "each diagonal is constant". */
function diagonalCase(heads: number, n: number) {
  return { name: `heads=${heads}, n=${n}`, calls: [[heads, n]] as Args[] };
}

/** The property case "head h of H is head 2h of 2H". */
function doublingCase(heads: number, n: number) {
  return { name: `heads=${heads} and ${2 * heads}, n=${n}`, calls: [[heads, n], [2 * heads, n]] as Args[] };
}

/** Undefined when every output is an [H][n][n] array of numbers, as its call asks; else what is wrong. */
function checkShapes(outputs: unknown[], shapes: [heads: number, n: number][]): string | undefined {
  for (const [k, out] of outputs.entries()) {
    const [heads, n] = shapes[k];
    const ok =
      Array.isArray(out) &&
      out.length === heads &&
      out.every((head) => Array.isArray(head) && head.length === n && head.every((row) => Array.isArray(row) && row.length === n && row.every((x) => typeof x === 'number')));
    if (!ok) return `alibiBias(${heads}, ${n}) must return ${heads} matrices of ${n}×${n} numbers; it returned ${describeType(out)}.`;
  }
  return undefined;
}

const same = (a: number, b: number) => a === b || Math.abs(a - b) <= 1e-9 * (1 + Math.abs(b));

/** An output of alibiBias and the call that gave it, to name its entries: `alibiBias(4, 6)`. */
interface Named {
  name: string;
  bias: Bias;
}

type Index = [h: number, i: number, j: number];

/**
 * Undefined when every entry of `mine` equals the entry of `theirs` at `index(h, i, j)`
 * (the same place unless given); else the first that does not, said to the learner.
 */
function firstDifference(mine: Named, theirs: Named & { index?: (...at: Index) => Index }, why: string): string | undefined {
  const index = theirs.index ?? ((...at: Index) => at);
  for (const [h, head] of mine.bias.entries()) {
    for (const [i, row] of head.entries()) {
      for (const [j, x] of row.entries()) {
        const [h2, i2, j2] = index(h, i, j);
        const y = theirs.bias[h2][i2][j2];
        if (!same(x, y)) return `${mine.name}[${h}][${i}][${j}] = ${x} but ${theirs.name}[${h2}][${i2}][${j2}] = ${y}. ${why}`;
      }
    }
  }
  return undefined;
}
