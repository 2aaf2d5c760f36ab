import { defineExercise, type ReferenceContext } from 'llm-tutor/pack';
import { angleTable, frequencies, overwrittenPairs, ropeCases, ropeTrace, rotateNeighboursTf, rotateRows } from '../rope-math.js';
import { ropeNormProperties } from '../rope-properties.js';

type Args = [x: number[][], positions: number[], base: number];

export default defineExercise<Args, number[][]>({
  entry: 'applyRope',
  signature: 'applyRope(x: Matrix, positions: number[], base: number): Matrix',
  cases: ropeCases,
  reference: ({ tf }: ReferenceContext, x, positions, base) => rotateNeighboursTf(tf, x, angleTable(positions, frequencies(x[0].length, base))),
  trace: (_ctx, x, positions, base) => ropeTrace(x, positions, base),
  properties: ropeNormProperties('applyRope', 'neighbours'),
  misconceptions: [
    {
      id: 'half-split-layout',
      title: { en: 'pairs (i, i + d/2) instead of neighbours (2i, 2i+1)', 'zh-CN': '按 (i, i + d/2) 配对，而不是相邻维度 (2i, 2i+1)' },
      message: {
        en:
          'You rotated dimension i together with dimension i + d/2: that is the half-split layout of GPT-NeoX and Hugging Face LLaMA (the next exercise). ' +
          'This exercise follows RoFormer and Meta\'s LLaMA: pair i is the neighbours (2i, 2i+1), rotated by positions[r]·θ_i. ' +
          'Both are valid RoPEs, but a model only works with the layout it was trained with.',
        'zh-CN':
          '你把维度 i 与维度 i + d/2 一起旋转：这是 GPT-NeoX 和 Hugging Face LLaMA 的前后半分布局（下一个练习）。' +
          '本练习遵循 RoFormer 和 Meta 的 LLaMA：第 i 对是相邻维度 (2i, 2i+1)，旋转角度为 positions[r]·θ_i。两者都是合法的 RoPE，但模型只能用它训练时的那种布局。',
      },
      hint: {
        en: 'Which two dimensions form pair 0 in your code? This exercise pairs each dimension with its neighbour.',
        'zh-CN': '在你的代码里，第 0 对由哪两个维度组成？本练习把每个维度与它的相邻维度配对。',
      },
      wrong: (_ctx, x, positions, base) => rotateRows(x, positions, frequencies(x[0].length, base), 'halves'),
    },
    {
      id: 'sign-flipped',
      title: { en: 'rotation the wrong way (sin with the opposite sign)', 'zh-CN': '旋转方向反了（sin 的符号相反）' },
      message: {
        en:
          'Your pairs turn by −angle: (x cos + y sin, −x sin + y cos). The rotation by +angle is (x, y) → (x cos − y sin, x sin + y cos), ' +
          'which is multiplying x + iy by e^(i·angle). The attention scores would still depend only on the distance between tokens, ' +
          'but with the sign of that distance reversed, so weights trained with the standard rotation would read positions backwards.',
        'zh-CN':
          '你的每一对旋转的是 −angle：(x cos + y sin, −x sin + y cos)。旋转 +angle 是 (x, y) → (x cos − y sin, x sin + y cos)，也就是把 x + iy 乘以 e^(i·angle)。' +
          '注意力分数仍然只取决于 token 之间的距离，但这个距离的符号反了，所以用标准旋转训练出的权重会把位置倒着读。',
      },
      hint: {
        en: 'Rotate (1, 0) by a quarter turn by hand: it should land on (0, 1). Does your formula do that?',
        'zh-CN': '手动把 (1, 0) 旋转四分之一圈：它应该落在 (0, 1) 上。你的公式是这样吗？',
      },
      wrong: (_ctx, x, positions, base) => rotateRows(x, positions, frequencies(x[0].length, base), 'neighbours', -1),
    },
    {
      id: 'exponent-i-over-d',
      title: { en: 'θ_i = base^(−i/d) instead of base^(−2i/d)', 'zh-CN': 'θ_i = base^(−i/d)，而不是 base^(−2i/d)' },
      message: {
        en:
          'Your frequencies fall too slowly: θ_i = base^(−i/d) only reaches base^(−1/2) at the last pair, so the slowest pairs turn about 100 times too fast (base 10000). ' +
          'The exponent is −2i/d for pair i = 0 … d/2 − 1 (the 2i is the index of the pair\'s first dimension); for d = 8, θ = [1, 0.1, 0.01, 0.001].',
        'zh-CN':
          '你的频率下降得太慢：θ_i = base^(−i/d) 在最后一对也只降到 base^(−1/2)，所以最慢的那些维度对转得快了大约 100 倍（base 为 10000）。' +
          '第 i 对（i = 0 … d/2 − 1）的指数是 −2i/d（2i 是这一对第一个维度的下标）；d = 8 时，θ = [1, 0.1, 0.01, 0.001]。',
      },
      hint: {
        en: 'Print your θ for d = 8, base 10000: it should be [1, 0.1, 0.01, 0.001]. Check the exponent.',
        'zh-CN': '打印 d = 8、base 为 10000 时你的 θ：应该是 [1, 0.1, 0.01, 0.001]。检查一下指数。',
      },
      wrong: (_ctx, x, positions, base) => rotateRows(x, positions, frequencies(x[0].length, base, 1), 'neighbours'),
    },
    {
      id: 'row-index-as-position',
      title: { en: 'the row index used instead of positions[r]', 'zh-CN': '用行号代替了 positions[r]' },
      message: {
        en:
          'You rotated row r by r·θ_i, ignoring the positions argument. The rows are tokens, but their positions are given separately: ' +
          'after a KV cache the new tokens sit at positions 17, 18, 19..., not 0, 1, 2. Use positions[r].',
        'zh-CN':
          '你把第 r 行旋转了 r·θ_i，忽略了 positions 参数。每一行是一个 token，但它们的位置是单独给出的：使用 KV 缓存之后，新 token 位于位置 17, 18, 19...，而不是 0, 1, 2。请使用 positions[r]。',
      },
      hint: { en: 'Which argument says where each row is in the sequence? Your rows may not start at position 0.', 'zh-CN': '哪个参数说明了每一行在序列中的位置？你的行不一定从位置 0 开始。' },
      wrong: (_ctx, x, _positions, base) => rotateRows(x, x.map((_, r) => r), frequencies(x[0].length, base), 'neighbours'),
    },
    {
      id: 'pair-overwritten-in-place',
      title: { en: 'a pair overwritten before its partner is computed', 'zh-CN': '一对中的数在算出另一个数之前就被覆盖了' },
      message: {
        en:
          'The second number of each pair is computed from the first one\'s new value: you wrote out[r][2i] (or x[r][2i] in place) and then used it for out[r][2i+1], or the other way round. ' +
          'Both must come from the old pair: with x = x[r][2i] and y = x[r][2i+1] read before either is written, (x cos a − y sin a, x sin a + y cos a). ' +
          'In the lesson example, position 1 comes out [−1.142640, 0.119106, 2.959851, 4.029398] instead of [−1.142640, 1.922076, 2.959851, 4.029800]: pair 0 shrinks from length √5 ≈ 2.236 to 1.149, so it is no longer a rotation.',
        'zh-CN':
          '每一对的第二个数是用第一个数的新值算出来的：你先写了 out[r][2i]（或原地写了 x[r][2i]），再用它计算 out[r][2i+1]，或者反过来。' +
          '两者都必须来自旧的那一对：在写入任何一个之前先读出 x = x[r][2i] 和 y = x[r][2i+1]，再算 (x cos a − y sin a, x sin a + y cos a)。' +
          '在课程示例中，位置 1 得到 [−1.142640, 0.119106, 2.959851, 4.029398]，而不是 [−1.142640, 1.922076, 2.959851, 4.029800]：第 0 对的长度从 √5 ≈ 2.236 缩到 1.149，所以它不再是旋转。',
      },
      hint: {
        en: 'A rotation keeps the length of every pair: |(1, 2)| = √5 at every position. Does yours? When you compute a pair\'s second number, is its first number still the old one?',
        'zh-CN': '旋转保持每一对的长度不变：在每个位置上 |(1, 2)| = √5。你的是这样吗？计算一对中的第二个数时，第一个数还是旧值吗？',
      },
      wrong: (_ctx, x, positions, base) => overwrittenPairs(x, positions, base, 'neighbours'),
    },
  ],
  hints: [
    {
      en: 'Work pair by pair: for row r and pair i, the two numbers (x[r][2i], x[r][2i+1]) are a point in the plane, turned by the angle positions[r]·θ_i.',
      'zh-CN': '逐对处理：对第 r 行第 i 对，两个数 (x[r][2i], x[r][2i+1]) 是平面上的一个点，旋转角度为 positions[r]·θ_i。',
    },
    {
      en: 'θ_i = base^(−2i/d) for i = 0 … d/2 − 1, with d = x[0].length. Position 0 leaves a row unchanged; that is a quick check.',
      'zh-CN': '对 i = 0 … d/2 − 1，θ_i = base^(−2i/d)，其中 d = x[0].length。位置 0 使一行保持不变；这是一个快速的检查。',
    },
    {
      en: 'With a = positions[r]·θ_i, x = x[r][2i] and y = x[r][2i+1]: out[r][2i] = x·cos a − y·sin a and out[r][2i+1] = x·sin a + y·cos a. Build a new matrix: read x and y before writing.',
      'zh-CN': '令 a = positions[r]·θ_i，x = x[r][2i]，y = x[r][2i+1]：out[r][2i] = x·cos a − y·sin a，out[r][2i+1] = x·sin a + y·cos a。构造一个新矩阵：先读出 x 和 y，再写入。',
    },
  ],
});
