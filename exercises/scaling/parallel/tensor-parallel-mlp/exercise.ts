import { defineExercise, randomMatrix, type ReferenceContext, type Rng } from 'llm-tutor/pack';
import { addAll, columnBlocks, equalWidths, geluTanh, isMatrix, matrixDifference, mm, rowBlocks, tfGelu } from '../sharding-math.js';

interface MlpWeights {
  w1: number[][];
  w2: number[][];
}
type Args = [x: number[][], p: MlpWeights, ranks: number];
export interface TensorParallelMlp {
  partials: number[][][];
  out: number[][];
}

/** The lesson example: x [2, 4], w1 [4, 4] (hidden width 4), w2 [4, 4], on 2 ranks. */
export const lessonMlp: Args = [
  [
    [1, 0, -1, 2],
    [0, 1, 1, -1],
  ],
  {
    w1: [
      [1, 0, -1, 1],
      [0, 1, 1, 0],
      [0, -1, 1, 1],
      [1, 0, 0, -1],
    ],
    w2: [
      [1, -1, 0, 0],
      [0, 1, 1, 0],
      [1, 0, 0, 1],
      [0, 0, -1, 1],
    ],
  },
  2,
];

/** Each rank's pre-activations, activations and partial, the all-reduce: the steps and the output. */
function mlpSteps(tf: ReferenceContext['tf'], x: number[][], { w1, w2 }: MlpWeights, ranks: number) {
  const widths = equalWidths(w1[0].length, ranks);
  const w1Blocks = tf.split(tf.tensor2d(w1), widths, 1);
  const w2Blocks = tf.split(tf.tensor2d(w2), widths, 0);
  const xt = tf.tensor2d(x);
  const preActivations = w1Blocks.map((block) => tf.matMul(xt, block));
  const activations = preActivations.map((h) => tfGelu(tf, h));
  const partials = activations.map((a, r) => tf.matMul(a, w2Blocks[r]));
  return { steps: { 'x·W1_r': preActivations, 'gelu(x·W1_r)': activations, partials }, output: { partials, out: tf.addN(partials) } };
}

const gelu = (m: number[][]) => m.map((row) => row.map(geluTanh));

/** w1 cut by rows, x by the matching columns: each rank's GELU of a partial pre-activation, times all of w2. */
function rowsSplit(x: number[][], { w1, w2 }: MlpWeights, ranks: number) {
  const heights = equalWidths(w1.length, ranks);
  const w1Blocks = rowBlocks(w1, heights);
  const partials = columnBlocks(x, heights).map((xr, r) => mm(gelu(mm(xr, w1Blocks[r])), w2));
  return { partials, out: addAll(partials) };
}

/** Both layers split right but the GELU left until after the all-reduce. */
function geluAfterReduce(x: number[][], { w1, w2 }: MlpWeights, ranks: number) {
  const widths = equalWidths(w1[0].length, ranks);
  const w2Blocks = rowBlocks(w2, widths);
  const partials = columnBlocks(w1, widths).map((block, r) => mm(mm(x, block), w2Blocks[r]));
  return { partials, out: gelu(addAll(partials)) };
}

/** Random x [T, C] and an MLP C → hidden → C, pre-activations of spread about `scale`. */
function randomMlp(rng: Rng, tokens: number, width: number, hidden: number, scale = 1): [number[][], MlpWeights] {
  return [randomMatrix(rng, tokens, width, scale), { w1: randomMatrix(rng, width, hidden, 1 / Math.sqrt(width)), w2: randomMatrix(rng, hidden, width, 1 / Math.sqrt(hidden)) }];
}

