import { anyOf, defineExercise, matmul, randomMatrix, type ReferenceContext, type Rng } from 'llm-tutor/pack';
import { matricesAgree } from '../../properties.js';
import { addScaled, eachLoopStyle, lessonExample, looseAddScaled, looseMatmul, loraForwardSteps, loraForwardTf, rankOf, scaleMatrix } from '../lora-math.js';

type Args = [x: number[][], w0: number[][], a: number[][], b: number[][], alpha: number];

/** x·W0 + scale·(x·A)·B in float64. */
function forwardWithScale(x: number[][], w0: number[][], a: number[][], b: number[][], scale: number): number[][] {
  return addScaled(matmul(x, w0), matmul(matmul(x, a), b), scale);
}

/** A random case: n tokens, a [din, dout] layer, an adapter of rank r. */
function randomCase(rng: Rng, n: number, din: number, dout: number, r: number, alpha: number): Args {
  return [randomMatrix(rng, n, din), randomMatrix(rng, din, dout, 0.5), randomMatrix(rng, din, r, 0.5), randomMatrix(rng, r, dout, 0.5), alpha];
}

/** A random case whose B is all zeros, as LoRA initialises it. */
function zeroBCase(rng: Rng, n: number, din: number, dout: number, r: number, alpha: number): { name: string; calls: Args[] } {
  const [x, w0, a, b] = randomCase(rng, n, din, dout, r, alpha);
  return { name: `${n} tokens, in ${din}, out ${dout}, r ${r}, α ${alpha}`, calls: [[x, w0, a, b.map((row) => row.map(() => 0)), alpha]] };
}

/** factor·(h − base), entry by entry (NaN where h has an entry base has not). */
function changeFrom(base: number[][], h: number[][], factor: number): number[][] {
  return h.map((row, i) => row.map((v, j) => factor * (v - (base[i]?.[j] ?? NaN))));
}

/** The same case with α and with 2α. */
function doubledAlphaCase(rng: Rng, n: number, din: number, dout: number, r: number, alpha: number): { name: string; calls: Args[] } {
  const [x, w0, a, b] = randomCase(rng, n, din, dout, r, alpha);
  return { name: `${n} tokens, in ${din}, out ${dout}, r ${r}, α ${alpha} then ${2 * alpha}`, calls: [[x, w0, a, b, alpha], [x, w0, a, b, 2 * alpha]] };
}

