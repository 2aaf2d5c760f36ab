import { anyOf, defineExercise, plural, randomMatrix, type ReferenceContext, type Rng, type Tf } from 'llm-tutor/pack';
import { isMatrix, isVector, listDifference, matrixDifference, shuffled, wrongKind } from '../../properties.js';
import { softmaxRow } from '../attention-math.js';
import { dot } from '../attention-variants.js';

interface Cache {
  k: number[][];
  v: number[][];
}
type Args = [cache: Cache, q: number[], k: number[], v: number[]];
interface Step {
  out: number[];
  cache: Cache;
}

/** One query against the given keys: softmax(q·Kᵀ · scale)·V, or zeros / NaN when there is no key. */
function attendOne(q: number[], keys: number[][], values: number[][], dv: number, opts: { scale?: number; naive?: boolean; empty?: 'zeros' | 'nan' } = {}): number[] {
  if (keys.length === 0) return new Array<number>(dv).fill(opts.empty === 'nan' ? NaN : 0);
  const scale = opts.scale ?? 1 / Math.sqrt(q.length);
  const p = softmaxRow(
    keys.map((kj) => scale * dot(q, kj)),
    opts.naive,
  );
  return Array.from({ length: dv }, (_, c) => p.reduce((acc, w, j) => acc + w * values[j][c], 0));
}

const appended = (cache: Cache, k: number[], v: number[]): Cache => ({ k: [...cache.k, k], v: [...cache.v, v] });

/**
 * The steps of one decode run: for t = 0 … T−1 the cache holds the keys and values
 * of tokens 0 … t−1, and the arguments are token t's q, k and v. Step t's out is
 * row t of causal attention over the whole sequence.
 */
function decodeRun(q: number[][], k: number[][], v: number[][]): Args[] {
  return q.map((_, t) => [{ k: k.slice(0, t), v: v.slice(0, t) }, q[t], k[t], v[t]]);
}

/**
 * A step with scores near ±1000 after scaling (d = 4, so √d = 2), all exact in float32:
 * q·k/2 = [1000, 1001, 1008] for the two cached keys and the new one.
 */
const largeStep: Args = [
  {
    k: [
      [15.625, 15.625, 15.625, 15.625],
      [15.625, 15.625, 15.625, 15.6875],
    ],
    v: [
      [1, 0, 2],
      [0, 1, -1],
    ],
  },
  [32, 32, 32, 32],
  [15.75, 15.75, 15.75, 15.75],
  [0.5, 0.5, 0],
];

/** One decode step in tfjs: the scores of q against every cached key and their softmax (the steps a trace shows), and the output with the grown cache. */
function decodeSteps(tf: Tf, cache: Cache, q: number[], k: number[], v: number[]) {
  // Append first, then attend over every cached key, the new one included:
  // with t cached tokens this is row t of causal attention over tokens 0 … t.
  const next = appended(cache, k, v);
  const scores = tf.reshape(tf.div(tf.matMul(tf.tensor2d([q]), tf.tensor2d(next.k), false, true), Math.sqrt(q.length)), [next.k.length]);
  const weights = tf.softmax(scores);
  const out = tf.reshape(tf.matMul(tf.expandDims(weights, 0), tf.tensor2d(next.v)), [v.length]);
  return { steps: { scores, weights }, output: { out, cache: next } };
}

const isStep = (x: unknown): x is Step =>
  typeof x === 'object' && x !== null && isVector((x as Step).out) && typeof (x as Step).cache === 'object' && (x as Step).cache !== null && isMatrix((x as Step).cache.k) && isMatrix((x as Step).cache.v);

/** A property's `holds` that first checks every output is `{ out, cache: { k, v } }`. */
function steps(check: (outputs: Step[], calls: Args[]) => string | undefined) {
  return (outputs: unknown[], calls: Args[]) => wrongKind('decodeStep', 'an object { out, cache: { k, v } } of numbers', outputs, isStep) ?? check(outputs as Step[], calls);
}

/** Step t of a random run (t cached tokens and the new one), as a property's call. */
function randomStep(rng: Rng, t: number, d: number, dv: number): Args {
  return decodeRun(randomMatrix(rng, t + 1, d), randomMatrix(rng, t + 1, d), randomMatrix(rng, t + 1, dv))[t];
}

/** The same step with the cached tokens (key and value together) in another order. */
function reordered(rng: Rng, [cache, q, k, v]: Args): Args {
  const order = shuffled(rng, cache.k.length);
  return [{ k: order.map((j) => cache.k[j]), v: order.map((j) => cache.v[j]) }, q, k, v];
}

