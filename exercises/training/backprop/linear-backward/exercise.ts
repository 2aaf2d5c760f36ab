import { defineExercise, randomMatrix, type Rng, type Tensor, type Tf } from 'llm-tutor/pack';
import { close, columnSums, hasFields, matmul, scaled, shapeOf, show, transpose, wrongKind } from '../backprop-math.js';

type Args = [x: number[][], w: number[][], dy: number[][]];
type Grads = { dx: number[][]; dw: number[][]; db: number[] };

const kinds = { dx: 'matrix', dw: 'matrix', db: 'vector' } as const;

/** y = x·w + b contracted with the upstream gradient: sum(dy ⊙ y), whose gradients are the backward pass. */
function contractedForward(tf: Tf, vars: Record<string, Tensor>, dy: number[][]): Tensor {
  return tf.sum(tf.mul(tf.add(tf.matMul(vars.dx, vars.dw), vars.db), tf.tensor2d(dy)));
}

/** The right gradients, with `db` and `dw` replaced where a variant gets them wrong. */
function grads(x: number[][], w: number[][], dy: number[][], change: Partial<Grads> = {}): Grads {
  return { dx: matmul(dy, transpose(w)), dw: matmul(transpose(x), dy), db: columnSums(dy), ...change };
}

/** A random layer of `n` rows, `inputs` → `outputs`. */
function randomLayer(rng: Rng, n: number, inputs: number, outputs: number): Args {
  return [randomMatrix(rng, n, inputs), randomMatrix(rng, inputs, outputs), randomMatrix(rng, n, outputs)];
}

const layerName = (n: number, inputs: number, outputs: number) => `${n} rows, ${inputs} → ${outputs}`;

/** The learner's dw and db of a batch must be the sums of theirs over its rows taken one at a time. */
function batchIsSumOfRows(outputs: Grads[], calls: Args[]): string | undefined {
  const odd = wrongKind('linearBackward', '{ dx: Matrix, dw: Matrix, db: Vector }', outputs, (o) => hasFields(o, kinds));
  if (odd) return odd;
  const [batch, ...rows] = outputs;
  const n = calls[0][0].length;
  for (const [i, row] of batch.dw.entries()) {
    for (const [j, g] of row.entries()) {
      const total = rows.reduce((s, r) => s + (r.dw[i]?.[j] ?? NaN), 0);
      if (!close(total, g)) return `For the batch of ${n} rows your dw[${i}][${j}] is ${show(g)}, but the sum of your dw[${i}][${j}] over its rows, one row at a time, is ${show(total)}. ${sumRule}`;
    }
  }
  for (const [j, g] of batch.db.entries()) {
    const total = rows.reduce((s, r) => s + (r.db[j] ?? NaN), 0);
    if (!close(total, g)) return `For the batch of ${n} rows your db[${j}] is ${show(g)}, but the sum of your db[${j}] over its rows, one row at a time, is ${show(total)}. ${sumRule}`;
  }
  return undefined;
}

const sumRule = 'The loss of a batch adds up one term per row, and w and b are used by every row, so their gradients are sums over the rows: dw = Σ_i x_iᵀ·dy_i, db = Σ_i dy_i.';

/** dx, dw and db must have the shapes of x, w and b. */
function shapesOfValues(outputs: Grads[], calls: Args[]): string | undefined {
  const odd = wrongKind('linearBackward', '{ dx: Matrix, dw: Matrix, db: Vector }', outputs, (o) => hasFields(o, kinds));
  if (odd) return odd;
  const [x, w] = calls[0];
  const { dx, dw, db } = outputs[0];
  const rule = 'Each gradient has the shape of the value it is the gradient of: dx like x, dw like w ([in, out]), db like b ([out]).';
  if (shapeOf(dw) !== shapeOf(w)) return `Your dw has shape ${shapeOf(dw)} but w is ${shapeOf(w)}. ${rule}`;
  if (shapeOf(dx) !== shapeOf(x)) return `Your dx has shape ${shapeOf(dx)} but x is ${shapeOf(x)}. ${rule}`;
  if (db.length !== w[0].length) return `Your db has ${db.length} entries but b has ${w[0].length}. ${rule}`;
  return undefined;
}

