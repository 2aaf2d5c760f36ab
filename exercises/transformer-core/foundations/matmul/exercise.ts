import { anyOf, defineExercise, matmul, randomMatrix, transpose, type ReferenceContext, type Rng } from 'llm-tutor/pack';
import { isMatrix, matrixDifference, wrongKind } from '../../properties.js';

type Args = [a: number[][], b: number[][]];

/** Entry [i][j] of a·b: row i of a against column j of b. */
function dot(a: number[][], b: number[][], i: number, j: number): number {
  let sum = 0;
  for (let p = 0; p < b.length; p++) sum += a[i][p] * b[p][j];
  return sum;
}

const identity = (n: number) => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));

/** a·I and I·a for a random [rows, cols] matrix a: calls [a, I] then [I, a]. */
function identityCase(rng: Rng, rows: number, cols: number): { name: string; calls: Args[] } {
  const a = randomMatrix(rng, rows, cols);
  return { name: `a of [${rows}, ${cols}]: a·I and I·a`, calls: [[a, identity(cols)], [identity(rows), a]] };
}

/** A·B and Bᵀ·Aᵀ for random A [n, k] and B [k, m]. */
function transposeCase(rng: Rng, n: number, k: number, m: number): { name: string; calls: Args[] } {
  const [a, b] = [randomMatrix(rng, n, k), randomMatrix(rng, k, m)];
  return { name: `A of [${n}, ${k}], B of [${k}, ${m}]`, calls: [[a, b], [transpose(b), transpose(a)]] };
}

