import { anyOf, defineExercise, randomMatrix, randomVector, readOnce, tidy, type ReferenceContext, type Rng } from 'llm-tutor/pack';
import { isVector, listDifference, show, wrongKind } from '../../properties.js';
import { softmaxRow } from '../attention-math.js';
import { dot } from '../attention-variants.js';

interface Block {
  k: number[][];
  v: number[][];
}
type Args = [q: number[], blocks: Iterable<Block>];

interface OnlineOptions {
  /** The running max before the first block (the algorithm starts at −Infinity). */
  maxStart?: number;
  /** Multiply the running output by exp(m − m′) when the max grows. */
  rescaleOutput?: boolean;
  /** Multiply the running sum by exp(m − m′) when the max grows. */
  rescaleSum?: boolean;
  /** Divide by the running sum at the end. */
  divide?: boolean;
  /** Take exp(m − m′) as 0 while nothing has been seen (m = −∞), as FlashAttention's kernel does. */
  guardEmpty?: boolean;
  /** No running max at all: exp of the raw scores. */
  noMax?: boolean;
  scale?: number;
  /** Called after each block with the running max, sum and (undivided) output. */
  record?: (state: { max: number; sum: number; out: number[] }) => void;
}

/**
 * The one-pass algorithm of FlashAttention-2 (Algorithm 1) for one query, in
 * float64, with one step or another done wrong. Reads the blocks once.
 */
function online(q: number[], blocks: Iterable<Block>, opts: OnlineOptions = {}): number[] {
  const { rescaleOutput = true, rescaleSum = true, divide = true, guardEmpty = true } = opts;
  const scale = opts.scale ?? 1 / Math.sqrt(q.length);
  let m = opts.maxStart ?? -Infinity;
  let sum = 0;
  let out: number[] = [];
  for (const { k, v } of blocks) {
    const s = k.map((kj) => scale * dot(q, kj));
    const mNew = opts.noMax ? 0 : Math.max(m, ...s);
    const p = s.map((x) => Math.exp(x - mNew));
    const c = opts.noMax ? 1 : guardEmpty && mNew === -Infinity ? 0 : Math.exp(m - mNew);
    if (out.length === 0 && v.length > 0) out = new Array<number>(v[0].length).fill(0);
    sum = (rescaleSum ? c : 1) * sum + p.reduce((a, b) => a + b, 0);
    out = out.map((o, col) => (rescaleOutput ? c : 1) * o + p.reduce((acc, w, j) => acc + w * v[j][col], 0));
    m = mNew;
    opts.record?.({ max: m, sum, out });
  }
  return divide ? out.map((o) => o / sum) : out;
}

/** Each block's own softmax·V, averaged over the blocks as if they weighed the same. */
function averagedBlocks(q: number[], blocks: Iterable<Block>): number[] {
  const outs = [...blocks]
    .filter((b) => b.k.length > 0)
    .map(({ k, v }) => {
      const p = softmaxRow(k.map((kj) => dot(q, kj) / Math.sqrt(q.length)));
      return v[0].map((_, col) => p.reduce((acc, w, j) => acc + w * v[j][col], 0));
    });
  if (outs.length === 0) return [];
  return outs[0].map((_, col) => outs.reduce((acc, o) => acc + o[col], 0) / outs.length);
}

/** Splits the rows of k and v into consecutive blocks of the given sizes. */
function toBlocks(k: number[][], v: number[][], sizes: number[]): Block[] {
  let start = 0;
  return sizes.map((size) => {
    const block = { k: k.slice(start, start + size), v: v.slice(start, start + size) };
    start += size;
    return block;
  });
}

/** `count` blocks of 1 … maxSize random keys of width d and values of width dv. */
function randomBlocks(rng: Rng, count: number, maxSize: number, d: number, dv: number): Block[] {
  const sizes = Array.from({ length: count }, () => rng.int(1, maxSize));
  const m = sizes.reduce((a, b) => a + b, 0);
  return toBlocks(randomMatrix(rng, m, d), randomMatrix(rng, m, dv), sizes);
}

const sizesOf = (blocks: Block[]) => `[${blocks.map((b) => b.k.length).join(', ')}]`;

