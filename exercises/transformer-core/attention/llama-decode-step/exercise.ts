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
      title: 'RoPE applied to q only: the new key is cached unrotated',
      message:
        'Your new cached key is x·Wk as it is, not rotated. RoPE turns BOTH q and k by their positions, so that q_t·k_j depends on t − j; with k left unturned the score depends on t alone. ' +
        'Rotate the new key at position t before you append it (in the lesson, the step-2 key [1, 1] is cached as [−1.325444, 0.493151]).',
      hint: 'After one step at position 2, print the key you cached and x·Wk: should they be the same vector?',
      wrong: (_ctx, x, cache, p) => decodeStep64(x, cache, p, { rotated: ['q'] }),
    },
    {
      id: 'cached-keys-rotated-again',
      title: 'the cached keys rotated again at every step',
      message:
        'Your step rotates the whole cache by the keys\' positions, but the cached keys were rotated when they were appended, so key j has now turned by 2j (and by more at each later step). ' +
        'The cache holds keys AFTER RoPE: rotate only the new key, once, then append it and leave the cached rows alone.',
      hint: 'Print the cache before and after a step: the rows that were already there should come back unchanged.',
      wrong: (_ctx, x, cache, p) => decodeStep64(x, cache, p, { rerotateCache: true }),
    },
    {
      id: 'position-zero',
      title: 'the new token rotated at position 0 instead of the cache length',
      message:
        'Your q and new key are not rotated at all, as if every token were at position 0. The new token\'s position is the number of tokens already cached: t = cache.k[0].length (0 on the first step, then 1, 2, …).',
      hint: 'Which position is the new token at when the cache already holds 3 tokens? Where in your code does that number go?',
      wrong: (_ctx, x, cache, p) => decodeStep64(x, cache, p, { position: () => 0 }),
    },
    {
      id: 'position-from-one',
      title: 'positions counted from 1: the new token rotated at t + 1',
      message:
        'Your q and new key are rotated one position too far: at t + 1 with t tokens cached (the length of the cache after appending). Positions count from 0, as the prompt\'s do, ' +
        'so the new token is at t = cache.k[0].length; rotated at t + 1 it is one step off from every key the prompt cached.',
      hint: 'On the very first step the cache is empty: which position is that token at, and what angle does it turn by?',
      wrong: (_ctx, x, cache, p) => decodeStep64(x, cache, p, { position: (t) => t + 1 }),
    },
    {
      id: 'v-rotated',
      title: 'RoPE applied to v as well',
      message:
        'Your cached values are rotated. RoPE turns q and k only: it is there to make the score q·k depend on the distance. The value is what attention averages and passes on, so it is cached as x·Wv, unrotated.',
      hint: 'Which two vectors meet in the dot product that RoPE is about? Compare the value you cache with x·Wv.',
      wrong: (_ctx, x, cache, p) => decodeStep64(x, cache, p, { rotated: ['q', 'k', 'v'] }),
    },
    {
      id: 'neighbour-pairs',
      title: 'neighbour pairs (2i, 2i+1) instead of half-split pairs (i, i + d_head/2)',
      message:
        'You rotated neighbouring dimensions together, the layout of positions/rope and Meta\'s LLaMA. This step uses Hugging Face LLaMA\'s layout: pair i is dimension i with i + d_head/2 of each head, ' +
        'as in positions/rope-half-split. Import applyRopeHalf, not applyRope, and check that your rope-half-split passes its own exercise (with d_head = 2 the two layouts agree, which is why the lesson example passes).',
      hint: 'Which two dimensions of a head form pair 0 in your code? In Hugging Face\'s layout they are half a head apart.',
      wrong: (_ctx, x, cache, p) => decodeStep64(x, cache, p, { layout: 'neighbours' }),
    },
    {
      id: 'kv-head-modulo',
      title: 'query head h reads KV head h mod H_kv instead of ⌊h / (H/H_kv)⌋',
      message:
        'Your query heads cycle through the KV heads (0, 1, 0, 1, …). In LLaMA consecutive query heads share a KV head (repeat_kv is a repeat_interleave): with 4 query heads and 2 KV heads, heads 0 and 1 read KV head 0 and heads 2 and 3 read KV head 1.',
      hint: 'With 6 query heads and 2 KV heads, write down which KV head heads 0, 1 and 2 read. Consecutive query heads form a group.',
      wrong: (_ctx, x, cache, p) => decodeStep64(x, cache, p, { kvHead: (h, _H, kvHeads) => h % kvHeads }),
    },
    {
      id: 'scale-model-width',
      title: 'scores divided by √d_model instead of √d_head',
      message:
        'Your scores are divided by the square root of the whole width H·d_head, so every head\'s weights come out too flat. Each head is its own attention over d_head dimensions: divide by √d_head (√2 in the lesson, not √4).',
      hint: 'Each head attends with vectors of width d_head. Which width goes under the square root?',
      wrong: (_ctx, x, cache, p) => decodeStep64(x, cache, p, { scaleWidth: 'model' }),
    },
    {
      id: 'cache-not-appended',
      title: 'the cache returned without the new token (every step then sees only itself)',
      message:
        'The cache you return is the one you were given, so it never grows: from an empty cache every token attends only to itself and outputs its own value. ' +
        'Return a new cache whose rows, per KV head, are the old ones followed by the new rotated key and the new value.',
      hint: 'Look at the cache you return after one step: is the new token\'s row in it? The next step needs it.',
      wrong: (_ctx, x, cache, p) => decodeStep64(x, cache, p, { keepCache: true }),
    },
  ],
  hints: [
    'Five moves, each one an earlier exercise: project x by Wq, Wk, Wv and split into heads; rotate q and k with RoPE at the new position; append k and v to the cache; attend; merge the heads and project by Wo.',
    'The new token\'s position is the number of tokens already cached, cache.k[0].length. Rotate q and the new k there (half-split pairs); the cached keys were rotated when they went in, so they stay as they are.',
    'Attention is grouped-query attention with one query per head: query head h reads KV head ⌊h / (H/H_kv)⌋ and sees every cached key, its own new one included; scale by 1/√d_head.',
  ],
});
