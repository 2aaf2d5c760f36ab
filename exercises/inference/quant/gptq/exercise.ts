import { anyOf, defineExercise, tidy, type Rng } from 'llm-tutor/pack';
import { close, isVector, show } from '../../../transformer-core/properties.js';
import { dampedHessian, gptqSteps, lessonLayer, minMaxGrid, nearest, spdInverse, type GptqRow } from '../gptq-math.js';

type Args = [w: number[], hInv: number[][], grid: number[]];

/** The lesson's worked example: H⁻¹ = UᵀU with U = [[0.5, 0.25, 0.25], [0, 0.5, 0.25], [0, 0, 0.5]], so H = [[5.25, −1.5, −1], [−1.5, 5, −2], [−1, −2, 4]]. */
export const lessonW = [0.3, 0.2, 0.7];
export const lessonHInv = [
  [0.25, 0.125, 0.125],
  [0.125, 0.3125, 0.1875],
  [0.125, 0.1875, 0.375],
];
export const lessonGrid = [-1, -0.5, 0, 0.5, 1];

/** ½·δᵀHδ. */
const halfQuadratic = (delta: number[], h: number[][]) => 0.5 * delta.reduce((acc, di, i) => acc + di * h[i].reduce((s, hij, j) => s + hij * delta[j], 0), 0);

/** A row of a layer fed n random correlated activations over d inputs: w, gptq.py's damped H inverted, and a min-max grid of `bits`. */
function randomRow(rng: Rng, d: number, n: number, bits: number): Args {
  const z = Array.from({ length: n }, () => Array.from({ length: d }, () => rng.normal()));
  const x = z.map((row) => row.map((v, j) => v + (j > 0 ? 0.7 * row[j - 1] : 0)));
  const hInv = spdInverse(dampedHessian(x)).map((row) => row.map((v) => tidy(v, 6)));
  // Keep the rounded H⁻¹ exactly symmetric.
  const sym = hInv.map((row, i) => row.map((v, j) => (j < i ? hInv[j][i] : v)));
  const w = Array.from({ length: d }, () => tidy(rng.normal(0, 0.5), 3));
  return [w, sym, minMaxGrid(w, bits).map((g) => tidy(g, 6))];
}

function cases(rng: Rng): { name: string; args: Args; expected?: GptqRow }[] {
  const layer = lessonLayer();
  return [
    // Worked by hand in the lesson: errors −0.4, −0.4, −0.2.
    { name: 'the lesson example: 3 columns, grid [−1, −0.5, 0, 0.5, 1]', args: [lessonW, lessonHInv, lessonGrid], expected: { q: [0.5, 0.5, 1], error: 0.18 } },
    { name: 'the lesson\'s layer, row 0: 8 inputs, a 3-bit grid (GPTQ beats rounding to nearest)', args: [layer.rows[0], layer.hInv, layer.grids[0]] },
    { name: 'the lesson\'s layer, row 3 (here GPTQ\'s greedy order loses to rounding to nearest)', args: [layer.rows[3], layer.hInv, layer.grids[3]] },
    { name: 'random: 6 inputs, 16 samples, a 4-bit grid', args: randomRow(rng, 6, 16, 4) },
    { name: 'random: 10 inputs, 24 samples, a 3-bit grid', args: randomRow(rng, 10, 24, 3) },
    { name: 'random: 5 inputs, 12 samples, a 2-bit grid', args: randomRow(rng, 5, 12, 2) },
    {
      name: 'H⁻¹ = I (uncorrelated inputs): nothing to feed forward; ties 0.25 → 0 and −0.75 → −1, the earlier grid value',
      args: [[0.25, -0.75, 0.6, -0.1], [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]], lessonGrid],
    },
    { name: 'a diagonal H⁻¹ [0.25, 4]: no feedback, error (w − q)²/(2·H⁻¹_ii)', args: [[0.3, -0.4], [[0.25, 0], [0, 4]], lessonGrid] },
    { name: 'a single column: error (w − q)²/(2·H⁻¹)', args: [[0.8], [[0.5]], lessonGrid] },
  ];
}

const isRow = (x: unknown): x is GptqRow => typeof x === 'object' && x !== null && isVector((x as GptqRow).q) && typeof (x as GptqRow).error === 'number';