export default defineExercise<Args, number[][]>({
  entry: 'matmul',
  signature: 'matmul(a: Matrix, b: Matrix): Matrix',
  cases: (rng) => {
    const n = rng.int(2, 6);
    const k = rng.int(2, 6);
    let m = rng.int(2, 6);
    if (m === n) m = n + 1; // keep this random result non-square
    return [
      { name: 'the lesson example [2, 3]·[3, 2]', args: [[[1, 2, 3], [4, 5, 6]], [[7, 8], [9, 10], [11, 12]]] },
      { name: 'random [3, 4]·[4, 5]', args: [randomMatrix(rng, 3, 4), randomMatrix(rng, 4, 5)] },
      { name: `random [${n}, ${k}]·[${k}, ${m}]`, args: [randomMatrix(rng, n, k), randomMatrix(rng, k, m)] },
      { name: 'random [5, 2]·[2, 3] (a tall, thin a)', args: [randomMatrix(rng, 5, 2), randomMatrix(rng, 2, 3)] },
      { name: 'random [4, 4]·[4, 4] (square)', args: [randomMatrix(rng, 4, 4), randomMatrix(rng, 4, 4)] },
      { name: 'random [8, 16]·[16, 8] (a small linear layer)', args: [randomMatrix(rng, 8, 16, 0.5), randomMatrix(rng, 16, 8, 0.5)] },
      { name: 'random [2, 5]·[5, 5] (a square b)', args: [randomMatrix(rng, 2, 5), randomMatrix(rng, 5, 5)] },
      {
        name: 'non-square result [2, 3]·[3, 4] (a transposed result would have shape [4, 2])',
        args: [[[1, 0, 2], [-1, 3, 1]], [[2, 1, 0, 1], [1, 0, -2, 3], [0, 4, 1, -1]]],
      },
      {
        name: 'square result [3, 2]·[2, 3], not symmetric (a transposed result has the right shape but wrong values)',
        args: [[[1, 2], [0, 1], [3, -1]], [[2, 0, 1], [1, 3, -2]]],
      },
      {
        name: 'two [3, 3] matrices (an elementwise product would have the right shape)',
        args: [[[1, 2, 0], [0, 1, 3], [2, -1, 1]], [[4, 0, 1], [1, 2, 0], [0, 1, 5]]],
      },
      { name: 'times the identity [3, 3]·I (gives a back)', args: [[[2, -1, 0], [5, 3, 1], [0, 4, -2]], [[1, 0, 0], [0, 1, 0], [0, 0, 1]]] },
      { name: 'a row times a column [1, 4]·[4, 1] (a dot product, result [1, 1])', args: [[[1, -2, 3, 0.5]], [[2], [1], [-1], [4]]] },
      { name: 'a column times a row [3, 1]·[1, 4] (an outer product, inner size 1)', args: [[[1], [-2], [3]], [[2, 0, -1, 5]]] },
    ];
  },
  reference: ({ tf }: ReferenceContext, a, b) => tf.matMul(tf.tensor2d(a, undefined, 'float32'), tf.tensor2d(b, undefined, 'float32')),
  properties: [
    {
      name: 'multiplying by the identity gives the matrix back, on either side',
      cases: (rng) => [identityCase(rng, 2, 3), identityCase(rng, 4, 2)],
      holds: (outputs, calls) => {
        const odd = wrongKind('matmul', 'a matrix', outputs, isMatrix);
        if (odd) return odd;
        const a = calls[0][0];
        const side = ['a·I', 'I·a'].find((_, k) => matrixDifference(outputs[k], a));
        if (!side) return undefined;
        const k = side === 'a·I' ? 0 : 1;
        return (
          `Your ${side} differs from a: ${matrixDifference(outputs[k], a)}. ` +
          'Entry [i][j] of a·b is the sum over p of a[i][p]·b[p][j]; with the identity, only one term of that sum is not 0, and it is the entry of a itself. The sum runs over the columns of a, which are the rows of b.'
        );
      },
    },
    {
      name: '(A·B)ᵀ = Bᵀ·Aᵀ',
      cases: (rng) => [transposeCase(rng, 2, 3, 4), transposeCase(rng, 3, 2, 3)],
      holds: (outputs) => {
        const odd = wrongKind('matmul', 'a matrix', outputs, isMatrix);
        if (odd) return odd;
        if (outputs[0][0].length !== outputs[1].length) return `Your A·B has ${outputs[0][0].length} columns but your Bᵀ·Aᵀ has ${outputs[1].length} rows: they should be equal, as A·B is [n, m] and Bᵀ·Aᵀ is [m, n].`;
        const difference = matrixDifference(transpose(outputs[0]), outputs[1]);
        if (!difference) return undefined;
        return (
          `The transpose of your A·B and your Bᵀ·Aᵀ differ: ${difference}. ` +
          'Entry [j][i] of Bᵀ·Aᵀ is the sum over p of B[p][j]·A[i][p], which is entry [i][j] of A·B: the same numbers, multiplied in the other order.'
        );
      },
    },
  ],
  misconceptions: [
    {
      id: 'transposed-result',
      title: { en: 'the result is transposed ([m, n] instead of [n, m])', 'zh-CN': '结果被转置了（[m, n] 而不是 [n, m]）' },
      message: {
        en:
          'Your output is (a·b)ᵀ: entry [i][j] holds what belongs at [j][i]. That happens when the outer loop (or outer map) runs over the columns of b and the inner one over the rows of a. ' +
          'The result has one row per row of a: loop over i (rows of a) outside, j (columns of b) inside, and store at out[i][j].',
        'zh-CN':
          '你的输出是 (a·b)ᵀ：元素 [i][j] 存的是应该放在 [j][i] 的值。外层循环（或外层 map）遍历 b 的列、内层遍历 a 的行时就会这样。' +
          '结果中 a 的每一行对应一行：外层遍历 i（a 的行），内层遍历 j（b 的列），存到 out[i][j]。',
      },
      hint: {
        en: 'Compare the shape you return with [rows of a, columns of b]: which loop decides the row of an output entry, and which one its column?',
        'zh-CN': '把你返回的形状与 [a 的行数, b 的列数] 对比：哪个循环决定输出元素的行，哪个决定它的列？',
      },
      wrong: (_ctx, a, b) => transpose(matmul(a, b)),
    },
    {
      id: 'rows-times-rows',
      title: { en: 'dotting rows of a with rows of b (computing a·bᵀ)', 'zh-CN': '用 a 的行与 b 的行做点积（算成了 a·bᵀ）' },
      message: {
        en:
          'out[i][j] must pair row i of a with column j of b: Σ_p a[i][p]·b[p][j]. Writing b[j][p] pairs it with row j of b instead, which computes a·bᵀ. ' +
          'With a square b the shape comes out right and only the values are wrong; otherwise you read past the end of a row (NaN) or a missing row (TypeError).',
        'zh-CN':
          'out[i][j] 必须把 a 的第 i 行与 b 的第 j 列配对：Σ_p a[i][p]·b[p][j]。写成 b[j][p] 则是与 b 的第 j 行配对，算出来的是 a·bᵀ。' +
          'b 是方阵时形状是对的，只是值错了；否则你会读到某一行末尾之外（NaN），或者读一个不存在的行（TypeError）。',
      },
      hint: {
        en: 'Read your inner product aloud for out[0][1]: it should walk down column 1 of b, so the index that changes with p must be the first index into b.',
        'zh-CN': '把你计算 out[0][1] 的内积念出来：它应该沿 b 的第 1 列往下走，所以随 p 变化的下标必须是 b 的第一个下标。',
      },
      wrong: (_ctx, a, b) => {
        // As a learner writes it: the right sizes, the wrong index order on b.
        const n = a.length;
        const k = a[0].length;
        const m = b[0].length;
        // b[j] for j past b's last row is undefined: the learner's code throws a TypeError there, it outputs nothing to match.
        if (m > b.length) throw new TypeError('not applicable: b[j] is a row that does not exist');
        const out: number[][] = [];
        for (let i = 0; i < n; i++) {
          const row: number[] = [];
          for (let j = 0; j < m; j++) {
            let sum = 0;
            for (let p = 0; p < k; p++) sum += a[i][p] * b[j][p];
            row.push(sum);
          }
          out.push(row);
        }
        return out;
      },
    },
    {
      id: 'elementwise-product',
      title: { en: 'an elementwise product instead of a matrix product', 'zh-CN': '算成了逐元素乘积，而不是矩阵乘积' },
      message: {
        en:
          'a[i][j]·b[i][j] multiplies matching entries (the Hadamard product, NumPy\'s a * b). A matrix product sums over the shared inner dimension: ' +
          'out[i][j] = Σ_p a[i][p]·b[p][j], which has shape [rows of a, columns of b] and needs a third loop over p.',
        'zh-CN':
          'a[i][j]·b[i][j] 是把对应元素相乘（Hadamard 积，NumPy 的 a * b）。矩阵乘积要在共享的内侧维度上求和：' +
          'out[i][j] = Σ_p a[i][p]·b[p][j]，它的形状是 [a 的行数, b 的列数]，并且需要第三层遍历 p 的循环。',
      },
      hint: {
        en: 'An entry of a matrix product mixes a whole row of a with a whole column of b, so it is a sum of k products: where is the loop over the shared dimension?',
        'zh-CN': '矩阵乘积的一个元素把 a 的一整行和 b 的一整列混合在一起，所以它是 k 个乘积之和：遍历共享维度的那个循环在哪里？',
      },
      wrong: (_ctx, a, b) => {
        // b[i] for i past b's last row is undefined: the learner's code throws a TypeError there.
        if (a.length > b.length) throw new TypeError('not applicable: b[i] is a row that does not exist');
        return a.map((row, i) => row.map((x, j) => x * b[i][j]));
      },
    },
    {
      id: 'rows-share-one-array',
      title: { en: 'every output row is the same array', 'zh-CN': '输出的每一行都是同一个数组' },
      message: {
        en:
          'new Array(n).fill(new Array(m).fill(0)) evaluates new Array(m) once and puts that same array in all n slots, so writing out[i][j] changes every row and they all end up equal. ' +
          'Create a fresh array per row: Array.from({ length: n }, () => new Array(m).fill(0)).',
        'zh-CN':
          'new Array(n).fill(new Array(m).fill(0)) 只执行一次 new Array(m)，并把这同一个数组放进全部 n 个位置，所以写入 out[i][j] 会改变每一行，最后它们全都相等。' +
          '应当为每一行新建一个数组：Array.from({ length: n }, () => new Array(m).fill(0))。',
      },
      hint: {
        en: 'Write to out[0][0] and then print out[1][0]: if it changed too, your rows are one array seen n times, so each row needs an array created for it alone.',
        'zh-CN': '写入 out[0][0]，再打印 out[1][0]：如果它也变了，说明你的各行是同一个数组被看了 n 次，所以每一行都需要单独创建一个数组。',
      },
      wrong: (_ctx, a, b) => {
        const c = matmul(a, b);
        const m = c[0].length;
        // Assigning out[i][j] = sum leaves the last row everywhere; accumulating out[i][j] += … leaves the column sums.
        const last = c[c.length - 1];
        const columnSums = Array.from({ length: m }, (_, j) => c.reduce((s, row) => s + row[j], 0));
        return anyOf(
          c.map(() => [...last]),
          c.map(() => [...columnSums]),
        );
      },
    },
    {
      id: 'accumulator-not-reset',
      title: { en: 'the running sum is not reset for each entry', 'zh-CN': '累加和没有为每个元素重置' },
      message: {
        en:
          'Each entry needs its own sum: set it to 0 right before the loop over p. Declared once outside the loop over j (or over i), it keeps the totals of the entries computed before, ' +
          'so each value is a running total of the previous ones.',
        'zh-CN':
          '每个元素都需要自己的累加和：在遍历 p 的循环之前把它设为 0。如果在遍历 j（或 i）的循环外面只声明一次，它会保留之前算过的各元素的总和，' +
          '于是每个值都成了前面各值的累计总和。',
      },
      hint: {
        en: 'Print the first few sums you store: each starts where the last one stopped. Where is the sum set back to zero?',
        'zh-CN': '打印你存下的前几个和：每一个都从上一个停下的地方开始。累加和在哪里被重新设为零？',
      },
      wrong: (_ctx, a, b) => {
        const n = a.length;
        const m = b[0].length;
        // `let sum = 0` once per function, or once per row.
        const perFunction: number[][] = [];
        const perRow: number[][] = [];
        let total = 0;
        for (let i = 0; i < n; i++) {
          let rowTotal = 0;
          const r1: number[] = [];
          const r2: number[] = [];
          for (let j = 0; j < m; j++) {
            const d = dot(a, b, i, j);
            total += d;
            rowTotal += d;
            r1.push(total);
            r2.push(rowTotal);
          }
          perFunction.push(r1);
          perRow.push(r2);
        }
        return anyOf(perFunction, perRow);
      },
    },
  ],
  hints: [
    {
      en: 'Start from the shapes: a is [n, k] and b is [k, m]. What shape does the result have, and which size disappears?',
      'zh-CN': '从形状入手：a 为 [n, k]，b 为 [k, m]。结果是什么形状？哪个维度消失了？',
    },
    {
      en: 'Entry [i][j] pairs row i of a with column j of b. Column j of b is b[0][j], b[1][j], …, b[k−1][j], not b[j] (that is row j).',
      'zh-CN': '元素 [i][j] 把 a 的第 i 行与 b 的第 j 列配对。b 的第 j 列是 b[0][j], b[1][j], …, b[k−1][j]，而不是 b[j]（那是第 j 行）。',
    },
    {
      en: 'Three loops: i over the n rows of a, j over the m columns of b, and inside them p over the k shared entries, summing a[i][p]·b[p][j] from 0 for each (i, j). Each output row must be an array of its own.',
      'zh-CN': '三层循环：i 遍历 a 的 n 行，j 遍历 b 的 m 列，在它们里面 p 遍历 k 个共享元素，对每个 (i, j) 从 0 开始累加 a[i][p]·b[p][j]。输出的每一行都必须是它自己的数组。',
    },
  ],
});
