import { anyOf, defineExercise, matmul, randomMatrix, transpose, type ReferenceContext, type Rng, type Tf } from 'llm-tutor/pack';
import { isMatrix, matricesAgree, matrixDifference, showList, wrongKind } from '../../properties.js';
import { addScaled, lessonExample, looseAddScaled, looseMatmul, rankOf, scaleMatrix, whicheverRun } from '../lora-math.js';

type Args = [w0: number[][], a: number[][], b: number[][], alpha: number];

/** A random case: a [din, dout] layer and an adapter of rank r. */
function randomCase(rng: Rng, din: number, dout: number, r: number, alpha: number): Args {
  return [randomMatrix(rng, din, dout, 0.5), randomMatrix(rng, din, r, 0.5), randomMatrix(rng, r, dout, 0.5), alpha];
}

/** The update a merge adds to W0, step by step in float32: A·B [in, out], the scale α/r, and the scaled update. */
function mergeSteps(tf: Tf, a: number[][], b: number[][], alpha: number) {
  const ab = tf.matMul(tf.tensor2d(a, undefined, 'float32'), tf.tensor2d(b, undefined, 'float32'));
  const scale = alpha / rankOf(a);
  return { 'A·B': ab, 'α/r': scale, '(α/r)·A·B': tf.mul(ab, tf.scalar(scale, 'float32')) };
}

/** A random case whose B is all zeros, as LoRA initialises it. */
function zeroBCase(rng: Rng, din: number, dout: number, r: number, alpha: number): { name: string; calls: Args[] } {
  const [w0, a, b] = randomCase(rng, din, dout, r, alpha);
  return { name: `in ${din}, out ${dout}, r ${r}, α ${alpha}`, calls: [[w0, a, b.map((row) => row.map(() => 0)), alpha]] };
}

/** A fixed token of width `din` to run the merged layer on: [−0.5, 1, 0.5, 0, −0.5, 1, …]. */
const probe = (din: number) => [Array.from({ length: din }, (_, j) => ((j * 3) % 4) * 0.5 - 0.5)];