export default defineExercise<Args, Step>({
  entry: 'decodeStep',
  signature: 'decodeStep(cache: { k: Matrix; v: Matrix }, q: Vector, k: Vector, v: Vector): { out: Vector; cache: { k: Matrix; v: Matrix } }',
  inputsReadOnly: true,
  cases: (rng) => {
    const cases: { name: string; args: Args }[] = [];
    {
      // One run of T = 5 steps, each a case: step t sees the t cached tokens and itself.
      const [T, d, dv] = [5, rng.int(3, 6), rng.int(2, 4)];
      const run = decodeRun(randomMatrix(rng, T, d), randomMatrix(rng, T, d), randomMatrix(rng, T, dv));
      const dims = `d=${d}, dv=${dv}`;
      cases.push({ name: `step 0: an empty cache (the new key is the only one, so out = v; ${dims})`, args: run[0] });
      for (let t = 1; t < T; t++) {
        cases.push({ name: `step ${t}: ${plural(t, 'cached token')} + the new one (${dims})`, args: run[t] });
      }
    }
    {
      const [T, d, dv] = [12, 8, rng.int(3, 6)];
      const t = rng.int(8, T - 1);
      const run = decodeRun(randomMatrix(rng, T, d), randomMatrix(rng, T, d), randomMatrix(rng, T, dv));
      cases.push({ name: `a longer cache: step ${t} (${t} cached tokens, d=${d}, dv=${dv})`, args: run[t] });
    }
    {
      const d = rng.int(4, 8);
      const run = decodeRun(randomMatrix(rng, 2, d), randomMatrix(rng, 2, d), randomMatrix(rng, 2, d + 2));
      cases.push({ name: `another run, step 1 (1 cached token, d=${d}, dv=${d + 2})`, args: run[1] });
    }
    cases.push({ name: 'large scores (±1000 after scaling; the new key scores highest)', args: largeStep });
    return cases;
  },
  reference: ({ tf }: ReferenceContext, cache, q, k, v) => decodeSteps(tf, cache, q, k, v).output,
  trace: ({ tf }: ReferenceContext, cache, q, k, v) => decodeSteps(tf, cache, q, k, v).steps,
  properties: [
    {
      name: 'the returned cache is the old one with the new k and v as its last rows',
      cases: (rng) => [
        { name: 'an empty cache, d=4, dv=2', calls: [randomStep(rng, 0, 4, 2)] },
        { name: '3 cached tokens, d=4, dv=3', calls: [randomStep(rng, 3, 4, 3)] },
      ],
      holds: steps(([{ cache }], [[old, , k, v]]) => {
        const want = appended(old, k, v);
        const which = (['k', 'v'] as const).find((name) => matrixDifference(want[name], cache[name]));
        if (!which) return undefined;
        const difference = matrixDifference(want[which], cache[which]);
        return (
          `With ${old.k.length === 0 ? 'an empty cache' : plural(old.k.length, 'cached token')}, your returned cache.${which} is not the old one with the new row appended (that first, yours second: ${difference}). ` +
          'Row t of the cache is token t: keep every old row, in order, and put the new token\'s k and v last, so the next step sees all t + 1 tokens.'
        );
      }),
    },
    {
      name: 'reordering the cached tokens leaves out unchanged',
      cases: (rng) =>
        [[3, 4, 2], [5, 6, 3]].map(([t, d, dv]) => {
          const step = randomStep(rng, t, d, dv);
          return { name: `${t} cached tokens, d=${d}, dv=${dv}, then the same tokens shuffled`, calls: [step, reordered(rng, step)] };
        }),
      holds: steps(([first, second]) => {
        const difference = listDifference(first.out, second.out);
        if (!difference) return undefined;
        return (
          `Shuffling the cached keys and values (each key with its value) changed your out: ${difference}. ` +
          'Attention is a weighted average over the keys: each key\'s weight depends only on its own score q·k/√d, so their order cannot matter. An output that changes depends on where a key sits, not on what it holds.'
        );
      }),
    },
  ],
  misconceptions: [
    {
      id: 'attend-before-append',
      title: { en: 'attends before appending: the new token does not see itself', 'zh-CN': '先做注意力再追加：新 token 看不到自己' },
      message: {
        en:
          'Your out is attention over the cached keys only, without the new token\'s own key. In causal attention token t sees tokens 0 … t, itself included, ' +
          'so append k and v to the cache first and then attend over all t + 1 keys. On the first step the cache is empty, which is why you got zeros or NaN there instead of v.',
        'zh-CN':
          '你的 out 只在缓存的键上做了注意力，没有包含新 token 自己的键。在因果注意力中，token t 看到 token 0 … t，包括它自己，' +
          '所以要先把 k 和 v 追加到缓存，再在全部 t + 1 个键上做注意力。第一步时缓存为空，这就是你在那里得到全零或 NaN 而不是 v 的原因。',
      },
      hint: {
        en: 'Run your function on an empty cache: attention needs at least one key. Should the new token see its own key?',
        'zh-CN': '用空缓存运行你的函数：注意力至少需要一个键。新 token 应该看到它自己的键吗？',
      },
      wrong: (_ctx, cache, q, k, v) =>
        anyOf(...(['zeros', 'nan'] as const).map((empty) => ({ out: attendOne(q, cache.k, cache.v, v.length, { empty }), cache: appended(cache, k, v) }))),
    },
    {
      id: 'no-scaling',
      title: { en: 'scores not divided by √d', 'zh-CN': '分数没有除以 √d' },
      message: {
        en: 'Your out uses the scores q·k without the 1/√d, so the weights come out too sharp. Divide every score by Math.sqrt(d), with d = q.length.',
        'zh-CN': '你的 out 用的分数是不带 1/√d 的 q·k，所以权重过于尖锐。把每个分数除以 Math.sqrt(d)，d = q.length。',
      },
      hint: {
        en: 'Compare your scores with the formula of scaled dot-product attention: something divides them before the softmax.',
        'zh-CN': '把你的分数和缩放点积注意力的公式对比一下：在 softmax 之前，分数还要先除以某个量。',
      },
      wrong: (_ctx, cache, q, k, v) => {
        const next = appended(cache, k, v);
        return { out: attendOne(q, next.k, next.v, v.length, { scale: 1 }), cache: next };
      },
    },
    {
      id: 'returns-old-cache',
      title: { en: 'the returned cache is the old one (the new key and value are not in it)', 'zh-CN': '返回的是旧缓存（里面没有新的键和值）' },
      message: {
        en:
          'Your out is right, but the cache you return has no row for the new token, so the next step would never see it. ' +
          'Return a new cache object whose k and v are the old rows followed by the new k and v, e.g. { k: [...cache.k, k], v: [...cache.v, v] } ' +
          '(without pushing onto the arrays you were given: the caller may still hold the old cache).',
        'zh-CN':
          '你的 out 是对的，但返回的缓存里没有新 token 的那一行，所以下一步永远看不到它。' +
          '应当返回一个新的缓存对象，其 k 和 v 是旧的各行再接上新的 k 和 v，例如 { k: [...cache.k, k], v: [...cache.v, v] }' +
          '（不要 push 到传入的数组上：调用方可能还持有旧缓存）。',
      },
      hint: {
        en: 'Look at the cache you return after one step: is the new token\'s row in it? The next step needs it.',
        'zh-CN': '看看一步之后你返回的缓存：新 token 的那一行在里面吗？下一步需要它。',
      },
      wrong: (_ctx, cache, q, k, v) => {
        const next = appended(cache, k, v);
        return { out: attendOne(q, next.k, next.v, v.length), cache };
      },
    },
    {
      id: 'new-token-only',
      title: { en: 'the new token attends only to itself (the cache is not used)', 'zh-CN': '新 token 只关注它自己（没有用到缓存）' },
      message: {
        en:
          'Your out is the new token\'s own v: with a single key the softmax is 1 on it. The point of the cache is that the new token attends to every earlier token too: ' +
          'score q against all the cached keys and the new one, then softmax and mix all their values.',
        'zh-CN':
          '你的 out 就是新 token 自己的 v：只有一个键时，softmax 在它上面为 1。缓存的意义在于新 token 还要关注之前的每一个 token：' +
          '用 q 对所有缓存的键和新键打分，再做 softmax，并混合它们所有的值。',
      },
      hint: {
        en: 'Your query attends to one key only. Which keys should the newest token see, and where are the earlier ones kept?',
        'zh-CN': '你的查询只关注了一个键。最新的 token 应该看到哪些键？之前的那些键保存在哪里？',
      },
      wrong: (_ctx, cache, _q, k, v) => ({ out: [...v], cache: appended(cache, k, v) }),
    },
    {
      id: 'first-key-only',
      title: { en: 'the new token sees only the first key (a top-left causal mask)', 'zh-CN': '新 token 只看到第一个键（左上对齐的因果掩码）' },
      message: {
        en:
          'Your out is the value of the first token in the cache. That is what a causal mask aligned top-left (j <= i) gives for one query: query 0 sees key 0 only. ' +
          'A decode step\'s single query is the newest token, at position t, so it sees every key 0 … t (the bottom-right alignment of attention/causal-mask).',
        'zh-CN':
          '你的 out 是缓存中第一个 token 的值。对单个查询使用左上对齐（j <= i）的因果掩码就会这样：查询 0 只看到键 0。' +
          '解码步唯一的查询是最新的 token，位于位置 t，所以它能看到所有键 0 … t（即 attention/causal-mask 的右下对齐）。',
      },
      hint: {
        en: 'The single query of a decode step is the newest token. Which positions can the newest token see?',
        'zh-CN': '解码步唯一的查询就是最新的 token。最新的 token 能看到哪些位置？',
      },
      wrong: (_ctx, cache, _q, k, v) => {
        const next = appended(cache, k, v);
        return { out: [...next.v[0]], cache: next };
      },
    },
    {
      id: 'cache-prepended',
      title: { en: 'the new key and value are put at the front of the cache', 'zh-CN': '新的键和值被放在了缓存的最前面' },
      message: {
        en:
          'Your out is right (attention does not depend on the order of the keys), but your cache has the new row first. Row t of the cache must be token t: ' +
          'positions (RoPE, masks, a cache that is trimmed or shared) depend on it. Append at the end.',
        'zh-CN':
          '你的 out 是对的（注意力不依赖键的顺序），但你的缓存把新行放在了最前面。缓存的第 t 行必须是 token t：' +
          '位置（RoPE、掩码、被裁剪或共享的缓存）都依赖于此。应当追加到末尾。',
      },
      hint: {
        en: 'Print the cache after two steps: row t should be token t. Where does your new row go?',
        'zh-CN': '打印两步之后的缓存：第 t 行应该是 token t。你的新行放到哪里去了？',
      },
      wrong: (_ctx, cache, q, k, v) => {
        const next = appended(cache, k, v);
        return { out: attendOne(q, next.k, next.v, v.length), cache: { k: [k, ...cache.k], v: [v, ...cache.v] } };
      },
    },
    {
      id: 'no-max-subtraction',
      title: { en: 'softmax without subtracting the max', 'zh-CN': 'softmax 没有减去最大值' },
      message: {
        en: 'With scores near 1000 Math.exp overflows to Infinity, so the weights become Infinity/Infinity = NaN. Subtract the largest score before exponentiating.',
        'zh-CN': '分数接近 1000 时 Math.exp 上溢为 Infinity，于是权重变成 Infinity/Infinity = NaN。在取指数之前先减去最大的分数。',
      },
      hint: {
        en: 'Try scores near 1000: Math.exp overflows. Shift the scores by the same constant before exponentiating.',
        'zh-CN': '试试接近 1000 的分数：Math.exp 会上溢。在取指数之前，把所有分数都减去同一个常数。',
      },
      wrong: (_ctx, cache, q, k, v) => {
        const next = appended(cache, k, v);
        return { out: attendOne(q, next.k, next.v, v.length, { naive: true }), cache: next };
      },
    },
  ],
  hints: [
    {
      en: 'Two jobs: a new cache with one more row (the new k and v at the end), and out = attention of the one query q over every key in that new cache.',
      'zh-CN': '两件事：一个多出一行的新缓存（新的 k 和 v 放在末尾），以及 out = 唯一的查询 q 对新缓存中所有键的注意力。',
    },
    {
      en: 'The new cache is a new object whose k and v lists are the old rows followed by the new one: the caller\'s cache must not change, so copying beats pushing. Then score q against every row of the new k with (q·k_j)/√d, softmax, and mix the rows of the new v.',
      'zh-CN': '新缓存是一个新对象，它的 k 和 v 列表是旧的各行再接上新的一行：调用方的缓存不能变，所以复制比 push 好。然后用 (q·k_j)/√d 对新 k 的每一行打分，做 softmax，再混合新 v 的各行。',
    },
    {
      text: {
        en: 'Append before attending: the new token must see itself. On the first step the cache is empty, and out must be v (its only key gets weight 1).',
        'zh-CN': '先追加再做注意力：新 token 必须看到自己。第一步时缓存为空，out 必须等于 v（它唯一的键权重为 1）。',
      },
      misconception: 'attend-before-append',
    },
  ],
});
