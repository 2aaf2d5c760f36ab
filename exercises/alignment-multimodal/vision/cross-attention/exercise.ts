import { anyOf, defineExercise, matmul, plural, randomMatrix, type Rng } from 'llm-tutor/pack';
import { isMatrix, matricesAgree, shuffled, wrongKind } from '../../../transformer-core/properties.js';

interface Weights {
  wq: number[][];
  wk: number[][];
  wv: number[][];
  wo: number[][];
}
type Args = [queries: number[][], image: number[][], w: Weights, numHeads: number];

const identity = (n: number) => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
const identity2 = () => identity(2);
/** The lesson's widening to C = 4: columns 0 and 1 the identity, columns 2 and 3 the sum and the difference. */
const widen = () => [
  [1, 0, 1, 1],
  [0, 1, 1, -1],
];

/** The lesson's example: 2 queries and 3 image tokens of width 2, C = 2, every weight the 2×2 identity. */
export const lessonQueries = [
  [1, 1],
  [2, 0],
];
export const lessonImage = [
  [1, 0],
  [0, 1],
  [1, 1],
];
export const lessonWeights = (): Weights => ({ wq: identity2(), wk: identity2(), wv: identity2(), wo: identity2() });

interface Variant {
  /** Where keys and values come from: the image features (cross-attention) or the queries (self-attention). */
  keysFrom?: 'image' | 'queries';
  /** The scale of the scores from C and d_head; default 1/√d_head. */
  scale?: (C: number, dHead: number) => number;
  /** The axis the softmax normalises: over the image tokens for each query (right), or over the queries for each token. */
  softmaxOver?: 'tokens' | 'queries';
  /** Which columns make head h: a contiguous block (right), or columns h, h + H, h + 2H, … */
  split?: 'contiguous' | 'interleaved';
  /** Where head h's outputs go back: the columns it was taken from (default), or a contiguous block. */
  merge?: 'same' | 'contiguous';
}

