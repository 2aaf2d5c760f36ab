import { defineExercise, matmul, randomMatrix, randomVector, type ReferenceContext, type Rng, type Tf } from 'llm-tutor/pack';
import { attend, causalBottomRight } from '../attention-variants.js';
import { angleTable, frequencies, rotateHalvesTf, rotateRows, type Layout } from '../../positions/rope-math.js';

/** One matrix [t, d_head] per KV head: the rotated keys and the values of the t tokens so far. */
export interface KVCache {
  k: number[][][];
  v: number[][][];
}
export interface LlamaAttention {
  wq: number[][];
  wk: number[][];
  wv: number[][];
  wo: number[][];
  heads: number;
  kvHeads: number;
  base: number;
}
type Args = [x: number[], cache: KVCache, params: LlamaAttention];
export interface Step {
  out: number[];
  cache: KVCache;
}

/** How a learner's decode step may differ from LLaMA's; the empty object is the right step. */
interface Variant {
  /** The position RoPE turns the new token by, from the number t of cached tokens (right: t). */
  position?: (t: number) => number;
  /** Which of the new token's q, k, v are rotated (right: q and k). */
  rotated?: ('q' | 'k' | 'v')[];
  layout?: Layout;
  /** The cache's keys are rotated again, each by its own position, before every step (right: never). */
  rerotateCache?: boolean;
  /** The KV head query head h reads (right: ⌊h / (H / H_kv)⌋). */
  kvHead?: (h: number, heads: number, kvHeads: number) => number;
  /** The width under the √ of the scale (right: d_head). */
  scaleWidth?: 'head' | 'model';
  /** The cache is returned as it was given (right: with the new row appended). */
  keepCache?: boolean;
}

const byGroup = (h: number, heads: number, kvHeads: number) => Math.floor(h / (heads / kvHeads));

/** x·W for one vector x: [in] · [in, out] → [out]. */
const project = (x: number[], w: number[][]): number[] => matmul([x], w)[0];

/** A vector of n·width numbers as n rows of `width`. */
const splitRows = (vector: number[], n: number): number[][] => Array.from({ length: n }, (_, i) => vector.slice((i * vector.length) / n, ((i + 1) * vector.length) / n));

/**
 * One decode step in float64, written the way a learner would (with `variant`,
 * the way a learner might get it wrong): project, rotate, append, attend per
 * query head over its KV head's cache, merge the heads, project out.
 */
function decodeStep64(x: number[], cache: KVCache, p: LlamaAttention, variant: Variant = {}): Step {
  const t = cache.k[0].length;
  const position = variant.position?.(t) ?? t;
  const rotated = variant.rotated ?? ['q', 'k'];
  const layout = variant.layout ?? 'halves';
  const turn = (rows: number[][], positions: number[]) => rotateRows(rows, positions, frequencies(rows[0].length, p.base), layout);
  const maybeTurn = (which: 'q' | 'k' | 'v', rows: number[][]) => (rotated.includes(which) ? turn(rows, rows.map(() => position)) : rows);
  const q = maybeTurn('q', splitRows(project(x, p.wq), p.heads));
  const k = maybeTurn('k', splitRows(project(x, p.wk), p.kvHeads));
  const v = maybeTurn('v', splitRows(project(x, p.wv), p.kvHeads));
  const cachedK = variant.rerotateCache ? cache.k.map((rows) => (rows.length ? turn(rows, rows.map((_, j) => j)) : rows)) : cache.k;
  const next: KVCache = { k: cachedK.map((rows, g) => [...rows, k[g]]), v: cache.v.map((rows, g) => [...rows, v[g]]) };
  const dh = q[0].length;
  const scale = 1 / Math.sqrt(variant.scaleWidth === 'model' ? dh * p.heads : dh);
  const heads = q.map((qh, h) => {
    const g = (variant.kvHead ?? byGroup)(h, p.heads, p.kvHeads);
    return attend([qh], next.k[g], next.v[g], causalBottomRight, { scale })[0];
  });
  return { out: project(heads.flat(), p.wo), cache: variant.keepCache ? cache : next };
}