export default defineExercise<Args, number[][]>({
  entry: 'loraForward',
  signature: 'loraForward(x: Matrix, w0: Matrix, a: Matrix, b: Matrix, alpha: number): Matrix',
  cases: (rng) => {
    const n = rng.int(2, 4);
    const din = rng.int(5, 8);
    let dout = rng.int(3, 7);
    if (dout === din) dout = din - 1;
    const r = rng.int(2, 3);
    const alpha = rng.pick([8, 16, 32]);
    const zeroB: Args = randomCase(rng, 3, 6, 4, 2, 16);
    zeroB[3] = zeroB[3].map((row) => row.map(() => 0));
    const zeroW0: Args = randomCase(rng, 2, 5, 4, 2, 8);
    zeroW0[1] = zeroW0[1].map((row) => row.map(() => 0));
    const { x, w0, a, b, alpha: lessonAlpha } = lessonExample;
    return [
      { name: 'the lesson example: 2 tokens, in 3, out 2, r 2, α 4 (α/r = 2)', args: [x, w0, a, b, lessonAlpha] },
      { name: 'random: 3 tokens, in 6, out 5, r 2, α 8 (α/r = 4)', args: randomCase(rng, 3, 6, 5, 2, 8) },
      { name: `random: ${n} tokens, in ${din}, out ${dout}, r ${r}, α ${alpha}`, args: randomCase(rng, n, din, dout, r, alpha) },
      { name: 'random square layer: 4 tokens, in 16, out 16, r 8, α 16 (PEFT-style α = 2r)', args: randomCase(rng, 4, 16, 16, 8, 16) },
      { name: 'a single token: in 8, out 4, r 4, α 8', args: randomCase(rng, 1, 8, 4, 4, 8) },
      { name: 'a wide layer: in 4, out 12, r 3, α 6', args: randomCase(rng, 3, 4, 12, 3, 6) },
      { name: 'B = 0, as LoRA initialises it: the output is exactly x·W0', args: zeroB },
      { name: 'α = r = 4: the scale α/r is 1', args: randomCase(rng, 2, 6, 6, 4, 4) },
      { name: 'rank 1 (α/r, α and α/√r all agree here), α 2', args: randomCase(rng, 3, 5, 3, 1, 2) },
      { name: 'W0 = 0: only the adapter path is left', args: zeroW0 },
      { name: 'a full-rank square adapter: in = out = r = 2, α 4 (x·B·A also fits these shapes)', args: randomCase(rng, 2, 2, 2, 2, 4) },
    ];
  },
  reference: ({ tf }: ReferenceContext, x, w0, a, b, alpha) => loraForwardTf(tf, x, tf.tensor2d(w0, undefined, 'float32'), a, b, alpha / rankOf(a)),
  trace: ({ tf }: ReferenceContext, x, w0, a, b, alpha) => loraForwardSteps(tf, x, tf.tensor2d(w0, undefined, 'float32'), a, b, alpha / rankOf(a)).steps,
  properties: [
    {
      name: 'with B = 0, the output is x·W0',
      cases: (rng) => [zeroBCase(rng, 3, 6, 4, 2, 16), zeroBCase(rng, 2, 5, 5, 4, 8)],
      holds: matricesAgree<Args>(
        'loraForward',
        (outputs, [[x, w0]]) => [outputs[0], matmul(x, w0)],
        (difference) =>
          `With B all zeros, your output and x·W0 differ: ${difference}. ` +
          'LoRA starts training with B = 0, so the adapter path (α/r)·(x·A)·B is zero and the layer must behave exactly like the frozen one, whatever A and α are.',
      ),
    },
    {
      name: 'doubling α doubles the change from x·W0',
      cases: (rng) => [doubledAlphaCase(rng, 2, 5, 3, 2, 8), doubledAlphaCase(rng, 3, 4, 6, 3, 6)],
      holds: matricesAgree<Args>(
        'loraForward',
        ([once, twice], [[x, w0]]) => [changeFrom(matmul(x, w0), twice, 1), changeFrom(matmul(x, w0), once, 2)],
        (difference) =>
          `Your output minus x·W0 with 2α, and twice your output minus x·W0 with α, differ: ${difference}. ` +
          'α only scales the adapter path, h = x·W0 + (α/r)·(x·A)·B, so doubling it doubles what the adapter adds and leaves x·W0 alone.',
      ),
    },
  ],
  misconceptions: [
    {
      id: 'scale-alpha',
      title: { en: 'the update scaled by α instead of α/r', 'zh-CN': '更新量乘以了 α，而不是 α/r' },
      message: {
        en:
          'Your adapter path is multiplied by alpha, so the update comes out r times too large. LoRA scales it by α/r (lora_alpha / r in loralib and PEFT), ' +
          'which keeps the size of the update roughly the same when you change the rank. Multiply (x·A)·B by alpha / r, with r = a[0].length.',
        'zh-CN':
          '你的适配器路径乘以的是 alpha，所以更新量大了 r 倍。LoRA 把它乘以 α/r（loralib 和 PEFT 中的 lora_alpha / r），' +
          '这样改变秩时更新量的大小大致不变。把 (x·A)·B 乘以 alpha / r，其中 r = a[0].length。',
      },
      hint: {
        en: 'Double the rank while keeping alpha: the update should keep roughly the same size. What does the scale divide alpha by?',
        'zh-CN': '保持 alpha 不变、把秩加倍：更新量的大小应当大致不变。缩放因子是把 alpha 除以什么？',
      },
      wrong: (_ctx, x, w0, a, b, alpha) => forwardWithScale(x, w0, a, b, alpha),
    },
    {
      id: 'rslora-scaling',
      title: { en: 'the update scaled by α/√r (rsLoRA) instead of α/r', 'zh-CN': '更新量乘以了 α/√r（rsLoRA），而不是 α/r' },
      message: {
        en:
          'You scale the update by α/√r. That is rank-stabilised LoRA (rsLoRA, PEFT\'s use_rslora=True), a named variant; plain LoRA, and this exercise, use α/r. ' +
          'The two agree only at r = 1: divide alpha by r, not by Math.sqrt(r).',
        'zh-CN':
          '你把更新量乘以了 α/√r。这是秩稳定的 LoRA（rsLoRA，PEFT 中的 use_rslora=True），一个有名字的变体；普通 LoRA 和本练习用的是 α/r。' +
          '两者只在 r = 1 时一致：应当把 alpha 除以 r，而不是 Math.sqrt(r)。',
      },
      hint: {
        en: 'Check your scale at r = 4: plain LoRA\'s factor is a simple ratio of alpha and r, with no square root.',
        'zh-CN': '检查 r = 4 时的缩放因子：普通 LoRA 的因子就是 alpha 与 r 的简单比值，没有平方根。',
      },
      wrong: (_ctx, x, w0, a, b, alpha) => forwardWithScale(x, w0, a, b, alpha / Math.sqrt(rankOf(a))),
    },
    {
      id: 'base-path-dropped',
      title: { en: 'the frozen path x·W0 is missing', 'zh-CN': '缺少冻结路径 x·W0' },
      message: {
        en:
          'Your output is only the adapter\'s contribution (α/r)·(x·A)·B. LoRA does not replace the layer: it adds a low-rank update beside the frozen weight, ' +
          'h = x·W0 + (α/r)·(x·A)·B. With B = 0 (how LoRA starts) the layer must behave exactly like the original one, not output zeros.',
        'zh-CN':
          '你的输出只有适配器的贡献 (α/r)·(x·A)·B。LoRA 并不替换原来的层：它在冻结的权重旁边加上一个低秩更新，' +
          'h = x·W0 + (α/r)·(x·A)·B。B = 0 时（LoRA 的初始状态），该层必须与原来的层行为完全相同，而不是输出全零。',
      },
      hint: {
        en: 'Set B to zeros: the layer should behave exactly like the frozen one. Does your output?',
        'zh-CN': '把 B 设为全零：该层应当与冻结的层行为完全相同。你的输出是这样吗？',
      },
      wrong: (_ctx, x, _w0, a, b, alpha) => scaleMatrix(matmul(matmul(x, a), b), alpha / rankOf(a)),
    },
    {
      id: 'no-scaling',
      title: { en: 'the update added without the α/r factor', 'zh-CN': '加上更新量时没有乘以 α/r' },
      message: {
        en: 'You add (x·A)·B as it is. The adapter\'s output must be multiplied by α/r before it is added to x·W0; the two only agree when alpha equals r.',
        'zh-CN': '你把 (x·A)·B 原样加了上去。适配器的输出在加到 x·W0 之前必须先乘以 α/r；只有 alpha 等于 r 时两者才一致。',
      },
      hint: {
        en: 'Compare your output with the formula in the lesson: the adapter\'s path is multiplied by a factor before it is added.',
        'zh-CN': '把你的输出和课程中的公式对比一下：适配器路径在相加之前要先乘以一个因子。',
      },
      wrong: (_ctx, x, w0, a, b) => forwardWithScale(x, w0, a, b, 1),
    },
    {
      id: 'rank-from-wrong-axis',
      title: { en: 'r read from the wrong dimension', 'zh-CN': '从错误的维度读取了 r' },
      message: {
        en:
          'r is the inner size of the adapter: the columns of A and the rows of B (a[0].length or b.length). a.length is the layer\'s input size and b[0].length its output size, ' +
          'so dividing alpha by either of those shrinks the update.',
        'zh-CN':
          'r 是适配器的内侧维度：A 的列数和 B 的行数（a[0].length 或 b.length）。a.length 是层的输入大小，b[0].length 是输出大小，' +
          '所以把 alpha 除以其中任何一个都会让更新量变小。',
      },
      hint: {
        en: 'Which of the sizes of A and B is the rank r? It is the size the adapter squeezes the input down to.',
        'zh-CN': 'A 和 B 的各个维度中，哪一个是秩 r？它就是适配器把输入压缩到的那个大小。',
      },
      wrong: (_ctx, x, w0, a, b, alpha) =>
        anyOf(forwardWithScale(x, w0, a, b, alpha / a.length), forwardWithScale(x, w0, a, b, alpha / b[0].length)),
    },
    {
      id: 'b-before-a',
      title: { en: 'the adapter applied as x·B·A instead of x·A·B', 'zh-CN': '适配器按 x·B·A 而不是 x·A·B 计算' },
      message: {
        en:
          'With the row-vector convention the input meets A first: A is [in, r] and takes x down to r numbers, then B, [r, out], brings them up to the output size. ' +
          'The paper writes BAx because it uses column vectors; transposed, that is x·A·B. Multiplying x by B first only fits the shapes when in = r, ' +
          'so otherwise your code throws or produces NaN (undefined entries); compute (x·A)·B.',
        'zh-CN':
          '在行向量约定下，输入先遇到 A：A 为 [in, r]，把 x 降到 r 个数，然后 B 为 [r, out]，把它们升回输出大小。' +
          '论文写成 BAx 是因为它用列向量；转置之后就是 x·A·B。先用 x 乘以 B，只有在 in = r 时形状才对得上，' +
          '否则你的代码会抛出异常或产生 NaN（未定义的元素）；应当计算 (x·A)·B。',
      },
      hint: {
        en: 'Write the shapes: x is [n, in], A is [in, r], B is [r, out]. Which product order fits?',
        'zh-CN': '把形状写出来：x 为 [n, in]，A 为 [in, r]，B 为 [r, out]。哪种乘法顺序对得上？',
      },
      wrong: (_ctx, x, w0, a, b, alpha) => {
        const scale = alpha / rankOf(a);
        return anyOf(...eachLoopStyle((inner) => looseAddScaled(matmul(x, w0), looseMatmul(looseMatmul(x, b, inner), a, inner), scale)));
      },
    },
  ],
  hints: [
    {
      en: 'Start from the shapes: x is [n, in], W0 is [in, out], A is [in, r] and B is [r, out]. Which two products give an [n, out] result, and where can you read r?',
      'zh-CN': '从形状入手：x 为 [n, in]，W0 为 [in, out]，A 为 [in, r]，B 为 [r, out]。哪两个乘积会得到 [n, out] 的结果？r 可以从哪里读出来？',
    },
    {
      en: 'LoRA keeps the frozen path and adds a second, low-rank one beside it: compute x·W0, compute (x·A)·B, and add them.',
      'zh-CN': 'LoRA 保留冻结路径，并在它旁边加上第二条低秩路径：算出 x·W0，算出 (x·A)·B，再把它们相加。',
    },
    {
      en: 'With r = a[0].length, every output entry is h[i][j] = (x·W0)[i][j] + (alpha / r)·((x·A)·B)[i][j]: α/r, not α and not α/√r.',
      'zh-CN': '取 r = a[0].length，每个输出元素为 h[i][j] = (x·W0)[i][j] + (alpha / r)·((x·A)·B)[i][j]：是 α/r，既不是 α，也不是 α/√r。',
    },
  ],
});