/** A batch of `n` rows, then each of its rows as a batch of one. */
function batchAndRows(rng: Rng, n: number, inputs: number, outputs: number): { name: string; calls: Args[] } {
  const [x, w, dy] = randomLayer(rng, n, inputs, outputs);
  return { name: `${layerName(n, inputs, outputs)}, then each row alone`, calls: [[x, w, dy], ...x.map((row, i): Args => [[row], w, [dy[i]]])] };
}

export default defineExercise<Args, Grads>({
  entry: 'linearBackward',
  signature: 'linearBackward(x: Matrix, w: Matrix, dy: Matrix): { dx: Matrix; dw: Matrix; db: Vector }',
  cases: (rng) => {
    const [n, inputs, outputs] = [rng.int(3, 6), rng.int(2, 5), rng.int(3, 6)];
    return [
      { name: 'the lesson example (2 rows, 2 → 3)', args: [[[1, 2], [3, -1]], [[1, 0, -1], [2, 1, 0]], [[1, 0, 2], [-1, 1, 0.5]]] },
      { name: `random, ${layerName(4, 3, 2)}`, args: randomLayer(rng, 4, 3, 2) },
      { name: `random, ${layerName(n, inputs, outputs)}`, args: randomLayer(rng, n, inputs, outputs) },
      { name: `random, square weights (${layerName(5, 4, 4)})`, args: randomLayer(rng, 5, 4, 4) },
      { name: `one row (${layerName(1, 3, 4)}): sums and means agree`, args: randomLayer(rng, 1, 3, 4) },
      { name: `a wide layer (${layerName(3, 2, 8)})`, args: randomLayer(rng, 3, 2, 8) },
    ];
  },
  gradient: {
    wrt: (x, w) => ({ dx: x, dw: w, db: new Array<number>(w[0].length).fill(0) }),
    loss: ({ tf }, vars, _x, _w, dy) => contractedForward(tf, vars, dy),
  },
  properties: [
    {
      name: 'each gradient has the shape of its value',
      cases: (rng) => [
        { name: layerName(3, 2, 4), calls: [randomLayer(rng, 3, 2, 4)] },
        { name: layerName(2, 5, 3), calls: [randomLayer(rng, 2, 5, 3)] },
      ],
      holds: shapesOfValues,
    },
    {
      name: 'the gradients of a batch are the sums over its rows',
      cases: (rng) => [batchAndRows(rng, 3, 2, 3), batchAndRows(rng, 4, 3, 2)],
      holds: batchIsSumOfRows,
    },
  ],
  misconceptions: [
    {
      id: 'dw-transposed',
      title: { en: 'dw computed as dyᵀ·x, the transpose', 'zh-CN': 'dw 算成了 dyᵀ·x，即转置' },
      message: {
        en:
          'dw must have the shape of w, [in, out]: it is xᵀ·dy, whose entry [i][j] is Σ_rows x[·][i]·dy[·][j]. dyᵀ·x is its transpose, [out, in], ' +
          'the layout of PyTorch’s nn.Linear weight. On the lesson example dw[0] is [−2, 3, 3.5].',
        'zh-CN':
          'dw 的形状必须与 w 相同，即 [in, out]：它是 xᵀ·dy，其元素 [i][j] 为 Σ_rows x[·][i]·dy[·][j]。dyᵀ·x 是它的转置，形状为 [out, in]，也就是 PyTorch 中 nn.Linear 权重的布局。' +
          '在课程的例子中，dw[0] 是 [−2, 3, 3.5]。',
      },
      hint: {
        en: 'Compare the shape of your dw with the shape of w: they must be equal. Which product of x and dy has that shape?',
        'zh-CN': '把你的 dw 的形状和 w 的形状比较一下：两者必须相同。x 和 dy 的哪种乘积具有这个形状？',
      },
      wrong: (_ctx, x, w, dy) => grads(x, w, dy, { dw: matmul(transpose(dy), x) }),
    },
    {
      id: 'db-averaged',
      title: { en: 'db averaged over the batch instead of summed', 'zh-CN': 'db 对批次取了平均，而不是求和' },
      message: {
        en:
          'db is the sum of dy over the rows, not their mean: every row adds b once to its output, so each row contributes its dy to db. ' +
          'On the lesson example db = [0, 1, 2.5], not [0, 0.5, 1.25]. (Averaging, if any, is already inside dy, from the mean loss.)',
        'zh-CN':
          'db 是 dy 对各行求和，而不是求平均：每一行都把 b 加到自己的输出上一次，所以每一行都把它的 dy 贡献给 db。在课程的例子中 db = [0, 1, 2.5]，而不是 [0, 0.5, 1.25]。' +
          '（如果有平均，它已经来自平均损失，包含在 dy 里了。）',
      },
      hint: {
        en: 'Repeat the rows of a batch twice and its dy with them: should db stay the same or double? Check the reduction you apply over the rows.',
        'zh-CN': '把一个批次的行连同其 dy 一起重复两遍：db 应该不变还是翻倍？检查你对各行所做的归约。',
      },
      wrong: (_ctx, x, w, dy) => grads(x, w, dy, { db: columnSums(dy).map((g) => g / dy.length) }),
    },
    {
      id: 'dw-averaged',
      title: { en: 'dw divided by the number of rows', 'zh-CN': 'dw 除以了行数' },
      message: {
        en:
          'dw is xᵀ·dy, summed over the rows with no division: w is used by every row, so every row’s contribution adds up. ' +
          'On the lesson example dw[0] is [−2, 3, 3.5], not [−1, 1.5, 1.75]. The 1/N of a mean loss is already inside dy.',
        'zh-CN':
          'dw 是 xᵀ·dy，对各行求和，不做除法：w 被每一行使用，所以每一行的贡献都要加起来。在课程的例子中，dw[0] 是 [−2, 3, 3.5]，而不是 [−1, 1.5, 1.75]。' +
          '平均损失中的 1/N 已经包含在 dy 里了。',
      },
      hint: {
        en: 'Take the lesson example one row at a time and add the two dw you get: that sum is the dw of the batch.',
        'zh-CN': '把课程中的例子一次一行地算，再把得到的两个 dw 相加：这个和就是整个批次的 dw。',
      },
      wrong: (_ctx, x, w, dy) => grads(x, w, dy, { dw: scaled(matmul(transpose(x), dy), 1 / x.length) }),
    },
  ],
  hints: [
    {
      en: 'Each gradient has the shape of the value it is the gradient of: dx like x [N, in], dw like w [in, out], db like b [out]. Let the shapes choose the products.',
      'zh-CN': '每个梯度的形状都与它对应的值相同：dx 像 x 一样是 [N, in]，dw 像 w 一样是 [in, out]，db 像 b 一样是 [out]。让形状来决定该用哪种乘积。',
    },
    {
      en: 'Write y[n][j] = Σ_i x[n][i]·w[i][j] + b[j] and ask, for one entry of w or b, which entries of y it changes: all rows n use it, so their contributions add up.',
      'zh-CN': '写出 y[n][j] = Σ_i x[n][i]·w[i][j] + b[j]，然后针对 w 或 b 中的某一个元素，问它会改变 y 的哪些元素：所有行 n 都用到了它，所以它们的贡献要加起来。',
    },
    {
      en: 'dx = dy·wᵀ, dw = xᵀ·dy, db = the sum of dy over its rows.',
      'zh-CN': 'dx = dy·wᵀ，dw = xᵀ·dy，db = dy 对各行求和。',
    },
  ],
});