type Tensor = ReturnType<Tf['tensor']>;

/**
 * One decode step in tfjs, step by step (the steps a trace shows) and its
 * output: q, k and v by head, q and k rotated at position t (the number of
 * cached tokens) in the half-split layout, the new cache, each query head's
 * KV head, scores and weights over the t + 1 keys, the heads merged
 * (concatenated, before Wo), and out.
 */
function decodeSteps(tf: Tf, x: number[], cache: KVCache, p: LlamaAttention) {
  const t = cache.k[0].length;
  const dh = p.wq[0].length / p.heads;
  const byHead = (w: number[][], n: number) => tf.reshape(tf.matMul(tf.tensor2d([x]), tf.tensor2d(w)), [n, dh]);
  const rows = (tensor: Tensor) => tensor.arraySync() as number[][];
  const [q, k, v] = [byHead(p.wq, p.heads), byHead(p.wk, p.kvHeads), byHead(p.wv, p.kvHeads)];
  const angles = (n: number) => angleTable(new Array<number>(n).fill(t), frequencies(dh, p.base));
  const rotatedQ = rotateHalvesTf(tf, rows(q), angles(p.heads));
  const rotatedK = rotateHalvesTf(tf, rows(k), angles(p.kvHeads));
  const [newK, newV] = [rows(rotatedK), rows(v)];
  const next: KVCache = { k: cache.k.map((r, g) => [...r, newK[g]]), v: cache.v.map((r, g) => [...r, newV[g]]) };
  const kvHead = Array.from({ length: p.heads }, (_, h) => byGroup(h, p.heads, p.kvHeads));
  const group = tf.tensor1d(kvHead, 'int32');
  // [H, 1, d_head] against [H, t + 1, d_head]: one query per head, every cached key visible.
  const scores = tf.div(tf.matMul(tf.expandDims(rotatedQ, 1), tf.gather(tf.tensor3d(next.k), group), false, true), Math.sqrt(dh));
  const weights = tf.softmax(scores);
  const merged = tf.reshape(tf.matMul(weights, tf.gather(tf.tensor3d(next.v), group)), [1, p.heads * dh]);
  const out = tf.reshape(tf.matMul(merged, tf.tensor2d(p.wo)), [x.length]);
  const perHead = (tensor: Tensor) => tf.reshape(tensor, [p.heads, t + 1]);
  return {
    steps: { q, k, v, rotatedQ, rotatedK, kvHead, scores: perHead(scores), weights: perHead(weights), merged: tf.reshape(merged, [p.heads * dh]) },
    output: { out, cache: next },
  };
}

/** An empty cache for `kvHeads` KV heads. */
const emptyCache = (kvHeads: number): KVCache => ({ k: Array.from({ length: kvHeads }, () => []), v: Array.from({ length: kvHeads }, () => []) });

/** The cache after a prompt: its tokens' rotated keys and values, run through the right step one token at a time. */
function prefilled(prompt: number[][], p: LlamaAttention): KVCache {
  return prompt.reduce((cache, x) => decodeStep64(x, cache, p).cache, emptyCache(p.kvHeads));
}

/**
 * A run's steps: the first on the cache a prompt leaves, each later one on
 * the cache the step before returned (carried; the case's is a placeholder).
 */
function run(tokens: number[][], p: LlamaAttention, promptLength = 0): Args[] {
  const [first, ...rest] = tokens.slice(promptLength);
  return [[first, prefilled(tokens.slice(0, promptLength), p), p], ...rest.map((x): Args => [x, emptyCache(p.kvHeads), p])];
}