function cases(rng: Rng): { name: string; args: Args }[] {
  return [
    { name: 'the lesson example: x [2, 4], hidden width 4 on 2 ranks', args: lessonMlp },
    { name: 'the lesson example on 4 ranks: one hidden unit each', args: [lessonMlp[0], lessonMlp[1], 4] },
    { name: 'one rank: the whole MLP', args: [...randomMlp(rng, 2, 4, 8), 1] },
    { name: "GPT-2's shape in miniature: C = 4, 4C = 16 on 4 ranks", args: [...randomMlp(rng, 3, 4, 16), 4] },
    { name: 'random: C = 6, hidden 12 on 3 ranks', args: [...randomMlp(rng, 2, 6, 12), 3] },
    { name: 'large pre-activations (x × 3), C = 4, hidden 8 on 2 ranks', args: [...randomMlp(rng, 2, 4, 8, 3), 2] },
  ];
}

const isResult = (o: unknown): o is TensorParallelMlp => {
  const r = o as TensorParallelMlp;
  return typeof o === 'object' && o !== null && Array.isArray(r.partials) && r.partials.every(isMatrix) && isMatrix(r.out);
};
const wrongKind = (out: unknown) => (isResult(out) ? undefined : `tensorParallelMlp must return { partials, out }, a list of matrices and a matrix; it returned ${JSON.stringify(out)?.slice(0, 80)}.`);