/** The lesson example: q·k/√4 = [1, 0] in block 0 and [3] in block 1. */
const lessonQ = [1, 1, 1, 1];
const lessonBlocks: Block[] = [
  {
    k: [
      [1, 1, 0, 0],
      [0, 0, 0, 0],
    ],
    v: [
      [1, 0],
      [0, 1],
    ],
  },
  { k: [[2, 2, 1, 1]], v: [[2, 2]] },
];

/**
 * Keys whose scores against q = ±[32, 32, 32, 32] are exactly ±1000, ±1001 and ±1008
 * after scaling (d = 4, √d = 2; all exact in float32).
 */
const k1000 = [15.625, 15.625, 15.625, 15.625];
const k1001 = [15.625, 15.625, 15.625, 15.6875];
const k1008 = [15.75, 15.75, 15.75, 15.75];
const largeBlocks: Block[] = [
  {
    k: [k1000, k1001],
    v: [
      [1, 0, 2],
      [0, 1, -1],
    ],
  },
  { k: [k1008], v: [[0.5, 0.5, 0]] },
];
const negativeBlocks: Block[] = [
  {
    k: [k1001, k1008],
    v: [
      [1, 0, 2],
      [0, 1, -1],
    ],
  },
  { k: [k1000], v: [[0.5, 0.5, 0]] },
];

/** A property's `holds` that first checks every output is a list of numbers. */
function rows(check: (outputs: number[][], calls: Args[]) => string | undefined) {
  return (outputs: unknown[], calls: Args[]) => wrongKind('flashAttentionRow', 'a list of numbers', outputs, isVector) ?? check(outputs as number[][], calls);
}

/**
 * A query and m keys sorted by score, rising (`order` 1: the max grows in every
 * block) or falling (−1: the first block holds it); values of width dv drawn from [lo, hi].
 */
function sortedKeys(rng: Rng, m: number, d: number, dv: number, order: 1 | -1, [lo, hi]: [number, number]) {
  const q = randomVector(rng, d);
  const k = randomMatrix(rng, m, d).sort((a, b) => order * (dot(q, a) - dot(q, b)));
  const v = Array.from({ length: m }, () => Array.from({ length: dv }, () => tidy(rng.uniform(lo, hi))));
  return { q, k, v };
}