/** Random weights for a model of width d with H query heads and H_kv KV heads of width d/H; entries of x·W near unit size. */
function randomLayer(rng: Rng, d: number, heads: number, kvHeads: number, base = 10000): LlamaAttention {
  const dh = d / heads;
  const std = 1 / Math.sqrt(d);
  return {
    wq: randomMatrix(rng, d, d, std),
    wk: randomMatrix(rng, d, kvHeads * dh, std),
    wv: randomMatrix(rng, d, kvHeads * dh, std),
    wo: randomMatrix(rng, d, d, std),
    heads,
    kvHeads,
    base,
  };
}

const tokensOf = (rng: Rng, n: number, d: number) => Array.from({ length: n }, () => randomVector(rng, d));

/** The lesson example: d = 4, 2 query heads of width 2 sharing 1 KV head, 3 tokens from an empty cache. */
export const lessonLayer: LlamaAttention = {
  // Query head 0 reads x[0..1], query head 1 reads x[2..3]; the key is x[0..1] and the value x[2..3].
  wq: [
    [1, 0, 0, 0],
    [0, 1, 0, 0],
    [0, 0, 1, 0],
    [0, 0, 0, 1],
  ],
  wk: [
    [1, 0],
    [0, 1],
    [0, 0],
    [0, 0],
  ],
  wv: [
    [0, 0],
    [0, 0],
    [1, 0],
    [0, 1],
  ],
  wo: [
    [1, 0, 0, 0],
    [0, 1, 0, 0],
    [0, 0, 1, 0],
    [0, 0, 0, 1],
  ],
  heads: 2,
  kvHeads: 1,
  base: 10000,
};
export const lessonTokens = [
  [1, 0, 2, 0],
  [0, 1, 0, 2],
  [1, 1, 1, -1],
];

/** The cases' runs, each a stepwise case. */
function runs(rng: Rng): { name: string; steps: Args[] }[] {
  const cases = [{ name: 'the lesson example (d=4, 2 query heads, 1 KV head, 3 steps from an empty cache)', steps: run(lessonTokens, lessonLayer) }];
  {
    const prompt = rng.int(2, 4);
    cases.push({ name: `a prompt of ${prompt} tokens in the cache, then 4 steps (d=16, 4 query heads, 2 KV heads, d_head=4)`, steps: run(tokensOf(rng, prompt + 4, 16), randomLayer(rng, 16, 4, 2), prompt) });
  }
  cases.push({ name: '6 steps from an empty cache (d=12, 6 query heads in groups of 3, 2 KV heads, d_head=2)', steps: run(tokensOf(rng, 6, 12), randomLayer(rng, 12, 6, 2)) });
  cases.push({ name: 'multi-query: 4 query heads share 1 KV head (d=16, d_head=4), a prompt of 2 tokens, then 3 steps', steps: run(tokensOf(rng, 5, 16), randomLayer(rng, 16, 4, 1), 2) });
  cases.push({ name: "LLaMA 3's base 500000: a prompt of 5 tokens, then 2 steps (d=16, 2 query heads of width 8, 1 KV head)", steps: run(tokensOf(rng, 7, 16), randomLayer(rng, 16, 2, 1, 500000), 5) });
  {
    const prompt = rng.int(30, 40);
    cases.push({ name: `a long prompt: ${prompt} tokens cached, then 2 steps (d=8, 4 query heads, 2 KV heads, d_head=2)`, steps: run(tokensOf(rng, prompt + 2, 8), randomLayer(rng, 8, 4, 2), prompt) });
  }
  return cases;
}

/** A property's single call: a random layer and a token, on a cache of `cached` earlier tokens. */
function propertyCall(rng: Rng, cached: number): Args {
  const p = randomLayer(rng, 16, 4, 2);
  return [randomVector(rng, 16), prefilled(tokensOf(rng, cached, 16), p), p];
}

const norm = (v: number[]) => Math.hypot(...v);
/** Within the default tolerance, so that a learner computing in float32 (with tfjs) passes too. */
const close = (a: number, b: number) => Math.abs(a - b) <= 1e-5 + 1e-4 * Math.abs(b);

