import { anyOf, defineExercise, matmul, plural, randomMatrix, transpose, type ReferenceContext, type Rng, type Tf } from 'llm-tutor/pack';
import { matricesAgree } from '../../properties.js';
import { attend, causalBottomRight, everyKey, mergeHeads, splitHeads, type HeadLayout, type Visibility } from '../attention-variants.js';

interface Weights {
  wq: number[][];
  wk: number[][];
  wv: number[][];
  wo: number[][];
}
type Args = [x: number[][], w: Weights, numHeads: number];

interface Variant {
  /** How heads are taken from the projections and put back. */
  split?: HeadLayout;
  merge?: HeadLayout;
  /** The scale of the scores; default 1/√d_head. */
  scale?: (dModel: number, dHead: number) => number;
  sees?: Visibility;
  /** Apply wo after merging the heads (default true). */
  project?: boolean;
  /** Every weight applied as x·Wᵀ, as PyTorch's nn.Linear applies its [out, in] weight. */
  transposed?: boolean;
}

/** The four weights, each transposed. */
const transposedWeights = (w: Weights): Weights => ({ wq: transpose(w.wq), wk: transpose(w.wk), wv: transpose(w.wv), wo: transpose(w.wo) });

/** Multi-head causal self-attention in float64, with one mistake or another. */
function multiHead(x: number[][], weights: Weights, numHeads: number, variant: Variant = {}): number[][] {
  const w = variant.transposed ? transposedWeights(weights) : weights;
  const C = x[0].length;
  const D = C / numHeads;
  const split = variant.split ?? 'contiguous';
  const [q, k, v] = [w.wq, w.wk, w.wv].map((wx) => splitHeads(matmul(x, wx), numHeads, split));
  const scale = variant.scale ? variant.scale(C, D) : 1 / Math.sqrt(D);
  const heads = q.map((qh, h) => attend(qh, k[h], v[h], variant.sees ?? causalBottomRight, { scale }));
  const merged = mergeHeads(heads, variant.merge ?? split);
  return variant.project === false ? merged : matmul(merged, w.wo);
}

/** Random x [T, C] and weights with standard deviation 1/√C, as at initialisation. */
function randomLayer(rng: Rng, T: number, C: number): [x: number[][], w: Weights] {
  const weight = () => randomMatrix(rng, C, C, 1 / Math.sqrt(C));
  return [randomMatrix(rng, T, C), { wq: weight(), wk: weight(), wv: weight(), wo: weight() }];
}

/** The same layer on x, and on x with its last token replaced. */
function lastTokenChanged(rng: Rng, T: number, C: number, numHeads: number): { name: string; calls: Args[] } {
  const [x, w] = randomLayer(rng, T, C);
  const changed = [...x.slice(0, -1), randomMatrix(rng, 1, C)[0]];
  return { name: `T=${T}, C=${C}, ${plural(numHeads, 'head')}`, calls: [[x, w, numHeads], [changed, w, numHeads]] };
}

const identity = (n: number) => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));

/** The lesson example: T = 3, C = 4, two heads of width 2; wq = wk = wv = I, and wo swaps the two heads' halves. */
const lessonX = [
  [2, 0, 0, 2],
  [0, 2, 2, 0],
  [2, 2, 0, 0],
];
const lessonW: Weights = {
  wq: identity(4),
  wk: identity(4),
  wv: identity(4),
  wo: [
    [0, 0, 1, 0],
    [0, 0, 0, 1],
    [1, 0, 0, 0],
    [0, 1, 0, 0],
  ],
};

/**
 * The lesson example with wo a cyclic shift (row i has its 1 in column i + 1, mod 4), which is not
 * symmetric: x·wo moves the merged heads' columns one place right, x·woᵀ one place left.
 */
const shiftWeights: Weights = {
  ...lessonW,
  wo: [
    [0, 1, 0, 0],
    [0, 0, 1, 0],
    [0, 0, 0, 1],
    [1, 0, 0, 0],
  ],
};