export default defineExercise<Args, number[]>({
  entry: 'flashAttentionRow',
  signature: 'flashAttentionRow(q: Vector, blocks: Iterable<{ k: Matrix; v: Matrix }>): Vector',
  cases: (rng) => {
    const cases: { name: string; args: Args }[] = [{ name: 'the lesson example (2 blocks; the largest score is in the second)', args: [lessonQ, readOnce(lessonBlocks)] }];
    {
      const [d, dv] = [rng.int(4, 8), rng.int(2, 5)];
      const blocks = randomBlocks(rng, 3, 4, d, dv);
      cases.push({ name: `random, 3 blocks of ${sizesOf(blocks)} keys (d=${d}, dv=${dv})`, args: [randomVector(rng, d), readOnce(blocks)] });
    }
    {
      const d = rng.int(3, 6);
      cases.push({ name: `one block of 5 keys (plain attention for one query; d=${d})`, args: [randomVector(rng, d), readOnce([{ k: randomMatrix(rng, 5, d), v: randomMatrix(rng, 5, 3) }])] });
    }
    cases.push({ name: 'a stream of single keys (6 blocks of 1)', args: [randomVector(rng, 4), readOnce(toBlocks(randomMatrix(rng, 6, 4), randomMatrix(rng, 6, 2), [1, 1, 1, 1, 1, 1]))] });
    {
      // The last block holds a key along q whose score is 5 above every other: every earlier block must be rescaled.
      const d = rng.int(4, 6);
      const q = randomVector(rng, d);
      const blocks = randomBlocks(rng, 3, 3, d, 3);
      const best = Math.max(...blocks.flatMap((b) => b.k.map((kj) => dot(q, kj) / Math.sqrt(d))));
      const c = ((best + 5) * Math.sqrt(d)) / dot(q, q);
      blocks.push({ k: [q.map((x) => tidy(c * x))], v: randomMatrix(rng, 1, 3) });
      cases.push({ name: `the largest score comes in the last block (4 blocks of ${sizesOf(blocks)}; every earlier block must be rescaled)`, args: [q, readOnce(blocks)] });
    }
    cases.push({ name: 'scores near −1000 (−1001 and −1008, then −1000): the max must start at −Infinity', args: [[-32, -32, -32, -32], readOnce(negativeBlocks)] });
    cases.push({ name: 'scores near +1000 (1000 and 1001, then 1008): no overflow allowed', args: [[32, 32, 32, 32], readOnce(largeBlocks)] });
    {
      const blocks = [{ k: [], v: [] }, ...randomBlocks(rng, 2, 3, 4, 3)];
      cases.push({ name: `an empty block first (blocks of ${sizesOf(blocks)} keys: no −∞ − (−∞) allowed)`, args: [randomVector(rng, 4), readOnce(blocks)] });
    }
    cases.push({ name: 'no blocks at all (no keys and no value width: the output is [])', args: [randomVector(rng, 4), readOnce([])] });
    {
      const blocks = randomBlocks(rng, 5, 4, 16, 8);
      cases.push({ name: `a wide head, 5 blocks of ${sizesOf(blocks)} keys (d=16, dv=8)`, args: [randomVector(rng, 16), readOnce(blocks)] });
    }
    return cases;
  },
  reference: ({ tf }: ReferenceContext, q, blocks) => {
    // The reference may gather every block first: it is the full softmax over all keys at once.
    const k: number[][] = [];
    const v: number[][] = [];
    for (const block of blocks) {
      k.push(...block.k);
      v.push(...block.v);
    }
    if (k.length === 0) return [];
    const scoresT = tf.div(tf.matMul(tf.tensor2d([q]), tf.tensor2d(k), false, true), Math.sqrt(q.length));
    return tf.reshape(tf.matMul(tf.softmax(scoresT), tf.tensor2d(v)), [v[0].length]);
  },
  // The one-pass state after each block, in float64: what a learner can print inside their loop.
  trace: (_ctx, q, blocks) => {
    const states: { max: number; sum: number; out: number[] }[] = [];
    online(q, blocks, { record: (state) => states.push(state) });
    return { runningMax: states.map((s) => s.max), runningSum: states.map((s) => s.sum), runningOut: states.map((s) => s.out) };
  },
  properties: [
    {
      name: 'splitting the same keys into other blocks gives the same output',
      cases: (rng) =>
        [[3, 2, 2], [1, 1, 1, 1, 1, 1, 1]].map((sizes) => {
          const { q, k, v } = sortedKeys(rng, 7, 4, 3, 1, [-1, 1]);
          return { name: `7 keys in rising score order, one block of 7, then blocks of [${sizes.join(', ')}]`, calls: [[q, toBlocks(k, v, [7])], [q, toBlocks(k, v, sizes)]] as Args[] };
        }),
      holds: rows(([whole, split], calls) => {
        const difference = listDifference(whole, split);
        if (!difference) return undefined;
        return (
          `The same ${[...calls[0][1]][0].k.length} keys and values give a different output in one block and in blocks of ${sizesOf([...calls[1][1]])} (${difference}). ` +
          'After every block ℓ = Σ exp(s_j − m) and o = Σ exp(s_j − m)·v_j over the keys seen so far, whatever the blocks were: when the max grows to m′, both are multiplied by c = exp(m − m′), which is below 1.'
        );
      }),
    },
    {
      name: 'each output entry lies between the smallest and largest value in its column',
      cases: (rng) =>
        [[2, 2, 2], [1, 3, 2]].map((sizes) => {
          const { q, k, v } = sortedKeys(rng, 6, 4, 2, -1, [1, 2]);
          return { name: `6 keys in falling score order, blocks of [${sizes.join(', ')}], values between 1 and 2`, calls: [[q, toBlocks(k, v, sizes)]] as Args[] };
        }),
      holds: rows(([out], [[, blocks]]) => {
        const v = [...blocks].flatMap((b) => b.v);
        const c = out.findIndex((o, col) => !(o >= Math.min(...v.map((row) => row[col])) - 1e-6 && o <= Math.max(...v.map((row) => row[col])) + 1e-6));
        if (c < 0 && out.length === v[0].length) return undefined;
        if (c < 0) return `Your output has ${out.length} entries; the values have ${v[0].length} columns, and the output has one entry per column.`;
        const column = v.map((row) => row[c]);
        return (
          `Your output's entry ${c} is ${show(out[c])}, outside the values of column ${c}, which run from ${show(Math.min(...column))} to ${show(Math.max(...column))}. ` +
          'o / ℓ is a weighted average of the value rows with weights exp(s_j − m) / ℓ, positive and adding up to 1, so it cannot leave their range: in the lesson example [1.801785, 1.729600] lies between [0, 0] and [2, 2].'
        );
      }),
    },
  ],
  misconceptions: [
    {
      id: 'max-starts-at-zero',
      title: { en: 'the running max starts at 0 instead of −Infinity', 'zh-CN': '累计最大值从 0 开始，而不是 −Infinity' },
      message: {
        en:
          'Your running max starts at 0, so while every score is below 0 it stays at 0. With scores near −1000, exp(score − 0) underflows to 0 for every key, ' +
          'the running sum ends at 0 and the output is 0/0 = NaN (or zeros, if you guard it). Start the max at −Infinity: the first block then sets it to its own largest score.',
        'zh-CN':
          '你的累计最大值从 0 开始，所以只要所有分数都低于 0，它就一直停在 0。分数接近 −1000 时，每个键的 exp(score − 0) 都下溢为 0，' +
          '累计和最终为 0，输出是 0/0 = NaN（如果你加了保护，则是全零）。应当从 −Infinity 开始：这样第一块就会把它设为自己的最大分数。',
      },
      hint: {
        en: 'Try a single block of scores near −1000: your running max never moves. What starting value does a maximum of nothing take?',
        'zh-CN': '试试只有一块、分数都接近 −1000 的情况：你的累计最大值一动不动。对空集合取最大值，初始值应该是多少？',
      },
      wrong: (_ctx, q, blocks) => {
        const list = [...blocks];
        return anyOf(online(q, list, { maxStart: 0 }), online(q, list, { maxStart: 0 }).map((x) => (Number.isNaN(x) ? 0 : x)));
      },
    },
    {
      id: 'output-not-rescaled',
      title: { en: 'the running output is not rescaled when the max grows', 'zh-CN': '最大值增大时没有重新缩放累计输出' },
      message: {
        en:
          'You rescale the running sum by exp(m − m′) when a block raises the max, but not the running output. The earlier blocks\' contributions were computed relative to the old max, ' +
          'so they stay too large by a factor exp(m′ − m): early blocks get too much weight. Rescale both: ℓ = c·ℓ + Σp and o = c·o + p·V with c = exp(m − m′).',
        'zh-CN':
          '当某一块抬高了最大值时，你用 exp(m − m′) 重新缩放了累计和，却没有缩放累计输出。之前各块的贡献是相对旧最大值计算的，' +
          '所以它们大了 exp(m′ − m) 倍：前面的块得到了过多的权重。两者都要重新缩放：ℓ = c·ℓ + Σp，o = c·o + p·V，其中 c = exp(m − m′)。',
      },
      hint: {
        en: 'When a block raises the max, everything summed so far was measured against the old max. Which of your running quantities did you bring to the new one, and which not?',
        'zh-CN': '当某一块抬高了最大值时，之前累加的所有东西都是相对旧最大值度量的。你的累计量中，哪些换算到了新的最大值，哪些没有？',
      },
      wrong: (_ctx, q, blocks) => online(q, blocks, { rescaleOutput: false }),
    },
    {
      id: 'sum-not-rescaled',
      title: { en: 'the running sum is not rescaled when the max grows', 'zh-CN': '最大值增大时没有重新缩放累计和' },
      message: {
        en:
          'You rescale the running output by exp(m − m′) when a block raises the max, but not the running sum ℓ, so the final division uses a sum measured against the wrong max. ' +
          'Both must be rescaled by the same c = exp(m − m′): ℓ = c·ℓ + Σp.',
        'zh-CN':
          '当某一块抬高了最大值时，你用 exp(m − m′) 重新缩放了累计输出，却没有缩放累计和 ℓ，所以最后除的是相对错误最大值度量的和。' +
          '两者都必须乘以同一个 c = exp(m − m′)：ℓ = c·ℓ + Σp。',
      },
      hint: {
        en: 'When a block raises the max, everything summed so far was measured against the old max. Is your running sum brought to the new max as well as the output?',
        'zh-CN': '当某一块抬高了最大值时，之前累加的所有东西都是相对旧最大值度量的。你的累计和是否也和输出一样换算到了新的最大值？',
      },
      wrong: (_ctx, q, blocks) => online(q, blocks, { rescaleSum: false }),
    },
    {
      id: 'not-divided-by-sum',
      title: { en: 'the output is not divided by the running sum at the end', 'zh-CN': '最后没有把输出除以累计和' },
      message: {
        en:
          'Your output is Σ exp(s_j − m)·v_j without the final division by ℓ = Σ exp(s_j − m): the weights do not add up to 1. ' +
          'The online algorithm postpones the normalisation to the very end: return o / ℓ.',
        'zh-CN':
          '你的输出是 Σ exp(s_j − m)·v_j，最后没有除以 ℓ = Σ exp(s_j − m)：权重之和不为 1。' +
          '在线算法把归一化推迟到最后一步：返回 o / ℓ。',
      },
      hint: {
        en: 'Your weights do not add up to 1. Which single division does the online algorithm save for the very end?',
        'zh-CN': '你的权重之和不为 1。在线算法留到最后才做的那一次除法是什么？',
      },
      wrong: (_ctx, q, blocks) => online(q, blocks, { divide: false }),
    },
    {
      id: 'blocks-averaged',
      title: { en: 'each block normalised on its own, and the block outputs averaged', 'zh-CN': '每块单独归一化，再对各块的输出取平均' },
      message: {
        en:
          'You take a softmax within each block and average the blocks\' outputs, as if every block carried the same total weight. A block whose scores are higher ' +
          'must count for more: keep one running max, one running sum and one running output across all the blocks, and normalise once at the end.',
        'zh-CN':
          '你在每一块内部做 softmax，再对各块的输出取平均，就好像每块的总权重都一样。分数更高的块' +
          '理应占更大的比重：在所有块之间维护同一个累计最大值、同一个累计和以及同一个累计输出，最后只归一化一次。',
      },
      hint: {
        en: 'Give one block much higher scores than the other: it should dominate, but averaging gives both the same say. Keep one running state across all the blocks.',
        'zh-CN': '让一块的分数远高于另一块：它应该占主导，但取平均会让两块的话语权一样。在所有块之间维护同一套累计状态。',
      },
      wrong: (_ctx, q, blocks) => averagedBlocks(q, blocks),
    },
    {
      id: 'empty-block-nan',
      title: { en: 'an empty first block gives NaN (exp(−∞ − (−∞)))', 'zh-CN': '第一块为空时得到 NaN（exp(−∞ − (−∞))）' },
      message: {
        en:
          'When a block has no keys while nothing has been seen yet, the max stays −Infinity, and the rescale factor exp(m − m′) = exp(−∞ − (−∞)) = exp(NaN) is NaN: ' +
          'it poisons the running sum for good. Skip an empty block, or take the factor as 0 while m is −Infinity (FlashAttention\'s kernel does the latter).',
        'zh-CN':
          '当某一块没有键、而此前什么都还没见过时，最大值仍是 −Infinity，重新缩放因子 exp(m − m′) = exp(−∞ − (−∞)) = exp(NaN) 是 NaN：' +
          '它会永久污染累计和。要么跳过空块，要么在 m 为 −Infinity 时把这个因子取为 0（FlashAttention 的内核用的是后一种做法）。',
      },
      hint: {
        en: 'Follow an empty first block through your update: what is exp(−Infinity − (−Infinity))? Decide what an empty block changes before computing it.',
        'zh-CN': '让一个空的第一块走一遍你的更新：exp(−Infinity − (−Infinity)) 等于多少？在计算之前先想清楚空块会改变什么。',
      },
      wrong: (_ctx, q, blocks) => online(q, blocks, { guardEmpty: false }),
    },
    {
      id: 'no-running-max',
      title: { en: 'exponentials of the raw scores (no running max)', 'zh-CN': '直接对原始分数取指数（没有累计最大值）' },
      message: {
        en:
          'You add up exp(score) without subtracting any max. With scores near +1000 Math.exp overflows to Infinity (near −1000 it underflows to 0) and the result is NaN. ' +
          'Keep a running max m, exponentiate exp(score − m), and rescale what you have summed so far by exp(m − m′) whenever the max grows.',
        'zh-CN':
          '你直接累加 exp(score)，没有减去任何最大值。分数接近 +1000 时 Math.exp 上溢为 Infinity（接近 −1000 时下溢为 0），结果是 NaN。' +
          '维护一个累计最大值 m，计算 exp(score − m)，并在最大值增大时把已累加的部分乘以 exp(m − m′) 重新缩放。',
      },
      hint: {
        en: 'Try scores near 1000: Math.exp overflows. Keep the largest score seen so far and exponentiate relative to it.',
        'zh-CN': '试试接近 1000 的分数：Math.exp 会上溢。记住到目前为止见过的最大分数，相对它来取指数。',
      },
      wrong: (_ctx, q, blocks) => online(q, blocks, { noMax: true }),
    },
    {
      id: 'no-scaling',
      title: { en: 'scores not divided by √d', 'zh-CN': '分数没有除以 √d' },
      message: {
        en: 'Your online softmax is right but the scores are q·k without the 1/√d, so the weights come out too sharp. Divide every score by Math.sqrt(d), with d = q.length.',
        'zh-CN': '你的在线 softmax 是对的，但分数是不带 1/√d 的 q·k，所以权重过于尖锐。把每个分数除以 Math.sqrt(d)，d = q.length。',
      },
      hint: {
        en: 'Compare your scores with the formula of scaled dot-product attention: something divides them before the softmax.',
        'zh-CN': '把你的分数和缩放点积注意力的公式对比一下：在 softmax 之前，分数还要先除以某个量。',
      },
      wrong: (_ctx, q, blocks) => online(q, blocks, { scale: 1 }),
    },
  ],
  hints: [
    {
      en: 'Keep three things as you go through the blocks: the largest score so far m, the sum ℓ of exp(score − m) so far, and the weighted sum o of value rows so far (same scale as ℓ). Divide o by ℓ once, at the end.',
      'zh-CN': '遍历各块时维护三样东西：到目前为止的最大分数 m，到目前为止 exp(score − m) 的和 ℓ，以及到目前为止值行的加权和 o（与 ℓ 同一尺度）。最后把 o 除以 ℓ，只除一次。',
    },
    {
      en: 'For each block: m′ = max(m, its largest score); c = exp(m − m′); ℓ = c·ℓ + Σ_j exp(s_j − m′); o = c·o + Σ_j exp(s_j − m′)·v_j; m = m′. Start with m = −Infinity, ℓ = 0 and o = zeros (of the width of v, known from the first block with keys).',
      'zh-CN': '对每一块：m′ = max(m, 本块的最大分数)；c = exp(m − m′)；ℓ = c·ℓ + Σ_j exp(s_j − m′)；o = c·o + Σ_j exp(s_j − m′)·v_j；m = m′。初始时 m = −Infinity，ℓ = 0，o = 全零（宽度与 v 相同，从第一个有键的块得知）。',
    },
    {
      en: 'The edge cases: scores near −1000 need m to start at −Infinity, not 0; an empty block (no keys) must not compute exp(−∞ − (−∞)) — skip it; with no keys at all, return [] (there is no value width to fill).',
      'zh-CN': '边界情况：分数接近 −1000 时，m 必须从 −Infinity 而不是 0 开始；空块（没有键）不能去算 exp(−∞ − (−∞))——跳过它；完全没有键时返回 []（没有值的宽度可以填充）。',
    },
  ],
});