export default defineExercise<Args, Step>({
  entry: 'llamaDecodeStep',
  signature: 'llamaDecodeStep(x: Vector, cache: KVCache, params: LlamaAttention): { out: Vector; cache: KVCache }',
  inputsReadOnly: true,
  cases: runs,
  stepwise: { carry: [{ from: ['cache'], to: [1] }] },
  reference: ({ tf }: ReferenceContext, x, cache, p) => decodeSteps(tf, x, cache, p).output,
  trace: ({ tf }: ReferenceContext, x, cache, p) => decodeSteps(tf, x, cache, p).steps,
  properties: [
    {
      name: 'the cache grows by one row per KV head, the earlier rows unchanged',
      cases: (rng) => [{ name: '3 cached tokens', calls: [propertyCall(rng, 3)] }],
      holds: ([step], [[, cache]]) => {
        const kept = (given: number[][][], got: number[][][] | undefined) =>
          got?.length === given.length && got.every((rows, g) => rows.length === given[g].length + 1 && given[g].every((row, j) => row.every((e, c) => rows[j][c] === e)));
        if (kept(cache.k, step?.cache?.k) && kept(cache.v, step?.cache?.v)) return undefined;
        return 'Given 3 cached tokens, the cache you return must hold, for each KV head, those 3 rows exactly as they were and then the new token\'s row: a cache is only ever appended to.';
      },
    },
    {
      name: 'RoPE keeps lengths: each new cached key is as long as its slice of x·Wk',
      cases: (rng) => [{ name: '2 cached tokens', calls: [propertyCall(rng, 2)] }],
      holds: ([step], [[x, , p]]) => {
        const raw = splitRows(project(x, p.wk), p.kvHeads);
        const cached = raw.map((_, g) => step?.cache?.k?.[g]?.[2]);
        const missing = cached.findIndex((k) => !Array.isArray(k));
        if (missing >= 0) return `Given 2 cached tokens, the cache you return has no row 2 (the new key) for KV head ${missing}: append the rotated key.`;
        const bad = raw.findIndex((k, g) => !close(norm(cached[g]!), norm(k)));
        if (bad < 0) return undefined;
        return `The new key of KV head ${bad} has length ${norm(cached[bad]!).toFixed(6)}, but its slice of x·Wk has length ${norm(raw[bad]).toFixed(6)}: a rotation never changes a vector's length.`;
      },
    },
    {
      name: 'on an empty cache, out = (each query head\'s value)·Wo',
      cases: (rng) => [{ name: 'the first token', calls: [propertyCall(rng, 0)] }],
      holds: ([step], [[x, , p]]) => {
        // With one key, its weight is 1 whatever the score: each head outputs its KV head's v.
        const v = splitRows(project(x, p.wv), p.kvHeads);
        const want = project(Array.from({ length: p.heads }, (_, h) => v[byGroup(h, p.heads, p.kvHeads)]).flat(), p.wo);
        const got = step?.out ?? [];
        if (got.length === want.length && got.every((e, i) => close(e, want[i]))) return undefined;
        return 'On the first token the cache is empty, so every query head sees one key and gives it weight 1: out must be the concatenation of each head\'s value (its KV head\'s slice of x·Wv) times Wo, whatever q is.';
      },
    },
  ],
  misconceptions: [
    {
      id: 'rope-q-only',
      title: { en: 'RoPE applied to q only: the new key is cached unrotated', 'zh-CN': '只对 q 做了 RoPE：新键未经旋转就被缓存' },
      message: {
        en:
          'Your new cached key is x·Wk as it is, not rotated. RoPE turns BOTH q and k by their positions, so that q_t·k_j depends on t − j; with k left unturned the score depends on t alone. ' +
          'Rotate the new key at position t before you append it (in the lesson, the step-2 key [1, 1] is cached as [−1.325444, 0.493151]).',
        'zh-CN':
          '你缓存的新键就是原样的 x·Wk，没有旋转。RoPE 按各自的位置把 q 和 k「都」旋转，这样 q_t·k_j 才取决于 t − j；k 不转的话，分数就只取决于 t。' +
          '在追加之前，先把新键在位置 t 旋转（课程中第 2 步的键 [1, 1] 缓存为 [−1.325444, 0.493151]）。',
      },
      hint: {
        en: 'After one step at position 2, print the key you cached and x·Wk: should they be the same vector?',
        'zh-CN': '在位置 2 走完一步后，打印你缓存的键和 x·Wk：它们应该是同一个向量吗？',
      },
      wrong: (_ctx, x, cache, p) => decodeStep64(x, cache, p, { rotated: ['q'] }),
    },
    {
      id: 'cached-keys-rotated-again',
      title: { en: 'the cached keys rotated again at every step', 'zh-CN': '每一步都把缓存中的键再旋转一次' },
      message: {
        en:
          'Your step rotates the whole cache by the keys\' positions, but the cached keys were rotated when they were appended, so key j has now turned by 2j (and by more at each later step). ' +
          'The cache holds keys AFTER RoPE: rotate only the new key, once, then append it and leave the cached rows alone.',
        'zh-CN':
          '你的解码步按各键的位置旋转了整个缓存，但缓存的键在追加时已经旋转过，于是键 j 现在转了 2j（之后每一步还会转得更多）。' +
          '缓存保存的是 RoPE「之后」的键：只旋转新键，且只转一次，然后追加，缓存中已有的行不要动。',
      },
      hint: {
        en: 'Print the cache before and after a step: the rows that were already there should come back unchanged.',
        'zh-CN': '打印一步前后的缓存：原本已在其中的行应当原样返回。',
      },
      wrong: (_ctx, x, cache, p) => decodeStep64(x, cache, p, { rerotateCache: true }),
    },
    {
      id: 'position-zero',
      title: { en: 'the new token rotated at position 0 instead of the cache length', 'zh-CN': '新 token 在位置 0 旋转，而不是在缓存长度处' },
      message: {
        en: 'Your q and new key are not rotated at all, as if every token were at position 0. The new token\'s position is the number of tokens already cached: t = cache.k[0].length (0 on the first step, then 1, 2, …).',
        'zh-CN': '你的 q 和新键完全没有旋转，就好像每个 token 都在位置 0。新 token 的位置是已缓存的 token 数：t = cache.k[0].length（第一步为 0，之后是 1, 2, …）。',
      },
      hint: {
        en: 'Which position is the new token at when the cache already holds 3 tokens? Where in your code does that number go?',
        'zh-CN': '缓存中已有 3 个 token 时，新 token 在哪个位置？这个数在你的代码里应该用在哪里？',
      },
      wrong: (_ctx, x, cache, p) => decodeStep64(x, cache, p, { position: () => 0 }),
    },
    {
      id: 'position-from-one',
      title: { en: 'positions counted from 1: the new token rotated at t + 1', 'zh-CN': '位置从 1 开始计数：新 token 在 t + 1 处旋转' },
      message: {
        en:
          'Your q and new key are rotated one position too far: at t + 1 with t tokens cached (the length of the cache after appending). Positions count from 0, as the prompt\'s do, ' +
          'so the new token is at t = cache.k[0].length; rotated at t + 1 it is one step off from every key the prompt cached.',
        'zh-CN':
          '你的 q 和新键多转了一个位置：缓存有 t 个 token 时转到了 t + 1（即追加之后的缓存长度）。位置和提示词的位置一样从 0 开始计数，' +
          '所以新 token 位于 t = cache.k[0].length；在 t + 1 处旋转，它与提示词缓存的每个键都差了一步。',
      },
      hint: {
        en: 'On the very first step the cache is empty: which position is that token at, and what angle does it turn by?',
        'zh-CN': '在最开始的第一步，缓存为空：这个 token 在哪个位置？它要旋转多大的角度？',
      },
      wrong: (_ctx, x, cache, p) => decodeStep64(x, cache, p, { position: (t) => t + 1 }),
    },
    {
      id: 'v-rotated',
      title: { en: 'RoPE applied to v as well', 'zh-CN': '对 v 也做了 RoPE' },
      message: {
        en: 'Your cached values are rotated. RoPE turns q and k only: it is there to make the score q·k depend on the distance. The value is what attention averages and passes on, so it is cached as x·Wv, unrotated.',
        'zh-CN': '你缓存的值被旋转了。RoPE 只旋转 q 和 k：它的作用是让分数 q·k 取决于距离。值是注意力求平均后往下传的内容，所以按 x·Wv 原样缓存，不旋转。',
      },
      hint: {
        en: 'Which two vectors meet in the dot product that RoPE is about? Compare the value you cache with x·Wv.',
        'zh-CN': 'RoPE 关心的点积是哪两个向量之间的？把你缓存的值和 x·Wv 对比一下。',
      },
      wrong: (_ctx, x, cache, p) => decodeStep64(x, cache, p, { rotated: ['q', 'k', 'v'] }),
    },
    {
      id: 'neighbour-pairs',
      title: { en: 'neighbour pairs (2i, 2i+1) instead of half-split pairs (i, i + d_head/2)', 'zh-CN': '相邻配对 (2i, 2i+1)，而不是对半配对 (i, i + d_head/2)' },
      message: {
        en:
          'You rotated neighbouring dimensions together, the layout of positions/rope and Meta\'s LLaMA. This step uses Hugging Face LLaMA\'s layout: pair i is dimension i with i + d_head/2 of each head, ' +
          'as in positions/rope-half-split. Import applyRopeHalf, not applyRope, and check that your rope-half-split passes its own exercise (with d_head = 2 the two layouts agree, which is why the lesson example passes).',
        'zh-CN':
          '你把相邻的维度一起旋转了，这是 positions/rope 和 Meta LLaMA 的布局。这一步用的是 Hugging Face LLaMA 的布局：在每个头中，第 i 对由维度 i 和 i + d_head/2 组成，' +
          '和 positions/rope-half-split 一样。应当导入 applyRopeHalf 而不是 applyRope，并确认你的 rope-half-split 通过了它自己的练习（d_head = 2 时两种布局一致，所以课程示例能通过）。',
      },
      hint: {
        en: 'Which two dimensions of a head form pair 0 in your code? In Hugging Face\'s layout they are half a head apart.',
        'zh-CN': '在你的代码中，一个头里哪两个维度组成第 0 对？在 Hugging Face 的布局中，它们相隔半个头。',
      },
      wrong: (_ctx, x, cache, p) => decodeStep64(x, cache, p, { layout: 'neighbours' }),
    },
    {
      id: 'kv-head-modulo',
      title: { en: 'query head h reads KV head h mod H_kv instead of ⌊h / (H/H_kv)⌋', 'zh-CN': '查询头 h 读取 KV 头 h mod H_kv，而不是 ⌊h / (H/H_kv)⌋' },
      message: {
        en: 'Your query heads cycle through the KV heads (0, 1, 0, 1, …). In LLaMA consecutive query heads share a KV head (repeat_kv is a repeat_interleave): with 4 query heads and 2 KV heads, heads 0 and 1 read KV head 0 and heads 2 and 3 read KV head 1.',
        'zh-CN': '你的查询头在 KV 头之间循环（0, 1, 0, 1, …）。在 LLaMA 中，共享一个 KV 头的是相邻的查询头（repeat_kv 是 repeat_interleave）：有 4 个查询头和 2 个 KV 头时，头 0 和 1 读取 KV 头 0，头 2 和 3 读取 KV 头 1。',
      },
      hint: {
        en: 'With 6 query heads and 2 KV heads, write down which KV head heads 0, 1 and 2 read. Consecutive query heads form a group.',
        'zh-CN': '有 6 个查询头和 2 个 KV 头时，写下头 0、1、2 各读取哪个 KV 头。相邻的查询头组成一组。',
      },
      wrong: (_ctx, x, cache, p) => decodeStep64(x, cache, p, { kvHead: (h, _H, kvHeads) => h % kvHeads }),
    },
    {
      id: 'scale-model-width',
      title: { en: 'scores divided by √d_model instead of √d_head', 'zh-CN': '分数除以了 √d_model，而不是 √d_head' },
      message: {
        en: 'Your scores are divided by the square root of the whole width H·d_head, so every head\'s weights come out too flat. Each head is its own attention over d_head dimensions: divide by √d_head (√2 in the lesson, not √4).',
        'zh-CN': '你的分数除以的是整个宽度 H·d_head 的平方根，所以每个头的权重都过于平缓。每个头是在 d_head 维上独立做的注意力：应当除以 √d_head（课程中是 √2，而不是 √4）。',
      },
      hint: {
        en: 'Each head attends with vectors of width d_head. Which width goes under the square root?',
        'zh-CN': '每个头用宽度为 d_head 的向量做注意力。平方根下面应该是哪个宽度？',
      },
      wrong: (_ctx, x, cache, p) => decodeStep64(x, cache, p, { scaleWidth: 'model' }),
    },
    {
      id: 'cache-not-appended',
      title: { en: 'the cache returned without the new token (every step then sees only itself)', 'zh-CN': '返回的缓存没有新 token（于是每一步都只看到自己）' },
      message: {
        en:
          'The cache you return is the one you were given, so it never grows: from an empty cache every token attends only to itself and outputs its own value. ' +
          'Return a new cache whose rows, per KV head, are the old ones followed by the new rotated key and the new value.',
        'zh-CN':
          '你返回的缓存就是传入的那个，所以它永远不会增长：从空缓存开始，每个 token 都只关注自己，输出它自己的值。' +
          '应当返回一个新缓存，其中每个 KV 头的行是旧的各行，再接上旋转后的新键和新值。',
      },
      hint: {
        en: 'Look at the cache you return after one step: is the new token\'s row in it? The next step needs it.',
        'zh-CN': '看看一步之后你返回的缓存：新 token 的那一行在里面吗？下一步需要它。',
      },
      wrong: (_ctx, x, cache, p) => decodeStep64(x, cache, p, { keepCache: true }),
    },
  ],
  hints: [
    {
      en: 'Five moves, each one an earlier exercise: project x by Wq, Wk, Wv and split into heads; rotate q and k with RoPE at the new position; append k and v to the cache; attend; merge the heads and project by Wo.',
      'zh-CN': '五个操作，每个都是之前的一个练习：用 Wq、Wk、Wv 投影 x 并切分成头；在新位置上用 RoPE 旋转 q 和 k；把 k 和 v 追加到缓存；做注意力；合并各头并用 Wo 投影。',
    },
    {
      en: 'The new token\'s position is the number of tokens already cached, cache.k[0].length. Rotate q and the new k there (half-split pairs); the cached keys were rotated when they went in, so they stay as they are.',
      'zh-CN': '新 token 的位置是已缓存的 token 数，即 cache.k[0].length。在这个位置旋转 q 和新的 k（对半配对）；缓存的键在写入时已经旋转过，所以保持原样。',
    },
    {
      en: 'Attention is grouped-query attention with one query per head: query head h reads KV head ⌊h / (H/H_kv)⌋ and sees every cached key, its own new one included; scale by 1/√d_head.',
      'zh-CN': '注意力就是每个头只有一个查询的分组查询注意力：查询头 h 读取 KV 头 ⌊h / (H/H_kv)⌋，并看到每一个缓存的键，包括它自己的新键；按 1/√d_head 缩放。',
    },
  ],
});
