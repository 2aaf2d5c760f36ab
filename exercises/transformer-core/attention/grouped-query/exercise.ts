import { anyOf, defineExercise, randomMatrix, type ReferenceContext, type Rng, type Tf } from 'llm-tutor/pack';
import { isMatrix, matrixDifference, wrongKind } from '../../properties.js';
import { attend, causalBottomRight, causalTopLeft, everyKey, type Visibility } from '../attention-variants.js';

type Args = [q: number[][][], k: number[][][], v: number[][][]];

/** Grouped-query attention in float64; `kvHead(h, H, Hkv)` says which key/value head query head h reads. */
function grouped(q: number[][][], k: number[][][], v: number[][][], kvHead: (h: number, H: number, Hkv: number) => number, opts: { sees?: Visibility; scale?: number } = {}): number[][][] {
  return q.map((qh, h) => {
    const g = kvHead(h, q.length, k.length);
    // A head index past the end is what the learner's code would trip over: k[g] is undefined.
    if (!k[g]) throw new RangeError(`not applicable: KV head ${g} does not exist, and the learner's code throws here too`);
    return attend(qh, k[g], v[g], opts.sees ?? causalBottomRight, { scale: opts.scale });
  });
}

/** Query head h reads key/value head ⌊h / (H / H_kv)⌋: consecutive query heads share one (repeat_interleave). */
const byGroup = (h: number, H: number, Hkv: number) => Math.floor(h / (H / Hkv));

/**
 * ⌊h / group⌋ with Math.round in place of the floor. The last query head then asks for KV
 * head H_kv, one past the end, whenever group ≥ 2: plain code throws there, so a learner
 * whose code returns at all has pulled that index back into range, by a clamp or a wrap-around.
 */
const roundedGroup = (inRange: (g: number, Hkv: number) => number) => (h: number, H: number, Hkv: number) => inRange(Math.round(h / (H / Hkv)), Hkv);

/** The lesson example: 4 query heads, 2 KV heads, T = 2, d = 2. */
const lessonQ = [
  [
    [1, 0],
    [0, 1],
  ],
  [
    [0, 1],
    [1, 1],
  ],
  [
    [2, 0],
    [0, 2],
  ],
  [
    [1, 1],
    [2, 0],
  ],
];
const lessonK = [
  [
    [1, 0],
    [0, 1],
  ],
  [
    [1, 1],
    [0, 2],
  ],
];
const lessonV = [
  [
    [1, 0],
    [0, 1],
  ],
  [
    [2, 2],
    [0, -2],
  ],
];

/**
 * Grouped-query attention in tfjs, step by step: the KV head each query head
 * reads, the scores [H, n, m] and the weights (the steps a trace shows), and the output.
 */
function groupedSteps(tf: Tf, q: number[][][], k: number[][][], v: number[][][]) {
  const H = q.length;
  const Hkv = k.length;
  const n = q[0].length;
  const m = k[0].length;
  // repeat_interleave: KV head g serves query heads g·(H/Hkv) … (g+1)·(H/Hkv) − 1.
  const kvHead = q.map((_, h) => byGroup(h, H, Hkv));
  const group = tf.tensor1d(kvHead, 'int32');
  const Q = tf.tensor3d(q);
  const K = tf.gather(tf.tensor3d(k), group);
  const V = tf.gather(tf.tensor3d(v), group);
  const scores = tf.div(tf.matMul(Q, K, false, true), Math.sqrt(q[0][0].length));
  // Causal, bottom-right: query i is at position m − n + i and sees keys j <= m − n + i.
  const position = tf.reshape(tf.add(tf.range(0, n, 1, 'int32'), tf.scalar(m - n, 'int32')), [1, n, 1]);
  const keyIndex = tf.reshape(tf.range(0, m, 1, 'int32'), [1, 1, m]);
  const visible = tf.lessEqual(tf.tile(keyIndex, [H, n, 1]), tf.tile(position, [H, 1, m]));
  // A query that sees no key (more queries than keys) gets a row of zeros, as in attention/causal-mask, not the NaN of an empty softmax.
  const seesSome = tf.any(visible, -1, true);
  const weights = tf.where(tf.tile(seesSome, [1, 1, m]), tf.softmax(tf.where(visible, scores, tf.fill([H, n, m], -Infinity))), tf.zeros([H, n, m]));
  return { steps: { kvHead, scores, weights }, output: tf.matMul(weights, V) };
}