/**
 * Multi-head causal attention in tfjs, step by step: each head's scores [H, T, T]
 * (q·kᵀ/√D, before the mask), its weights, the heads' outputs side by side [T, C]
 * (the steps a trace shows), and the output.
 */
function multiHeadSteps(tf: Tf, x: number[][], w: Weights, numHeads: number) {
  const T = x.length;
  const C = x[0].length;
  const D = C / numHeads;
  const X = tf.tensor2d(x);
  // GPT-2 / nanoGPT: project, view [T, H, D], transpose to [H, T, D]: head h is columns h·D … h·D + D − 1.
  const heads = (wx: number[][]) => tf.transpose(tf.reshape(tf.matMul(X, tf.tensor2d(wx)), [T, numHeads, D]), [1, 0, 2]);
  const [q, k, v] = [heads(w.wq), heads(w.wk), heads(w.wv)];
  const scores = tf.div(tf.matMul(q, k, false, true), Math.sqrt(D));
  const visible = tf.tile(tf.reshape(tf.cast(tf.linalg.bandPart(tf.ones([T, T]), -1, 0), 'bool'), [1, T, T]), [numHeads, 1, 1]);
  const weights = tf.softmax(tf.where(visible, scores, tf.fill([numHeads, T, T], -Infinity)));
  const merged = tf.reshape(tf.transpose(tf.matMul(weights, v), [1, 0, 2]), [T, C]);
  return { steps: { scores, weights, heads: merged }, output: tf.matMul(merged, tf.tensor2d(w.wo)) };
}