/** Softmax of a list, its maximum subtracted. */
function softmax(xs: number[]): number[] {
  const max = Math.max(...xs);
  const e = xs.map((x) => Math.exp(x - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / sum);
}

/** The columns of head h among H heads of width D: h·D … h·D + D − 1, or h, h + H, … when interleaved. */
const headColumns = (h: number, D: number, H: number, split: Variant['split']) => Array.from({ length: D }, (_, d) => (split === 'interleaved' ? d * H + h : h * D + d));

/**
 * Q-Former cross-attention in float64, step by step: q = queries·wq, k = image·wk,
 * v = image·wv; per head (contiguous column blocks of width D = C/H) the scores
 * q·kᵀ·scale and their softmax over the image tokens; the heads side by side, times wo.
 * With no image token every query gets zeros.
 */
export function crossSteps(queries: number[][], image: number[][], w: Weights, numHeads: number, variant: Variant = {}) {
  const C = w.wq[0].length;
  const D = C / numHeads;
  const Dout = w.wo[0].length;
  const source = variant.keysFrom === 'queries' ? queries : image;
  const q = matmul(queries, w.wq);
  const M = source.length;
  const k = M === 0 ? [] : matmul(source, w.wk);
  const v = M === 0 ? [] : matmul(source, w.wv);
  const scale = variant.scale ? variant.scale(C, D) : 1 / Math.sqrt(D);
  const columns = Array.from({ length: numHeads }, (_, h) => headColumns(h, D, numHeads, variant.split));
  const scores = columns.map((cols) => q.map((qi) => k.map((kj) => scale * cols.reduce((acc, c) => acc + qi[c] * kj[c], 0))));
  const weights = scores.map((s) => {
    if (M === 0) return s.map(() => []);
    if (variant.softmaxOver !== 'queries') return s.map(softmax);
    const columns = s[0].map((_, j) => softmax(s.map((row) => row[j])));
    return s.map((row, i) => row.map((_, j) => columns[j][i]));
  });
  const merged = q.map(() => new Array<number>(C).fill(0));
  columns.forEach((cols, h) =>
    cols.forEach((c, d) => {
      const to = variant.merge === 'contiguous' ? h * D + d : c;
      q.forEach((_, i) => (merged[i][to] = weights[h][i].reduce((acc, p, j) => acc + p * v[j][c], 0)));
    }),
  );
  const output = merged.map((row) => Array.from({ length: Dout }, (_, o) => row.reduce((acc, x, c) => acc + x * w.wo[c][o], 0)));
  return { steps: { q, k, v, scores, weights, merged }, output };
}

/** Random weights for widths Dq, Dimg, C and Dout, standard deviation 1/√(fan-in). */
function randomWeights(rng: Rng, Dq: number, Dimg: number, C: number, Dout: number): Weights {
  const weight = (rows: number, cols: number) => randomMatrix(rng, rows, cols, 1 / Math.sqrt(rows));
  return { wq: weight(Dq, C), wk: weight(Dimg, C), wv: weight(Dimg, C), wo: weight(C, Dout) };
}

/** A random case: Q queries of width Dq, M image tokens of width Dimg, H heads sharing C, output width Dout. */
function randomCase(rng: Rng, Q: number, Dq: number, M: number, Dimg: number, C: number, H: number, Dout: number): Args {
  return [randomMatrix(rng, Q, Dq), randomMatrix(rng, M, Dimg), randomWeights(rng, Dq, Dimg, C, Dout), H];
}

const shape = (Q: number, Dq: number, M: number, Dimg: number, C: number, H: number, Dout: number) =>
  `${Q} queries of ${Dq}, ${plural(M, 'image token')} of ${Dimg}, C=${C} in ${plural(H, 'head')}, Dout=${Dout}`;

function cases(rng: Rng): { name: string; args: Args; expected?: number[][] }[] {
  const random = (Q: number, Dq: number, M: number, Dimg: number, C: number, H: number, Dout: number, what = '') =>
    ({ name: `random${what}: ${shape(Q, Dq, M, Dimg, C, H, Dout)}`, args: randomCase(rng, Q, Dq, M, Dimg, C, H, Dout) });
  return [
    // PyTorch 1.13, float64, per head: q = queries @ wq; k = image @ wk; v = image @ wv;
    // torch.softmax(q_h @ k_h.T / sqrt(d_head), dim=-1) @ v_h, the heads concatenated, @ wo.
    {
      name: 'the lesson example: 2 queries, 3 image tokens, C=2, one head, identity weights',
      args: [lessonQueries, lessonImage, lessonWeights(), 1],
      expected: [
        [0.7517449217422769, 0.7517449217422769],
        [0.8916165482152063, 0.5541917258923967],
      ],
    },
    {
      name: 'the lesson example in 2 heads of width 1',
      args: [lessonQueries, lessonImage, lessonWeights(), 2],
      expected: [
        [0.8446375965030364, 0.8446375965030364],
        [0.9366210616669624, 0.6666666666666666],
      ],
    },
    {
      name: 'the lesson\'s queries and image with C=4 in 2 heads of 2: wq = wk = wv = [[1, 0, 1, 1], [0, 1, 1, −1]], wo = I',
      args: [lessonQueries, lessonImage, { wq: widen(), wk: widen(), wv: widen(), wo: identity(4) }, 2],
      expected: [
        [0.7517449217422769, 0.7517449217422769, 1.6728417983759771, 0],
        [0.8916165482152063, 0.5541917258923967, 1.4856477146303333, 0.45694314389099944],
      ],
    },
    random(4, 6, 5, 8, 8, 2, 6, ', image wider than the queries'),
    random(3, 4, 7, 4, 6, 3, 5, ', queries and image of one width'),
    random(8, 4, 16, 6, 8, 4, 4, ', 8 queries over 16 tokens'),
    random(2, 5, 1, 3, 4, 2, 3, ', a single image token (every weight is 1)'),
    { name: `no image tokens (M = 0): zeros, ${shape(3, 4, 0, 4, 4, 2, 2)}`, args: [randomMatrix(rng, 3, 4), [], randomWeights(rng, 4, 4, 4, 2), 2] },
  ];
}

const notApplicable = (queries: number[][], w: Weights) => {
  if (queries[0].length !== w.wk.length) throw new Error('not applicable: the queries are not as wide as the image features, so wk cannot project them');
};

export default defineExercise<Args, number[][]>({
  entry: 'crossAttention',
  signature: 'crossAttention(queries: Matrix, image: Matrix, w: { wq: Matrix; wk: Matrix; wv: Matrix; wo: Matrix }, numHeads: number): Matrix',
  inputsReadOnly: true,
  cases,
  reference: (_ctx, queries, image, w, numHeads) => crossSteps(queries, image, w, numHeads).output,
  trace: (_ctx, queries, image, w, numHeads) => crossSteps(queries, image, w, numHeads).steps,
  properties: [
    {
      name: 'permuting the image tokens leaves the output unchanged',
      cases: (rng) => {
        const [queries, image, w] = randomCase(rng, 3, 4, 5, 6, 4, 2, 3);
        const order = shuffled(rng, 5);
        return [{ name: `${shape(3, 4, 5, 6, 4, 2, 3)}, tokens in the order [${order.join(', ')}]`, calls: [[queries, image, w, 2], [queries, order.map((j) => image[j]), w, 2]] as Args[] }];
      },
      holds: matricesAgree<Args>(
        'crossAttention',
        ([before, after]) => [before, after],
        (difference) =>
          `Shuffling the image tokens changed your output (before, then after: ${difference}). Cross-attention has no positions: each query weighs every token by its score, so the order in which the tokens come cannot matter.`,
      ),
    },
    {
      name: 'the output is [Q, Dout] whatever the number of image tokens',
      cases: (rng) => {
        const [queries, , w] = randomCase(rng, 4, 3, 1, 5, 4, 2, 3);
        return [{ name: '4 queries, Dout=3, with 1, 6 and 20 image tokens', calls: [1, 6, 20].map((M) => [queries, randomMatrix(rng, M, 5), w, 2]) as Args[] }];
      },
      holds: (outputs, calls) => {
        const odd = wrongKind('crossAttention', 'a matrix', outputs, isMatrix);
        if (odd) return odd;
        const [queries, , w] = calls[0];
        const want = `[${queries.length}, ${w.wo[0].length}]`;
        const k = (outputs as number[][][]).findIndex((out) => `[${out.length}, ${out[0].length}]` !== want);
        if (k < 0) return undefined;
        const out = outputs[k] as number[][];
        return `With ${plural(calls[k][1].length, 'image token')} your output is [${out.length}, ${out[0].length}]; it must be ${want}, one row of width Dout per query. The queries ask and the image tokens answer: the number of tokens only changes how many values each weighted sum runs over.`;
      },
    },
    {
      name: 'changing one query leaves the other queries\' outputs unchanged',
      cases: (rng) => {
        const [queries, image, w] = randomCase(rng, 3, 4, 5, 4, 4, 2, 4);
        const changed = [randomMatrix(rng, 1, 4)[0], ...queries.slice(1)];
        return [{ name: `${shape(3, 4, 5, 4, 4, 2, 4)}, query 0 replaced`, calls: [[queries, image, w, 2], [changed, image, w, 2]] as Args[] }];
      },
      holds: matricesAgree<Args>(
        'crossAttention',
        ([before, after]) => [before.slice(1), after.slice(1)],
        (difference) =>
          `Replacing query 0 changed the outputs of the other queries (rows 1 on, before then after: ${difference}). Each query's softmax runs over the image tokens, along its own row of scores; a softmax over the queries axis lets the queries compete with one another.`,
      ),
    },
  ],
  misconceptions: [
    {
      id: 'keys-from-queries',
      title: { en: 'keys and values from the queries (self-attention)', 'zh-CN': '键和值取自查询（变成了自注意力）' },
      message: {
        en:
          'Your keys and values are queries·wk and queries·wv, so the queries attend to one another: query 0 of the lesson gets [1.5, 0.5] instead of [0.751745, 0.751745]. In the Q-Former\'s cross-attention the keys and values come from the image features (encoder_hidden_states): k = image·wk, v = image·wv.',
        'zh-CN':
          '你的键和值是 queries·wk 和 queries·wv，于是查询之间互相关注：课程例子的查询 0 得到 [1.5, 0.5] 而不是 [0.751745, 0.751745]。在 Q-Former 的交叉注意力中，键和值来自图像特征（encoder_hidden_states）：k = image·wk，v = image·wv。',
      },
      hint: {
        en: 'Which argument does the image come in by, and where in your code is it used? wk and wv are [Dimg, C]: what must they multiply?',
        'zh-CN': '图像是通过哪个参数传进来的？你的代码在哪里用到了它？wk 和 wv 的形状是 [Dimg, C]：它们应该乘以什么？',
      },
      wrong: (_ctx, queries, image, w, H) => {
        notApplicable(queries, w);
        return crossSteps(queries, image, w, H, { keysFrom: 'queries' }).output;
      },
    },
    {
      id: 'scale-by-c',
      title: { en: 'scores divided by √C instead of √d_head', 'zh-CN': '分数除以 √C 而不是 √d_head' },
      message: {
        en:
          'Your scores are divided by √C, the width of all the heads together; each head\'s dot products run over d_head = C/numHeads numbers, and the scale is 1/√d_head. On the lesson example in 2 heads of width 1, query 0 gets [0.802224, 0.802224] instead of [0.844638, 0.844638].',
        'zh-CN':
          '你的分数除以 √C，即所有头加起来的宽度；每个头的点积只在 d_head = C/numHeads 个数上求和，缩放应为 1/√d_head。在课程例子改用 2 个宽度为 1 的头时，查询 0 得到 [0.802224, 0.802224] 而不是 [0.844638, 0.844638]。',
      },
      hint: {
        en: 'With 2 heads of width 1, how many products does each dot product add up? What should the scores be divided by?',
        'zh-CN': '2 个宽度为 1 的头时，每个点积累加了多少个乘积？分数应该除以什么？',
      },
      wrong: (_ctx, queries, image, w, H) => crossSteps(queries, image, w, H, { scale: (C) => 1 / Math.sqrt(C) }).output,
    },
    {
      id: 'heads-interleaved',
      title: { en: 'heads taken as interleaved columns (h, h + H, h + 2H, …)', 'zh-CN': '把头取成交错的列（h, h + H, h + 2H, …）' },
      message: {
        en:
          'Your head h is made of columns h, h + numHeads, h + 2·numHeads, … of q, k and v. Here, as in the Q-Former\'s transpose_for_scores, a head is a contiguous block: head h is columns h·d … (h+1)·d − 1 (a view [Q, H, d]). ' +
          'On the lesson\'s queries and image with C = 4 in 2 heads, query 0 gets [0.912051, 0.802224, 1.733681, −0.203336] instead of [0.751745, 0.751745, 1.672842, 0].',
        'zh-CN':
          '你的头 h 由 q、k、v 的第 h、h + numHeads、h + 2·numHeads、… 列组成。这里和 Q-Former 的 transpose_for_scores 一样，一个头是一个连续的列块：头 h 是第 h·d … (h+1)·d − 1 列（即视图 [Q, H, d]）。在课程的查询和图像上取 C = 4、分成 2 个头时，查询 0 得到 [0.912051, 0.802224, 1.733681, −0.203336]，而不是 [0.751745, 0.751745, 1.672842, 0]。',
      },
      hint: {
        en: 'With C = 4 and 2 heads, which columns of q make up head 0: 0 and 1, or 0 and 2?',
        'zh-CN': 'C = 4、2 个头时，q 的哪几列组成头 0：第 0 和 1 列，还是第 0 和 2 列？',
      },
      wrong: (_ctx, queries, image, w, H) => anyOf(crossSteps(queries, image, w, H, { split: 'interleaved' }).output, crossSteps(queries, image, w, H, { split: 'interleaved', merge: 'contiguous' }).output),
    },
    {
      id: 'no-scaling',
      title: { en: 'scores not scaled by 1/√d_head', 'zh-CN': '分数没有乘以 1/√d_head' },
      message: {
        en: 'Your scores are q·kᵀ without the 1/√d_head, so the softmax comes out too sharp: query 0 of the lesson gets [0.788058, 0.788058] instead of [0.751745, 0.751745]. Divide every score by √d_head.',
        'zh-CN': '你的分数是没有 1/√d_head 的 q·kᵀ，所以 softmax 过于尖锐：课程例子的查询 0 得到 [0.788058, 0.788058] 而不是 [0.751745, 0.751745]。把每个分数都除以 √d_head。',
      },
      hint: {
        en: 'In the lesson, query 0\'s scores are [0.707107, 0.707107, 1.414214]. Are yours [1, 1, 2]?',
        'zh-CN': '在课程例子里，查询 0 的分数是 [0.707107, 0.707107, 1.414214]。你的是不是 [1, 1, 2]？',
      },
      wrong: (_ctx, queries, image, w, H) => crossSteps(queries, image, w, H, { scale: () => 1 }).output,
    },
    {
      id: 'softmax-over-queries',
      title: { en: 'softmax over the queries instead of over the image tokens', 'zh-CN': '在查询维度上而不是在图像 token 上做 softmax' },
      message: {
        en:
          'Your softmax normalises each image token\'s scores over the queries (the columns of the [Q, M] score matrix) instead of each query\'s scores over the image tokens (its row): query 0 of the lesson gets [0.830238, 1.169762] instead of [0.751745, 0.751745]. Each query\'s weights over the M tokens must add up to 1.',
        'zh-CN':
          '你的 softmax 把每个图像 token 的分数在各查询上归一化（[Q, M] 分数矩阵的列），而不是把每个查询的分数在各图像 token 上归一化（它的行）：课程例子的查询 0 得到 [0.830238, 1.169762] 而不是 [0.751745, 0.751745]。每个查询在 M 个 token 上的权重之和必须为 1。',
      },
      hint: {
        en: 'Add up query 0\'s weights in the lesson: do they sum to 1 over the 3 image tokens?',
        'zh-CN': '把课程例子中查询 0 的权重加起来：它们在 3 个图像 token 上的和是 1 吗？',
      },
      wrong: (_ctx, queries, image, w, H) => crossSteps(queries, image, w, H, { softmaxOver: 'queries' }).output,
    },
  ],
  hints: [
    {
      en: 'Project first: q = queries·wq [Q, C], k = image·wk and v = image·wv [M, C]. Then work one head at a time on its own block of d_head = C/numHeads columns.',
      'zh-CN': '先做投影：q = queries·wq [Q, C]，k = image·wk 和 v = image·wv [M, C]。然后一次处理一个头，每个头用它自己那一块 d_head = C/numHeads 列。',
    },
    {
      en:
        'In head h, the scores are q_h·k_hᵀ/√d_head, [Q, M]; softmax each row (a query over the image tokens) and multiply by v_h. Put the heads side by side in column order and multiply by wo. With M = 0 there is nothing to attend to: every row is zeros.',
      'zh-CN':
        '在头 h 中，分数为 q_h·k_hᵀ/√d_head，形状 [Q, M]；对每一行（一个查询在各图像 token 上）做 softmax，再乘以 v_h。把各个头按列的顺序并排拼起来，再乘以 wo。M = 0 时没有可关注的对象：每一行都是零。',
    },
    {
      en: 'The key idea: the queries ask, the image answers. Only the queries go through wq; the keys and values both come from the image, so the output has one row per query whatever the number of image tokens.',
      'zh-CN': '关键：查询提问，图像回答。只有查询经过 wq；键和值都来自图像，所以无论图像 token 有多少，输出都是每个查询一行。',
    },
  ],
});