const isHeads = (x: unknown): x is number[][][] => Array.isArray(x) && x.length > 0 && x.every(isMatrix);

/** A property's `holds` that first checks every output is a list of matrices, one per query head. */
function heads(check: (outputs: number[][][][], calls: Args[]) => string | undefined) {
  return (outputs: unknown[], calls: Args[]) => wrongKind('groupedQueryAttention', 'a list of matrices (one per query head)', outputs, isHeads) ?? check(outputs as number[][][][], calls);
}

/** The first head where two lists of heads differ, in words, or undefined when they agree. */
function headDifference(first: number[][][], second: number[][][]): string | undefined {
  if (first.length !== second.length) return `the numbers of heads differ: ${first.length} and ${second.length}`;
  const h = first.findIndex((head, i) => matrixDifference(head, second[i]) !== undefined);
  return h < 0 ? undefined : `head ${h}: ${matrixDifference(first[h], second[h])}`;
}

/** H query heads in groups of H / H_kv, every head of a group given the same q; random k and v. */
function sharedQueries(rng: Rng, H: number, Hkv: number, T: number, d: number) {
  const perGroup = Array.from({ length: Hkv }, () => randomMatrix(rng, T, d));
  const args: Args = [Array.from({ length: H }, (_, h) => perGroup[byGroup(h, H, Hkv)]), Array.from({ length: Hkv }, () => randomMatrix(rng, T, d)), Array.from({ length: Hkv }, () => randomMatrix(rng, T, d))];
  return { name: `${H} query heads, ${Hkv} KV heads, each group's heads given one q (T=${T}, d=${d})`, calls: [args] };
}

/** A random call, then the same with each KV head repeated in place for its group (H_kv = H). */
function repeatedKv(rng: Rng, H: number, Hkv: number, T: number, d: number) {
  const args: Args = [Array.from({ length: H }, () => randomMatrix(rng, T, d)), Array.from({ length: Hkv }, () => randomMatrix(rng, T, d)), Array.from({ length: Hkv }, () => randomMatrix(rng, T, d))];
  const repeat = (x: number[][][]) => args[0].map((_, h) => x[byGroup(h, H, Hkv)]);
  return { name: `${H} query heads, ${Hkv} KV heads (T=${T}, d=${d}), then the KV heads repeated to ${H}`, calls: [args, [args[0], repeat(args[1]), repeat(args[2])] as Args] };
}

