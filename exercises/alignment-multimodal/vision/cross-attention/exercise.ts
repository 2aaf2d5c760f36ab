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
      title: 'keys and values from the queries (self-attention)',
      message:
        'Your keys and values are queries·wk and queries·wv, so the queries attend to one another: query 0 of the lesson gets [1.5, 0.5] instead of [0.751745, 0.751745]. In the Q-Former\'s cross-attention the keys and values come from the image features (encoder_hidden_states): k = image·wk, v = image·wv.',
      hint: 'Which argument does the image come in by, and where in your code is it used? wk and wv are [Dimg, C]: what must they multiply?',
      wrong: (_ctx, queries, image, w, H) => {
        notApplicable(queries, w);
        return crossSteps(queries, image, w, H, { keysFrom: 'queries' }).output;
      },
    },
    {
      id: 'scale-by-c',
      title: 'scores divided by √C instead of √d_head',
      message:
        'Your scores are divided by √C, the width of all the heads together; each head\'s dot products run over d_head = C/numHeads numbers, and the scale is 1/√d_head. On the lesson example in 2 heads of width 1, query 0 gets [0.802224, 0.802224] instead of [0.844638, 0.844638].',
      hint: 'With 2 heads of width 1, how many products does each dot product add up? What should the scores be divided by?',
      wrong: (_ctx, queries, image, w, H) => crossSteps(queries, image, w, H, { scale: (C) => 1 / Math.sqrt(C) }).output,
    },
    {
      id: 'heads-interleaved',
      title: 'heads taken as interleaved columns (h, h + H, h + 2H, …)',
      message:
        'Your head h is made of columns h, h + numHeads, h + 2·numHeads, … of q, k and v. Here, as in the Q-Former\'s transpose_for_scores, a head is a contiguous block: head h is columns h·d … (h+1)·d − 1 (a view [Q, H, d]). ' +
        'On the lesson\'s queries and image with C = 4 in 2 heads, query 0 gets [0.912051, 0.802224, 1.733681, −0.203336] instead of [0.751745, 0.751745, 1.672842, 0].',
      hint: 'With C = 4 and 2 heads, which columns of q make up head 0: 0 and 1, or 0 and 2?',
      wrong: (_ctx, queries, image, w, H) => anyOf(crossSteps(queries, image, w, H, { split: 'interleaved' }).output, crossSteps(queries, image, w, H, { split: 'interleaved', merge: 'contiguous' }).output),
    },
    {
      id: 'no-scaling',
      title: 'scores not scaled by 1/√d_head',
      message:
        'Your scores are q·kᵀ without the 1/√d_head, so the softmax comes out too sharp: query 0 of the lesson gets [0.788058, 0.788058] instead of [0.751745, 0.751745]. Divide every score by √d_head.',
      hint: 'In the lesson, query 0\'s scores are [0.707107, 0.707107, 1.414214]. Are yours [1, 1, 2]?',
      wrong: (_ctx, queries, image, w, H) => crossSteps(queries, image, w, H, { scale: () => 1 }).output,
    },
    {
      id: 'softmax-over-queries',
      title: 'softmax over the queries instead of over the image tokens',
      message:
        'Your softmax normalises each image token\'s scores over the queries (the columns of the [Q, M] score matrix) instead of each query\'s scores over the image tokens (its row): query 0 of the lesson gets [0.830238, 1.169762] instead of [0.751745, 0.751745]. Each query\'s weights over the M tokens must add up to 1.',
      hint: 'Add up query 0\'s weights in the lesson: do they sum to 1 over the 3 image tokens?',
      wrong: (_ctx, queries, image, w, H) => crossSteps(queries, image, w, H, { softmaxOver: 'queries' }).output,
    },
  ],
  hints: [
    'Project first: q = queries·wq [Q, C], k = image·wk and v = image·wv [M, C]. Then work one head at a time on its own block of d_head = C/numHeads columns.',
    'In head h, the scores are q_h·k_hᵀ/√d_head, [Q, M]; softmax each row (a query over the image tokens) and multiply by v_h. Put the heads side by side in column order and multiply by wo. With M = 0 there is nothing to attend to: every row is zeros.',
    'The key idea: the queries ask, the image answers. Only the queries go through wq; the keys and values both come from the image, so the output has one row per query whatever the number of image tokens.',
  ],
});