export default defineExercise<Args, TensorParallelMlp>({
  entry: 'tensorParallelMlp',
  signature: 'tensorParallelMlp(x: Matrix, p: { w1: Matrix; w2: Matrix }, ranks: number): { partials: Matrix[]; out: Matrix }',
  inputsReadOnly: true,
  cases,
  reference: ({ tf }, x, p, ranks) => mlpSteps(tf, x, p, ranks).output,
  trace: ({ tf }, x, p, ranks) => mlpSteps(tf, x, p, ranks).steps,
  properties: [
    {
      name: 'out is the unsplit MLP, gelu(x·w1)·w2, whatever the number of ranks',
      cases: (rng) => {
        const [x, p] = randomMlp(rng, 2, 4, 8);
        const [x2, p2] = randomMlp(rng, 3, 3, 12);
        return [
          { name: 'C = 4, hidden 8 on 1, 2, 4 and 8 ranks', calls: [1, 2, 4, 8].map((n): Args => [x, p, n]) },
          { name: 'C = 3 (which does not split), hidden 12 on 2, 3 and 6 ranks', calls: [2, 3, 6].map((n): Args => [x2, p2, n]) },
        ];
      },
      holds: (outputs, calls) => {
        for (let k = 0; k < outputs.length; k++) {
          const odd = wrongKind(outputs[k]);
          if (odd) return odd;
          const [x, { w1, w2 }, ranks] = calls[k];
          const difference = matrixDifference(outputs[k].out, mm(gelu(mm(x, w1)), w2));
          if (difference) {
            return (
              `On ${ranks} ranks your out and gelu(x·w1)·w2 differ: ${difference}. Splitting the hidden units across ranks must not change the MLP: ` +
              'each rank applies the GELU to whole pre-activations of its own hidden units, and the sum over ranks adds up every hidden unit\'s contribution once.'
            );
          }
        }
        return undefined;
      },
    },
    {
      name: 'one all-reduce and nothing after it: out = Σ partials',
      cases: (rng) => [
        { name: 'C = 4, hidden 8 on 2 ranks', calls: [[...randomMlp(rng, 2, 4, 8), 2]] },
        { name: 'C = 4, hidden 16 on 4 ranks', calls: [[...randomMlp(rng, 3, 4, 16), 4]] },
      ],
      holds: ([out], [[, , ranks]]) => {
        const odd = wrongKind(out);
        if (odd) return odd;
        if (out.partials.length !== ranks) return `On ${ranks} ranks you return ${out.partials.length} partials: one per rank.`;
        const difference = matrixDifference(addAll(out.partials), out.out);
        if (difference) return `Your partials added up are not your out: ${difference}. Each partial is already gelu(x·W1_r)·W2_r; the one all-reduce adds them, and nothing comes after it.`;
        return undefined;
      },
    },
  ],
  misconceptions: [
    {
      id: 'w1-split-by-rows',
      title: { en: 'w1 split by rows: the GELU of partial sums', 'zh-CN': 'w1 按行切分：对部分和做 GELU' },
      message: {
        en:
          'You cut w1 by its ROWS (and x by the matching columns), so each rank has only part of every pre-activation and applies the GELU to that part. GELU is not additive: in the lesson h[0][0] = 3 comes as 1 + 2, and gelu(1) + gelu(2) = 2.79579 where gelu(3) = 2.996363. ' +
          'Cut w1 by its COLUMNS: each rank then has whole pre-activations of its own hidden units, can apply the GELU without talking to anyone, and multiplies by the matching rows of w2.',
        'zh-CN':
          '你按「行」切分了 w1（x 按对应的列切分），于是每个 rank 只持有每个预激活值的一部分，并对这一部分做了 GELU。GELU 不满足可加性：课程中 h[0][0] = 3 拆成了 1 + 2，而 gelu(1) + gelu(2) = 2.79579，gelu(3) = 2.996363。' +
          '应按「列」切分 w1：这样每个 rank 持有自己那些隐藏单元的完整预激活值，无需与任何人通信就能做 GELU，再乘以 w2 中对应的行。',
      },
      hint: {
        en: 'In the lesson, is gelu(1) + gelu(2) equal to gelu(3)? Which split of w1 gives each rank whole pre-activations?',
        'zh-CN': '在课程示例里，gelu(1) + gelu(2) 等于 gelu(3) 吗？w1 怎样切分才能让每个 rank 拿到完整的预激活值？',
      },
      wrong: (_ctx, x, p, ranks) => rowsSplit(x, p, ranks),
    },
    {
      id: 'gelu-after-reduce',
      title: { en: 'the GELU after the all-reduce, not between the layers', 'zh-CN': 'GELU 放在全归约之后，而不是两层之间' },
      message: {
        en:
          'Your partials are (x·W1_r)·W2_r with no GELU, and the GELU comes after the sum: that is gelu(x·w1·w2), a linear layer with an activation at the end. The MLP is gelu(x·w1)·w2: each rank applies the GELU to its x·W1_r before multiplying by W2_r. ' +
          'In the lesson out[0][0] should be 2.95096; yours is gelu(1) = 0.841192.',
        'zh-CN':
          '你的 partials 是不带 GELU 的 (x·W1_r)·W2_r，GELU 放在了求和之后：这算的是 gelu(x·w1·w2)，相当于一个末尾带激活的线性层。MLP 是 gelu(x·w1)·w2：每个 rank 要先对自己的 x·W1_r 做 GELU，再乘以 W2_r。' +
          '课程示例中 out[0][0] 应为 2.95096；你的结果是 gelu(1) = 0.841192。',
      },
      hint: {
        en: 'Where is the GELU in gelu(x·w1)·w2: between the two matrix products or after both? Which of them happen on each rank?',
        'zh-CN': '在 gelu(x·w1)·w2 里，GELU 位于两次矩阵乘法之间，还是两次之后？其中哪些步骤在每个 rank 上完成？',
      },
      wrong: (_ctx, x, p, ranks) => geluAfterReduce(x, p, ranks),
    },
  ],
  hints: [
    {
      en: 'Split the hidden units: rank r gets a block of w1\'s COLUMNS and the same block of w2\'s ROWS.',
      'zh-CN': '切分隐藏单元：rank r 拿到 w1 的一块「列」，以及 w2 中同一块「行」。',
    },
    {
      en: 'On each rank: x times its columns of w1, the GELU (tanh form) of that, times its rows of w2. That is the rank\'s partial.',
      'zh-CN': '在每个 rank 上：x 乘以它那几列 w1，对结果做 GELU（tanh 形式），再乘以它那几行 w2。这就是该 rank 的部分输出。',
    },
    {
      en: 'The one all-reduce adds the partials: out = Σ_r gelu(x·W1_r)·W2_r, which is gelu(x·w1)·w2.',
      'zh-CN': '唯一的一次全归约把各部分输出相加：out = Σ_r gelu(x·W1_r)·W2_r，也就是 gelu(x·w1)·w2。',
    },
  ],
});