export default defineExercise<Args, number[][][]>({
  entry: 'groupedQueryAttention',
  signature: 'groupedQueryAttention(q: Matrix[], k: Matrix[], v: Matrix[]): Matrix[]',
  cases: (rng: Rng) => {
    const heads = (count: number, rows: number, cols: number) => Array.from({ length: count }, () => randomMatrix(rng, rows, cols));
    /** H query heads of [n, d], Hkv key/value heads of [m, d] and [m, dv]. */
    const random = (H: number, Hkv: number, n: number, m: number, d: number, dv = d): Args => [heads(H, n, d), heads(Hkv, m, d), heads(Hkv, m, dv)];
    const cases: { name: string; args: Args }[] = [{ name: 'the lesson example (4 query heads, 2 KV heads, T=2, d=2)', args: [lessonQ, lessonK, lessonV] }];
    {
      const [T, d] = [rng.int(3, 6), rng.int(2, 6)];
      cases.push({ name: `6 query heads, 2 KV heads (groups of 3; T=${T}, d=${d})`, args: random(6, 2, T, T, d) });
    }
    {
      const [T, d] = [rng.int(3, 6), rng.int(2, 6)];
      cases.push({ name: `8 query heads, 4 KV heads (groups of 2; T=${T}, d=${d})`, args: random(8, 4, T, T, d) });
    }
    {
      const [T, d] = [rng.int(3, 6), rng.int(2, 6)];
      cases.push({ name: `6 query heads, 3 KV heads (groups of 2; T=${T}, d=${d})`, args: random(6, 3, T, T, d) });
    }
    cases.push({ name: 'a single token (T=1: each head outputs its KV head\'s v; 4 query heads, 2 KV heads)', args: random(4, 2, 1, 1, 3) });
    cases.push({ name: 'multi-query attention (4 query heads share 1 KV head; T=4, d=3)', args: random(4, 1, 4, 4, 3) });
    cases.push({ name: 'multi-head attention (3 query heads, 3 KV heads: head h reads KV head h; T=4, d=2)', args: random(3, 3, 4, 4, 2) });
    {
      const m = rng.int(4, 7);
      cases.push({ name: `a decode step with a cache (1 new query, ${m} keys; 4 query heads, 2 KV heads)`, args: random(4, 2, 1, m, 4) });
    }
    cases.push({ name: 'two new queries, 6 keys (bottom-right: they are positions 4 and 5; 6 query heads, 3 KV heads, dv=3)', args: random(6, 3, 2, 6, 4, 3) });
    cases.push({ name: 'more queries than keys (3 queries, 2 keys: the first query sees no key and outputs zeros; 4 query heads, 2 KV heads)', args: random(4, 2, 3, 2, 3) });
    return cases;
  },
  reference: ({ tf }: ReferenceContext, q, k, v) => groupedSteps(tf, q, k, v).output,
  trace: ({ tf }: ReferenceContext, q, k, v) => groupedSteps(tf, q, k, v).steps,
  properties: [
    {
      name: 'query heads of one group given the same q give the same output',
      cases: (rng) => [sharedQueries(rng, 4, 2, 3, 2), sharedQueries(rng, 6, 2, 4, 3)],
      holds: heads(([out], [[q, k]]) => {
        const group = q.length / k.length;
        const h = out.findIndex((head, i) => i % group !== 0 && matrixDifference(out[i - (i % group)], head) !== undefined);
        if (h < 0) return undefined;
        const first = h - (h % group);
        return (
          `Query heads ${first} and ${h} are in the same group of ${group} and were given the same q, but your outputs for them differ (${matrixDifference(out[first], out[h])}). ` +
          `Both read KV head ${first / group}, ⌊h / ${group}⌋, for its keys and its values alike, so the same query must give the same output.`
        );
      }),
    },
    {
      name: 'repeating each KV head for its group (H_kv = H) gives the same output',
      cases: (rng) => [repeatedKv(rng, 4, 2, 3, 2), repeatedKv(rng, 6, 3, 4, 3)],
      holds: heads(([grouped, repeated], calls) => {
        const difference = headDifference(grouped, repeated);
        if (!difference) return undefined;
        return (
          `Your output with ${calls[0][1].length} KV heads differs from your output with each KV head repeated in place to ${calls[0][0].length} (${difference}). ` +
          'This is how PyTorch implementations run GQA (repeat_kv, repeat_interleave on the head axis): after repeating, head h reads KV head h, which is KV head ⌊h / group⌋ before it. In the lesson example heads 0 and 1 read KV head 0, heads 2 and 3 KV head 1.'
        );
      }),
    },
  ],
  misconceptions: [
    {
      id: 'kv-head-modulo',
      title: { en: 'query head h reads KV head h mod H_kv instead of ⌊h / (H/H_kv)⌋', 'zh-CN': '查询头 h 读取 KV 头 h mod H_kv，而不是 ⌊h / (H/H_kv)⌋' },
      message: {
        en:
          'Your query heads cycle through the KV heads (0, 1, 0, 1, …), as tiling the KV heads would. In grouped-query attention CONSECUTIVE query heads share a KV head: ' +
          'with H = 6 and H_kv = 2, heads 0, 1, 2 read KV head 0 and heads 3, 4, 5 read KV head 1, i.e. ⌊h / (H/H_kv)⌋ (LLaMA\'s repeat_kv is a repeat_interleave). ' +
          'The two rules agree only when H_kv = 1 or H_kv = H.',
        'zh-CN':
          '你的查询头在 KV 头之间循环（0, 1, 0, 1, …），就像把 KV 头整体平铺那样。在分组查询注意力中，共享一个 KV 头的是「相邻的」查询头：' +
          'H = 6、H_kv = 2 时，头 0, 1, 2 读取 KV 头 0，头 3, 4, 5 读取 KV 头 1，即 ⌊h / (H/H_kv)⌋（LLaMA 的 repeat_kv 是 repeat_interleave）。' +
          '两种规则只在 H_kv = 1 或 H_kv = H 时一致。',
      },
      hint: {
        en: 'With 6 query heads and 2 KV heads, write down which KV head heads 0, 1 and 2 read. Consecutive query heads form a group.',
        'zh-CN': '有 6 个查询头和 2 个 KV 头时，写下头 0、1、2 各读取哪个 KV 头。相邻的查询头组成一组。',
      },
      wrong: (_ctx, q, k, v) => grouped(q, k, v, (h, _H, Hkv) => h % Hkv),
    },
    {
      id: 'kv-head-divided-by-kv-count',
      title: {
        en: 'query head h reads KV head ⌊h / H_kv⌋ (divided by the number of KV heads, not the group size)',
        'zh-CN': '查询头 h 读取 KV 头 ⌊h / H_kv⌋（除以了 KV 头的个数，而不是组大小）',
      },
      message: {
        en:
          'You divide the query head index by the number of KV heads. The divisor is the group size, H / H_kv: the number of query heads that share one KV head. ' +
          'With H = 8 and H_kv = 4 the groups have 2 heads, so head h reads KV head ⌊h / 2⌋, not ⌊h / 4⌋. (When H / H_kv is larger than H_kv, ⌊h / H_kv⌋ runs past the last KV head.)',
        'zh-CN':
          '你把查询头下标除以了 KV 头的个数。除数应当是组大小 H / H_kv，即共享一个 KV 头的查询头个数。' +
          'H = 8、H_kv = 4 时，每组有 2 个头，所以头 h 读取 KV 头 ⌊h / 2⌋，而不是 ⌊h / 4⌋。（当 H / H_kv 大于 H_kv 时，⌊h / H_kv⌋ 会越过最后一个 KV 头。）',
      },
      hint: {
        en: 'With 8 query heads and 4 KV heads, how many query heads share one KV head? That number is what to divide by.',
        'zh-CN': '有 8 个查询头和 4 个 KV 头时，几个查询头共享一个 KV 头？要除的就是这个数。',
      },
      wrong: (_ctx, q, k, v) => grouped(q, k, v, (h, _H, Hkv) => Math.floor(h / Hkv)),
    },
    {
      id: 'kv-head-rounded',
      title: { en: 'query head h reads KV head Math.round(h / (H/H_kv)) instead of the floor', 'zh-CN': '查询头 h 读取 KV 头 Math.round(h / (H/H_kv))，而不是向下取整' },
      message: {
        en:
          'Your query heads round h / group to the nearest KV head, so every head in the upper half of its group (h mod group ≥ group / 2) reads the next one: with H = 4 and H_kv = 2, head 1 reads KV head round(0.5) = 1 ' +
          '(its output [[2, 2], [1, 0]] instead of [[1, 0], [0.5, 0.5]]), and head 3 asks for KV head round(1.5) = 2, which does not exist. ' +
          'A group is consecutive query heads, whole: head h reads KV head ⌊h / (H/H_kv)⌋, rounded down.',
        'zh-CN':
          '你的查询头把 h / group 四舍五入到最近的 KV 头，于是每组后半部分的头（h mod group ≥ group / 2）都读取了下一个 KV 头：H = 4、H_kv = 2 时，头 1 读取 KV 头 round(0.5) = 1' +
          '（输出 [[2, 2], [1, 0]]，而不是 [[1, 0], [0.5, 0.5]]），头 3 则要求一个不存在的 KV 头 round(1.5) = 2。' +
          '一组是若干个相邻的、完整的查询头：头 h 读取 KV 头 ⌊h / (H/H_kv)⌋，向下取整。',
      },
      hint: {
        en: 'Heads 0 and 1 form the first group when H = 4 and H_kv = 2. What is 1 / 2 rounded to the nearest integer, and which KV head should head 1 read? Which KV head would head 3 ask for?',
        'zh-CN': 'H = 4、H_kv = 2 时，头 0 和 1 组成第一组。1 / 2 四舍五入到最近的整数是多少？头 1 应该读取哪个 KV 头？头 3 又会要求哪个 KV 头？',
      },
      wrong: (_ctx, q, k, v) =>
        anyOf(
          grouped(q, k, v, roundedGroup((g, Hkv) => Math.min(g, Hkv - 1))),
          grouped(q, k, v, roundedGroup((g, Hkv) => g % Hkv)),
        ),
    },
    {
      id: 'not-causal',
      title: { en: 'no causal mask', 'zh-CN': '没有因果掩码' },
      message: {
        en:
          'Your heads let each query see every key, including later ones. Every head is causal: query i is at position m − n + i and sees keys j <= m − n + i ' +
          '(j <= i when the queries and keys are the same T tokens).',
        'zh-CN':
          '你的每个头都让每个查询看到所有键，包括后面的键。每个头都是因果的：查询 i 位于位置 m − n + i，看到 j <= m − n + i 的键' +
          '（查询和键是同样 T 个 token 时，就是 j <= i）。',
      },
      hint: {
        en: 'Every head here is causal: may a query see a key that comes after it?',
        'zh-CN': '这里每个头都是因果的：一个查询能看到排在它后面的键吗？',
      },
      wrong: (_ctx, q, k, v) => grouped(q, k, v, byGroup, { sees: everyKey }),
    },
    {
      id: 'top-left-mask',
      title: { en: 'causal mask aligned top-left (j <= i) when there are fewer queries than keys', 'zh-CN': '查询少于键时，因果掩码按左上对齐（j <= i）' },
      message: {
        en:
          'With a cache there are fewer queries (n) than keys (m): the queries are the newest n positions, so query i sees keys j <= m − n + i, as in attention/causal-mask. ' +
          'Your mask uses j <= i, which lets a decode step\'s only query see just the first key.',
        'zh-CN':
          '有缓存时，查询（n 个）比键（m 个）少：查询是最新的 n 个位置，所以查询 i 看到 j <= m − n + i 的键，和 attention/causal-mask 一样。' +
          '你的掩码用的是 j <= i，这会让解码步唯一的查询只看到第一个键。',
      },
      hint: {
        en: 'With fewer queries than keys, the queries are the newest tokens. Where does query i sit among the m positions, and which keys can it see?',
        'zh-CN': '查询少于键时，查询是最新的那些 token。查询 i 在 m 个位置中处于哪里？它能看到哪些键？',
      },
      wrong: (_ctx, q, k, v) => grouped(q, k, v, byGroup, { sees: causalTopLeft }),
    },
    {
      id: 'no-scaling',
      title: { en: 'scores not divided by √d', 'zh-CN': '分数没有除以 √d' },
      message: {
        en: 'Your heads use q·kᵀ without the 1/√d, so their weights come out too sharp. Divide every score by Math.sqrt(d), with d the width of one head (q[0][0].length).',
        'zh-CN': '你的头用的是不带 1/√d 的 q·kᵀ，所以权重过于尖锐。把每个分数除以 Math.sqrt(d)，d 是单个头的宽度（q[0][0].length）。',
      },
      hint: {
        en: 'Compare your scores with the formula of scaled dot-product attention: something divides them before the softmax.',
        'zh-CN': '把你的分数和缩放点积注意力的公式对比一下：在 softmax 之前，分数还要先除以某个量。',
      },
      wrong: (_ctx, q, k, v) => grouped(q, k, v, byGroup, { scale: 1 }),
    },
  ],
  hints: [
    {
      en: 'Each query head is ordinary causal attention against ONE key/value head. The whole exercise is choosing which: how many query heads share each KV head?',
      'zh-CN': '每个查询头都是对「一个」键/值头做普通的因果注意力。整个练习就在于选哪一个：每个 KV 头由几个查询头共享？',
    },
    {
      en: 'The group size is H / H_kv (q.length / k.length). Query heads 0 … group−1 read KV head 0, the next group reads KV head 1, and so on: KV head ⌊h / group⌋.',
      'zh-CN': '组大小是 H / H_kv（q.length / k.length）。查询头 0 … group−1 读取 KV 头 0，下一组读取 KV 头 1，依此类推：KV 头 ⌊h / group⌋。',
    },
    {
      en: 'Inside a head: query i is at position m − n + i (n queries, m keys; usually n = m) and sees keys j <= m − n + i; scale by 1/√d and use a stable softmax.',
      'zh-CN': '在一个头内部：查询 i 位于位置 m − n + i（n 个查询、m 个键；通常 n = m），看到 j <= m − n + i 的键；按 1/√d 缩放，并使用数值稳定的 softmax。',
    },
  ],
});