export default defineExercise<Args, number[][]>({
  entry: 'mergeLora',
  signature: 'mergeLora(w0: Matrix, a: Matrix, b: Matrix, alpha: number): Matrix',
  cases: (rng) => {
    const din = rng.int(5, 9);
    let dout = rng.int(3, 8);
    if (dout === din) dout = din - 2;
    const r = rng.int(2, 3);
    const alpha = rng.pick([8, 16, 32]);
    const zeroB = randomCase(rng, 5, 4, 2, 16);
    zeroB[2] = zeroB[2].map((row) => row.map(() => 0));
    const { w0, a, b, alpha: lessonAlpha } = lessonExample;
    return [
      { name: 'the lesson example: in 3, out 2, r 2, α 4 (α/r = 2)', args: [w0, a, b, lessonAlpha] },
      { name: 'random: in 6, out 5, r 2, α 8 (α/r = 4)', args: randomCase(rng, 6, 5, 2, 8) },
      { name: `random: in ${din}, out ${dout}, r ${r}, α ${alpha}`, args: randomCase(rng, din, dout, r, alpha) },
      { name: 'random square layer: in 6, out 6, r 2, α 16', args: randomCase(rng, 6, 6, 2, 16) },
      { name: 'random square layer: in 8, out 8, r 4, α 8', args: randomCase(rng, 8, 8, 4, 8) },
      { name: 'a tall layer: in 10, out 3, r 2, α 4', args: randomCase(rng, 10, 3, 2, 4) },
      { name: 'B = 0, as LoRA initialises it: the merged weight is W0 itself', args: zeroB },
      { name: 'α = r = 3: the scale α/r is 1', args: randomCase(rng, 5, 7, 3, 3) },
      { name: 'rank 1 (α/r, α and α/√r all agree here), α 2', args: randomCase(rng, 4, 6, 1, 2) },
      { name: 'a full-rank square adapter: in = out = r = 3, α 6 (B·A also fits these shapes)', args: randomCase(rng, 3, 3, 3, 6) },
    ];
  },
  reference: ({ tf }: ReferenceContext, w0, a, b, alpha) => tf.add(tf.tensor2d(w0, undefined, 'float32'), mergeSteps(tf, a, b, alpha)['(α/r)·A·B']),
  trace: ({ tf }: ReferenceContext, _w0, a, b, alpha) => mergeSteps(tf, a, b, alpha),
  properties: [
    {
      name: 'with B = 0, the merged weight is W0',
      cases: (rng) => [zeroBCase(rng, 5, 4, 2, 16), zeroBCase(rng, 4, 6, 3, 6)],
      holds: matricesAgree<Args>(
        'mergeLora',
        (outputs, [[w0]]) => [outputs[0], w0],
        (difference) => `With B all zeros, your merged weight and W0 differ: ${difference}. The update (α/r)·A·B is then zero, so merging must leave W0 exactly as it was, whatever A and α are.`,
      ),
    },
    {
      name: 'x·merged equals the LoRA forward pass x·W0 + (α/r)·(x·A)·B',
      cases: (rng) => [{ name: 'in 6, out 4, r 2, α 8', calls: [randomCase(rng, 6, 4, 2, 8)] }, { name: 'in 5, out 7, r 3, α 12', calls: [randomCase(rng, 5, 7, 3, 12)] }],
      holds: (outputs, calls) => {
        const odd = wrongKind('mergeLora', 'a matrix', outputs, isMatrix);
        if (odd) return odd;
        const [w0, a, b, alpha] = calls[0];
        const x = probe(w0.length);
        if (outputs[0].length !== w0.length) return `Your merged weight has ${outputs[0].length} rows; W0 has ${w0.length} (one per input).`;
        const merged = matmul(x, outputs[0]);
        const forward = addScaled(matmul(x, w0), matmul(matmul(x, a), b), alpha / rankOf(a));
        if (!matrixDifference(merged, forward)) return undefined;
        return (
          `For the token x = ${showList(x[0])}, x·merged is ${showList(merged[0])} but the LoRA forward pass gives ${showList(forward[0])}. ` +
          'A merged weight must compute what the unmerged layer computed: x·(W0 + (α/r)·A·B) = x·W0 + (α/r)·(x·A)·B, for every x.'
        );
      },
    },
  ],
  inputsReadOnly: true,
  misconceptions: [
    {
      id: 'scaling-missing',
      title: { en: 'A·B added without the α/r factor', 'zh-CN': '加上 A·B 时没有乘以 α/r' },
      message: {
        en:
          'You add A·B to W0 as it is. The forward pass scales the adapter\'s output by α/r, so the merged weight must carry the same factor: W0 + (α/r)·A·B. ' +
          'Without it, x·merged differs from loraForward whenever alpha ≠ r.',
        'zh-CN':
          '你把 A·B 原样加到了 W0 上。前向传播把适配器的输出乘以 α/r，所以合并后的权重必须带上同一个因子：W0 + (α/r)·A·B。' +
          '没有它，只要 alpha ≠ r，x·merged 就与 loraForward 不同。',
      },
      hint: {
        en: 'Merging must give the same outputs as the forward pass. Which factor does the forward pass apply to the adapter?',
        'zh-CN': '合并必须给出与前向传播相同的输出。前向传播给适配器乘的是哪个因子？',
      },
      wrong: (_ctx, w0, a, b) => addScaled(w0, matmul(a, b), 1),
    },
    {
      id: 'b-times-a',
      title: { en: 'B·A instead of A·B', 'zh-CN': '用了 B·A 而不是 A·B' },
      message: {
        en:
          'The update is A·B: A is [in, r] and B is [r, out], so A·B is [in, out], the shape of W0. B·A is [r, r], so adding it to W0 reads rows that do not exist (a TypeError); ' +
          'transposing both to make the paper\'s BA fit gives Bᵀ·Aᵀ = (A·B)ᵀ, the update transposed. The paper writes W0 + BA for column vectors; with row vectors it is W0 + (α/r)·A·B.',
        'zh-CN':
          '更新量是 A·B：A 为 [in, r]，B 为 [r, out]，所以 A·B 为 [in, out]，与 W0 形状相同。B·A 是 [r, r]，把它加到 W0 上会读取不存在的行（TypeError）；' +
          '把两者都转置以套用论文中的 BA，得到的是 Bᵀ·Aᵀ = (A·B)ᵀ，即转置后的更新量。论文按列向量写成 W0 + BA；用行向量时就是 W0 + (α/r)·A·B。',
      },
      hint: {
        en: 'Write the shapes: A is [in, r], B is [r, out], and the update must have W0\'s shape. Which order gives that?',
        'zh-CN': '把形状写出来：A 为 [in, r]，B 为 [r, out]，而更新量必须与 W0 形状相同。哪种顺序能得到这个形状？',
      },
      wrong: (_ctx, w0, a, b, alpha) => {
        const s = alpha / rankOf(a);
        return anyOf(
          ...whicheverRun(
            () => looseAddScaled(w0, looseMatmul(b, a, 'left'), s),
            () => looseAddScaled(w0, looseMatmul(b, a, 'right'), s),
            () => looseAddScaled(w0, transpose(matmul(a, b)), s),
          ),
        );
      },
    },
    {
      id: 'scale-alpha',
      title: { en: 'A·B scaled by α instead of α/r', 'zh-CN': 'A·B 乘以了 α，而不是 α/r' },
      message: {
        en:
          'You multiply A·B by alpha, so the merged update is r times too large. LoRA scales by α/r (loralib and PEFT: scaling = lora_alpha / r), ' +
          'in the forward pass and therefore in the merge too. Use alpha / r with r = a[0].length.',
        'zh-CN':
          '你把 A·B 乘以了 alpha，所以合并的更新量大了 r 倍。LoRA 按 α/r 缩放（loralib 和 PEFT 中：scaling = lora_alpha / r），' +
          '前向传播如此，所以合并时也是如此。使用 alpha / r，其中 r = a[0].length。',
      },
      hint: {
        en: 'Merging must give the same outputs as the forward pass. What is the forward pass\'s factor, exactly?',
        'zh-CN': '合并必须给出与前向传播相同的输出。前向传播的因子究竟是什么？',
      },
      wrong: (_ctx, w0, a, b, alpha) => addScaled(w0, matmul(a, b), alpha),
    },
    {
      id: 'rslora-scaling',
      title: { en: 'A·B scaled by α/√r (rsLoRA) instead of α/r', 'zh-CN': 'A·B 乘以了 α/√r（rsLoRA），而不是 α/r' },
      message: {
        en:
          'α/√r is the scaling of rsLoRA (PEFT\'s use_rslora=True), a named variant; the adapter this merge folds in was trained with α/r. ' +
          'A merge must use exactly the forward pass\'s scale, or the merged layer computes something else: divide by r, not Math.sqrt(r).',
        'zh-CN':
          'α/√r 是 rsLoRA（PEFT 中的 use_rslora=True）的缩放方式，一个有名字的变体；这次合并所并入的适配器是用 α/r 训练的。' +
          '合并必须使用与前向传播完全相同的缩放因子，否则合并后的层算出的是别的东西：应当除以 r，而不是 Math.sqrt(r)。',
      },
      hint: {
        en: 'Merging must give the same outputs as the forward pass, whose factor is a simple ratio of alpha and r. Check for a square root.',
        'zh-CN': '合并必须给出与前向传播相同的输出，而前向传播的因子是 alpha 与 r 的简单比值。检查一下有没有平方根。',
      },
      wrong: (_ctx, w0, a, b, alpha) => addScaled(w0, matmul(a, b), alpha / Math.sqrt(rankOf(a))),
    },
    {
      id: 'update-only',
      title: { en: 'returned the update (α/r)·A·B without W0', 'zh-CN': '只返回了更新量 (α/r)·A·B，没有 W0' },
      message: {
        en:
          'Your result is ΔW = (α/r)·A·B alone. Merging folds the update into the frozen weight: the result replaces W0, so it must be W0 + ΔW. ' +
          'With B = 0 (how LoRA starts) the merged weight is W0 itself, not zeros.',
        'zh-CN':
          '你的结果只有 ΔW = (α/r)·A·B。合并是把更新量并入冻结的权重：结果要取代 W0，所以它必须是 W0 + ΔW。' +
          'B = 0 时（LoRA 的初始状态），合并后的权重就是 W0 本身，而不是全零。',
      },
      hint: {
        en: 'Set B to zeros: the merged weight should be W0 itself. Is W0 in your result?',
        'zh-CN': '把 B 设为全零：合并后的权重应该就是 W0 本身。你的结果里有 W0 吗？',
      },
      wrong: (_ctx, _w0, a, b, alpha) => scaleMatrix(matmul(a, b), alpha / rankOf(a)),
    },
  ],
  hints: [
    {
      en: 'loraForward computes x·W0 + (α/r)·(x·A)·B. Matrix products are associative and distribute over addition: which single matrix M gives x·M equal to that for every x?',
      'zh-CN': 'loraForward 计算的是 x·W0 + (α/r)·(x·A)·B。矩阵乘法满足结合律，并对加法满足分配律：哪个矩阵 M 能让 x·M 对每个 x 都等于它？',
    },
    {
      en: 'The update A·B must have the shape of W0, [in, out]: A is [in, r] and B is [r, out]. Which order of the product gives that shape?',
      'zh-CN': '更新量 A·B 必须与 W0 形状相同，即 [in, out]：A 为 [in, r]，B 为 [r, out]。乘积按哪种顺序能得到这个形状？',
    },
    {
      en: 'merged[i][j] = w0[i][j] + (alpha / r)·Σ_k a[i][k]·b[k][j], with r = a[0].length. Build a new matrix; do not add into w0.',
      'zh-CN': 'merged[i][j] = w0[i][j] + (alpha / r)·Σ_k a[i][k]·b[k][j]，其中 r = a[0].length。构造一个新矩阵；不要在 w0 上原地累加。',
    },
  ],
});
