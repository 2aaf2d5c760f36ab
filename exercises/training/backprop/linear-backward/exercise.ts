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
      title: 'dw computed as dyᵀ·x, the transpose',
      message:
        'dw must have the shape of w, [in, out]: it is xᵀ·dy, whose entry [i][j] is Σ_rows x[·][i]·dy[·][j]. dyᵀ·x is its transpose, [out, in], ' +
        'the layout of PyTorch’s nn.Linear weight. On the lesson example dw[0] is [−2, 3, 3.5].',
      hint: 'Compare the shape of your dw with the shape of w: they must be equal. Which product of x and dy has that shape?',
      wrong: (_ctx, x, w, dy) => grads(x, w, dy, { dw: matmul(transpose(dy), x) }),
    },
    {
      id: 'db-averaged',
      title: 'db averaged over the batch instead of summed',
      message:
        'db is the sum of dy over the rows, not their mean: every row adds b once to its output, so each row contributes its dy to db. ' +
        'On the lesson example db = [0, 1, 2.5], not [0, 0.5, 1.25]. (Averaging, if any, is already inside dy, from the mean loss.)',
      hint: 'Repeat the rows of a batch twice and its dy with them: should db stay the same or double? Check the reduction you apply over the rows.',
      wrong: (_ctx, x, w, dy) => grads(x, w, dy, { db: columnSums(dy).map((g) => g / dy.length) }),
    },
    {
      id: 'dw-averaged',
      title: 'dw divided by the number of rows',
      message:
        'dw is xᵀ·dy, summed over the rows with no division: w is used by every row, so every row’s contribution adds up. ' +
        'On the lesson example dw[0] is [−2, 3, 3.5], not [−1, 1.5, 1.75]. The 1/N of a mean loss is already inside dy.',
      hint: 'Take the lesson example one row at a time and add the two dw you get: that sum is the dw of the batch.',
      wrong: (_ctx, x, w, dy) => grads(x, w, dy, { dw: scaled(matmul(transpose(x), dy), 1 / x.length) }),
    },
  ],
  hints: [
    'Each gradient has the shape of the value it is the gradient of: dx like x [N, in], dw like w [in, out], db like b [out]. Let the shapes choose the products.',
    'Write y[n][j] = Σ_i x[n][i]·w[i][j] + b[j] and ask, for one entry of w or b, which entries of y it changes: all rows n use it, so their contributions add up.',
    'dx = dy·wᵀ, dw = xᵀ·dy, db = the sum of dy over its rows.',
  ],
});