export default defineExercise<Args, GptqRow>({
  entry: 'gptqQuantizeRow',
  signature: 'gptqQuantizeRow(w: Vector, hInv: Matrix, grid: Vector): { q: Vector; error: number }',
  inputsReadOnly: true,
  cases,
  reference: (_ctx, w, hInv, grid) => gptqSteps(w, hInv, grid).output,
  trace: (_ctx, w, hInv, grid) => gptqSteps(w, hInv, grid).steps,
  properties: [
    {
      name: 'the error returned is ½(w − q)ᵀH(w − q) for the q returned',
      cases: (rng) => [{ name: '6 inputs, a 3-bit grid', calls: [randomRow(rng, 6, 16, 3)] }],
      holds: ([out], [[w, hInv]]) => {
        if (!isRow(out) || out.q.length !== w.length) return `gptqQuantizeRow must return { q, error }, q one number per weight (${w.length}) and error a number; it returned ${JSON.stringify(out)?.slice(0, 80)}.`;
        const want = halfQuadratic(w.map((v, i) => v - out.q[i]), spdInverse(hInv));
        if (close(want, out.error)) return undefined;
        return `For the q you return, ½(w − q)ᵀH(w − q) = ${show(want)} (H the inverse of hInv), but your error is ${show(out.error)}. GPTQ's Σ err_i²/2, with err_i = (w_i − q_i)/U_ii taken from the UPDATED w_i, equals that quadratic form exactly; without the updates, Σ (w − q)²/(2U_ii²) does not.`;
      },
    },
  ],
  misconceptions: [
    {
      id: 'round-to-nearest',
      title: { en: 'every weight rounded where it is, without the error feedback', 'zh-CN': '每个权重就地舍入，没有误差反馈' },
      message: {
        en:
          'You round each weight to the nearest grid value without taking the error off the columns after it (round to nearest, RTN): q = [0.5, 0, 0.5] in the lesson, ½δᵀHδ = 0.305, where GPTQ gives [0.5, 0.5, 1] and 0.18. ' +
          'After column i is rounded, err = (w_i − q_i)/U_ii must be subtracted, times U_ij, from every later w_j, and the later columns rounded as updated.',
        'zh-CN':
          '你把每个权重舍入到最近的网格值，却没有把误差从它之后的列上扣除（就近舍入，RTN）：课程示例中 q = [0.5, 0, 0.5]，½δᵀHδ = 0.305，而 GPTQ 给出 [0.5, 0.5, 1] 和 0.18。' +
          '第 i 列舍入之后，必须从之后的每个 w_j 中减去 err = (w_i − q_i)/U_ii 乘以 U_ij，后续各列要按更新后的值来舍入。',
      },
      hint: {
        en: 'In the lesson, what is w_1 when column 1 is rounded? Column 0 was rounded from 0.3 to 0.5; the update makes w_1 = 0.2 + 0.4·0.25 = 0.3.',
        'zh-CN': '课程示例中，舍入第 1 列时 w_1 是多少？第 0 列从 0.3 舍入成了 0.5；更新使 w_1 = 0.2 + 0.4·0.25 = 0.3。',
      },
      wrong: (_ctx, w, hInv, grid) => {
        const rtn = gptqSteps(w, hInv, grid, false).output;
        const delta = w.map((v, i) => v - rtn.q[i]);
        return anyOf(rtn, { q: rtn.q, error: halfQuadratic(delta, spdInverse(hInv)) });
      },
    },
    {
      id: 'hinv-not-cholesky',
      title: { en: 'H⁻¹ itself used where its Cholesky factor U belongs', 'zh-CN': '在该用 Cholesky 因子 U 的地方直接用了 H⁻¹' },
      message: {
        en:
          'You divide by H⁻¹_ii and spread the error with the row H⁻¹_{i, j} instead of U_ii and U_ij, the upper Cholesky factor (gptq.py runs torch.linalg.cholesky(H, upper=True) on H⁻¹ before the loop). ' +
          'The first column comes out right, but the later updates and the error do not: 0.5476 in the lesson instead of 0.18. Factor hInv = UᵀU first.',
        'zh-CN':
          '你除以的是 H⁻¹_ii，并用 H⁻¹ 的行 H⁻¹_{i, j} 来分摊误差，而不是用上三角 Cholesky 因子的 U_ii 和 U_ij（gptq.py 在循环之前会对 H⁻¹ 执行 torch.linalg.cholesky(H, upper=True)）。' +
          '第一列结果是对的，但之后的更新和误差都不对：课程示例中为 0.5476，而不是 0.18。先把 hInv 分解为 UᵀU。',
      },
      hint: {
        en: 'In the lesson, U_00 = √0.25 = 0.5: is your first err (0.3 − 0.5)/0.5 = −0.4, or (0.3 − 0.5)/0.25?',
        'zh-CN': '课程示例中 U_00 = √0.25 = 0.5：你的第一个 err 是 (0.3 − 0.5)/0.5 = −0.4，还是 (0.3 − 0.5)/0.25？',
      },
      wrong: (_ctx, w, hInv, grid) => {
        const x = [...w];
        const q: number[] = [];
        let squared = 0;
        let linear = 0;
        for (let i = 0; i < x.length; i++) {
          q.push(nearest(x[i], grid));
          const d = hInv[i][i];
          const err = (x[i] - q[i]) / d;
          for (let j = i + 1; j < x.length; j++) x[j] -= err * hInv[i][j];
          squared += (x[i] - q[i]) ** 2 / (2 * d * d);
          linear += (x[i] - q[i]) ** 2 / (2 * d);
        }
        return anyOf({ q, error: squared }, { q, error: linear });
      },
    },
  ],
  hints: [
    {
      en: 'First factor hInv = UᵀU with U upper triangular (a Cholesky factorisation, row by row). In the lesson U = [[0.5, 0.25, 0.25], [0, 0.5, 0.25], [0, 0, 0.5]].',
      'zh-CN': '先把 hInv 分解为 UᵀU，U 为上三角（Cholesky 分解，逐行进行）。课程示例中 U = [[0.5, 0.25, 0.25], [0, 0.5, 0.25], [0, 0, 0.5]]。',
    },
    {
      en: 'Then go through the columns in order: round the current w_i to the nearest grid value, compute err = (w_i − q_i)/U_ii, add err²/2 to the error, and subtract err·U_ij from every later w_j.',
      'zh-CN': '然后按顺序遍历各列：把当前的 w_i 舍入到最近的网格值，算出 err = (w_i − q_i)/U_ii，把 err²/2 加到误差上，并从之后的每个 w_j 中减去 err·U_ij。',
    },
    {
      en: 'The key idea: each rounding error is compensated by the weights not yet quantised, in the direction H⁻¹ says their inputs are correlated; the Cholesky factor does every update of H⁻¹ at once.',
      'zh-CN': '关键：每次的舍入误差都由尚未量化的权重来补偿，补偿方向就是 H⁻¹ 所表明的输入相关方向；Cholesky 因子一次性完成了对 H⁻¹ 的所有更新。',
    },
  ],
});