export default defineExercise<Args, number[][]>({
  entry: 'multiHeadAttention',
  signature: 'multiHeadAttention(x: Matrix, w: { wq: Matrix; wk: Matrix; wv: Matrix; wo: Matrix }, numHeads: number): Matrix',
  cases: (rng) => {
    const random = (T: number, C: number, numHeads: number): Args => {
      // Standard deviation 1/√C, as at initialisation: the projections of x have about unit variance.
      const weight = () => randomMatrix(rng, C, C, 1 / Math.sqrt(C));
      return [randomMatrix(rng, T, C), { wq: weight(), wk: weight(), wv: weight(), wo: weight() }, numHeads];
    };
    const shape = (T: number, C: number, H: number) => `T=${T}, C=${C}, ${plural(H, 'head')} of ${C / H}`;
    const cases: { name: string; args: Args }[] = [
      { name: 'the lesson example (T=3, C=4, 2 heads of 2; wq = wk = wv = I)', args: [lessonX, lessonW, 2] },
      { name: 'the lesson example with wo a cyclic shift of the columns (not symmetric: x·woᵀ ≠ x·wo)', args: [lessonX, shiftWeights, 2] },
    ];
    {
      const [T, H, D] = [rng.int(4, 6), 2, rng.int(2, 4)];
      cases.push({ name: `random, 2 heads (${shape(T, H * D, H)})`, args: random(T, H * D, H) });
    }
    {
      const [T, H, D] = [rng.int(4, 6), rng.int(3, 4), rng.int(2, 3)];
      cases.push({ name: `random, ${H} heads (${shape(T, H * D, H)})`, args: random(T, H * D, H) });
    }
    cases.push({ name: `heads of width 1 (${shape(4, 6, 6)})`, args: random(4, 6, 6) });
    cases.push({ name: `one head (${shape(4, 6, 1)}: causal self-attention with projections)`, args: random(4, 6, 1) });
    cases.push({ name: `a single token (${shape(1, 8, 4)}: every head sees only itself)`, args: random(1, 8, 4) });
    cases.push({ name: `a wider model (${shape(8, 16, 4)})`, args: random(8, 16, 4) });
    return cases;
  },
  reference: ({ tf }: ReferenceContext, x, w, numHeads) => multiHeadSteps(tf, x, w, numHeads).output,
  trace: ({ tf }: ReferenceContext, x, w, numHeads) => multiHeadSteps(tf, x, w, numHeads).steps,
  properties: [
    {
      name: 'with one head, it is causal attention of x·Wq, x·Wk, x·Wv, times Wo',
      cases: (rng) => [3, 5].map((T) => ({ name: `T=${T}, C=4, 1 head`, calls: [[...randomLayer(rng, T, 4), 1]] as Args[] })),
      holds: matricesAgree<Args>(
        'multiHeadAttention',
        (outputs, [[x, w]]) => [outputs[0], matmul(attend(matmul(x, w.wq), matmul(x, w.wk), matmul(x, w.wv), causalBottomRight), w.wo)],
        (difference) =>
          `With numHeads = 1, your output and causalAttention(x·Wq, x·Wk, x·Wv)·Wo differ (yours first): ${difference}. ` +
          'One head of width C is exactly the attention of positions/causal-mask on the three projections, scaled by 1/√C, followed by the output projection.',
      ),
    },
    {
      name: 'changing the last token leaves the earlier outputs unchanged',
      cases: (rng) => [lastTokenChanged(rng, 4, 4, 2), lastTokenChanged(rng, 3, 6, 3)],
      holds: matricesAgree<Args>(
        'multiHeadAttention',
        ([before, after]) => [before.slice(0, -1), after.slice(0, -1)],
        (difference) =>
          `Replacing only the last token of x changed the outputs of earlier tokens (before, then after: ${difference}). ` +
          'Every head is causal: token i sees tokens 0 … i only, so no later token may change its output.',
      ),
    },
  ],
  misconceptions: [
    {
      id: 'scale-by-d-model',
      title: { en: 'scores divided by √d_model instead of √d_head', 'zh-CN': '分数除以了 √d_model，而不是 √d_head' },
      message: {
        en:
          'Your scores are divided by √C, the model width, but each head takes dot products of vectors of width d_head = C / numHeads. ' +
          'The scale is 1/√d_head: dividing by √C shrinks every score by a further √numHeads, so the attention comes out too flat.',
        'zh-CN':
          '你的分数除以的是模型宽度 √C，但每个头做点积的向量宽度是 d_head = C / numHeads。' +
          '缩放因子是 1/√d_head：除以 √C 会让每个分数再缩小 √numHeads 倍，于是注意力过于平缓。',
      },
      hint: {
        en: 'Each head takes dot products of vectors of its own width, not the model\'s. Which width should the scale come from?',
        'zh-CN': '每个头对自己宽度的向量做点积，而不是模型的宽度。缩放因子应该来自哪个宽度？',
      },
      wrong: (_ctx, x, w, H) => multiHead(x, w, H, { scale: (C) => 1 / Math.sqrt(C) }),
    },
    {
      id: 'heads-interleaved',
      title: { en: 'heads taken as interleaved columns (h, h + H, h + 2H, …)', 'zh-CN': '头取的是交错的列（h, h + H, h + 2H, …）' },
      message: {
        en:
          'Your head h is made of columns h, h + numHeads, h + 2·numHeads, … of x·wq. Here (as in GPT-2, nanoGPT and LLaMA) a head is a contiguous block: ' +
          'head h is columns h·d_head … (h+1)·d_head − 1, i.e. view [T, C] as [T, H, d_head]. Put the heads\' outputs back the same way, in order, before ·wo. ' +
          '(With one head, one token, or heads of width 1 the two layouts give the same output; the other cases tell them apart.)',
        'zh-CN':
          '你的头 h 由 x·wq 的第 h, h + numHeads, h + 2·numHeads, … 列组成。这里（和 GPT-2、nanoGPT、LLaMA 一样）一个头是连续的列块：' +
          '头 h 是第 h·d_head … (h+1)·d_head − 1 列，即把 [T, C] 看成 [T, H, d_head]。在乘以 wo 之前，按同样的方式、按顺序把各头的输出放回去。' +
          '（只有一个头、一个 token，或头宽为 1 时，两种布局的输出相同；其他用例能把它们区分开。）',
      },
      hint: {
        en: 'Write down which columns of x·wq make up head 0 when C = 6 and there are 2 heads: are they next to each other, or spread out?',
        'zh-CN': '写下 C = 6、有 2 个头时，x·wq 的哪些列组成头 0：它们是相邻的，还是分散的？',
      },
      wrong: (_ctx, x, w, H) => anyOf(multiHead(x, w, H, { split: 'interleaved' }), multiHead(x, w, H, { split: 'interleaved', merge: 'contiguous' })),
    },
    {
      id: 'heads-reshaped-without-transpose',
      title: { en: 'heads made by reshaping [T, C] to [H, T, d_head] without the transpose', 'zh-CN': '把 [T, C] 直接 reshape 成 [H, T, d_head] 得到头，没有转置' },
      message: {
        en:
          'Your heads read the numbers of x·wq in memory order as [H, T, d_head], so a head mixes several tokens\' columns. ' +
          'Reshape to [T, H, d_head] first and then swap the first two axes (transpose to [H, T, d_head]); merge back with the inverse: transpose to [T, H, d_head], then reshape to [T, C]. ' +
          'With a single token the two agree, which is why short tests miss it.',
        'zh-CN':
          '你的头按内存顺序把 x·wq 的数读成 [H, T, d_head]，于是一个头混入了多个 token 的列。' +
          '应当先 reshape 成 [T, H, d_head]，再交换前两个轴（转置为 [H, T, d_head]）；合并时做逆操作：先转置为 [T, H, d_head]，再 reshape 成 [T, C]。' +
          '只有一个 token 时两者一致，所以短的测试发现不了。',
      },
      hint: {
        en: 'With two tokens, check that every row of a head comes from one token only. A head is a block of columns of each token\'s row, taken token by token.',
        'zh-CN': '用两个 token 检查一个头的每一行是否只来自一个 token。一个头是每个 token 那一行中的一段列，逐个 token 取出。',
      },
      wrong: (_ctx, x, w, H) => anyOf(multiHead(x, w, H, { split: 'no-transpose' }), multiHead(x, w, H, { split: 'no-transpose', merge: 'contiguous' })),
    },
    {
      id: 'output-projection-missing',
      title: { en: 'the output projection ·wo is missing', 'zh-CN': '缺少输出投影 ·wo' },
      message: {
        en:
          'Your output is the concatenation of the heads, [T, C], but multi-head attention ends with one more linear layer: concat(head_0, …, head_{H−1}) · wo. ' +
          'It is what lets the heads\' outputs mix; multiply the merged [T, C] matrix by w.wo.',
        'zh-CN':
          '你的输出是各头拼接后的 [T, C]，但多头注意力最后还有一个线性层：concat(head_0, …, head_{H−1}) · wo。' +
          '正是它让各头的输出相互混合；把合并后的 [T, C] 矩阵乘以 w.wo。',
      },
      hint: {
        en: 'Count the weight matrices you used: wq, wk, wv… Which one is still waiting after the heads are put side by side?',
        'zh-CN': '数一数你用了哪些权重矩阵：wq、wk、wv……各头并排放好之后，还有哪一个没用上？',
      },
      wrong: (_ctx, x, w, H) => multiHead(x, w, H, { project: false }),
    },
    {
      id: 'not-causal',
      title: { en: 'no causal mask', 'zh-CN': '没有因果掩码' },
      message: {
        en:
          'Your heads let every token see every other token, including later ones. This is a decoder\'s self-attention: in every head, token i sees tokens j <= i only ' +
          '(set the later scores to −Infinity before the softmax, or skip them).',
        'zh-CN':
          '你的头让每个 token 看到所有其他 token，包括后面的。这是解码器的自注意力：在每个头中，token i 只看到 j <= i 的 token' +
          '（在 softmax 之前把后面的分数设为 −Infinity，或者跳过它们）。',
      },
      hint: {
        en: 'This is a decoder: may token 0 see token 1? Check what each query can see in every head.',
        'zh-CN': '这是一个解码器：token 0 能看到 token 1 吗？检查每个头中每个查询能看到什么。',
      },
      wrong: (_ctx, x, w, H) => multiHead(x, w, H, { sees: everyKey }),
    },
    {
      id: 'weights-transposed',
      title: { en: 'the weights applied transposed (x·Wᵀ, the nn.Linear habit)', 'zh-CN': '权重按转置使用（x·Wᵀ，nn.Linear 的习惯）' },
      message: {
        en:
          'Your output is what x·Wᵀ gives for every weight, as PyTorch\'s nn.Linear computes with its [out, in] weight. Here a weight is [in, out] and a linear layer is y = x·W, with no transpose. ' +
          'A square weight fits either way, so no shape error warns you, and a symmetric one (the lesson example\'s I and half swap) gives the same numbers; ' +
          'with wo a cyclic shift of the columns, row 0 should be [2, 2, 0, 0] and yours is [0, 0, 2, 2]. Multiply x by w.wq, w.wk, w.wv and the merged heads by w.wo as they are.',
        'zh-CN':
          '你的输出是每个权重都按 x·Wᵀ 计算的结果，就像 PyTorch 的 nn.Linear 用它 [out, in] 的权重那样。这里权重是 [in, out]，线性层是 y = x·W，没有转置。' +
          '方阵权重两种方式都能乘，所以不会有形状错误提醒你，而对称的权重（课程示例中的 I 和前后两半交换）还会给出相同的数；' +
          '当 wo 是各列的循环移位时，第 0 行应为 [2, 2, 0, 0]，而你的是 [0, 0, 2, 2]。把 x 原样乘以 w.wq、w.wk、w.wv，把合并后的各头原样乘以 w.wo。',
      },
      hint: {
        en: 'A [C, C] weight fits both x·W and x·Wᵀ, so no shape error will warn you. In y = x·W, which index of W runs over the features of x: its row or its column?',
        'zh-CN': '[C, C] 的权重既能做 x·W 也能做 x·Wᵀ，所以不会有形状错误提醒你。在 y = x·W 中，W 的哪个下标遍历 x 的特征：行还是列？',
      },
      wrong: (_ctx, x, w, H) => multiHead(x, w, H, { transposed: true }),
    },
    {
      id: 'no-scaling',
      title: { en: 'scores not divided by √d_head', 'zh-CN': '分数没有除以 √d_head' },
      message: {
        en: 'Your heads use q·kᵀ without any scale, so their weights come out too sharp. Divide every score by Math.sqrt(d_head), with d_head = C / numHeads.',
        'zh-CN': '你的头用的是不带任何缩放的 q·kᵀ，所以权重过于尖锐。把每个分数除以 Math.sqrt(d_head)，d_head = C / numHeads。',
      },
      hint: {
        en: 'Compare your scores with the formula in the lesson: each head divides its scores before the softmax.',
        'zh-CN': '把你的分数和课程中的公式对比一下：每个头在 softmax 之前都要先把分数除以某个量。',
      },
      wrong: (_ctx, x, w, H) => multiHead(x, w, H, { scale: () => 1 }),
    },
  ],
  hints: [
    {
      en: 'Three steps: project (Q = x·wq, K = x·wk, V = x·wv, each [T, C]); run causal attention separately in each head on its own columns; put the heads\' outputs side by side and multiply by wo.',
      'zh-CN': '三步：投影（Q = x·wq，K = x·wk，V = x·wv，各为 [T, C]）；在每个头自己的列上分别做因果注意力；把各头的输出并排放好，再乘以 wo。',
    },
    {
      en: 'Head h owns columns h·d_head … (h+1)·d_head − 1 of Q, K and V (d_head = C / numHeads). Its scores are (q_i·k_j) / √d_head for j <= i only, and its output fills the same columns of the merged [T, C] matrix.',
      'zh-CN': '头 h 拥有 Q、K、V 的第 h·d_head … (h+1)·d_head − 1 列（d_head = C / numHeads）。它的分数是 (q_i·k_j) / √d_head，只对 j <= i 计算，输出填入合并后 [T, C] 矩阵的相同列。',
    },
    {
      en: 'The scale is 1/√d_head, not 1/√C: each dot product runs over d_head numbers. And the last step is merged · wo, not merged itself.',
      'zh-CN': '缩放因子是 1/√d_head，而不是 1/√C：每个点积只在 d_head 个数上进行。最后一步是 merged · wo，而不是 merged 本身。',
    },
  ],
});
