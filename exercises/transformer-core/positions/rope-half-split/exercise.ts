import { defineExercise, type ReferenceContext } from 'llm-tutor/pack';
import { angleTable, frequencies, overwrittenPairs, ropeCases, ropeTrace, rotateHalvesTf, rotateRows } from '../rope-math.js';
import { ropeNormProperties } from '../rope-properties.js';

type Args = [x: number[][], positions: number[], base: number];

/**
 * Hugging Face's x·cos + rotate_half(x)·sin, but with cos and sin laid out for
 * neighbour pairs (each angle repeated twice in a row, GPT-J's repeat_interleave)
 * instead of repeated over the two halves. The result is not a rotation.
 */
function mixedLayouts(x: number[][], positions: number[], base: number): number[][] {
  const freqs = frequencies(x[0].length, base);
  return x.map((row, r) => {
    const d = row.length;
    const half = d / 2;
    return row.map((v, j) => {
      const angle = positions[r] * freqs[Math.floor(j / 2)];
      const rotated = j < half ? -row[j + half] : row[j - half];
      return v * Math.cos(angle) + rotated * Math.sin(angle);
    });
  });
}

export default defineExercise<Args, number[][]>({
  entry: 'applyRopeHalf',
  signature: 'applyRopeHalf(x: Matrix, positions: number[], base: number): Matrix',
  cases: ropeCases,
  reference: ({ tf }: ReferenceContext, x, positions, base) => rotateHalvesTf(tf, x, angleTable(positions, frequencies(x[0].length, base))),
  trace: (_ctx, x, positions, base) => ropeTrace(x, positions, base),
  properties: ropeNormProperties('applyRopeHalf', 'halves'),
  misconceptions: [
    {
      id: 'neighbour-layout',
      title: { en: 'neighbour pairs (2i, 2i+1) instead of (i, i + d/2)', 'zh-CN': '按相邻维度 (2i, 2i+1) 配对，而不是 (i, i + d/2)' },
      message: {
        en:
          'You rotated neighbours (2i, 2i+1) together: that is the layout of RoFormer and Meta\'s LLaMA (the previous exercise). ' +
          'Here pair i is dimension i of the first half with dimension i + d/2 of the second half, as in GPT-NeoX and Hugging Face LLaMA. ' +
          'The two layouts give the same result only after permuting the dimensions (even ones first, then odd ones).',
        'zh-CN':
          '你把相邻维度 (2i, 2i+1) 一起旋转：这是 RoFormer 和 Meta 的 LLaMA 的布局（上一个练习）。' +
          '这里第 i 对是前一半的维度 i 与后一半的维度 i + d/2，和 GPT-NeoX、Hugging Face LLaMA 一样。两种布局只有在对维度做置换（先偶数维度，再奇数维度）之后才给出相同的结果。',
      },
      hint: {
        en: 'Which two dimensions form pair 0 in your code? In this layout a dimension of the first half is paired with one of the second half.',
        'zh-CN': '在你的代码里，第 0 对由哪两个维度组成？在这种布局中，前一半的一个维度与后一半的一个维度配对。',
      },
      wrong: (_ctx, x, positions, base) => rotateRows(x, positions, frequencies(x[0].length, base), 'neighbours'),
    },
    {
      id: 'sign-flipped',
      title: { en: 'rotation the wrong way (rotate_half as [x2, −x1])', 'zh-CN': '旋转方向反了（rotate_half 写成了 [x2, −x1]）' },
      message: {
        en:
          'Your pairs turn by −angle. rotate_half(x) is [−x2, x1] (the second half negated and moved first), so that ' +
          'out_first = x1·cos − x2·sin and out_second = x2·cos + x1·sin: the rotation (x, y) → (x cos − y sin, x sin + y cos) with x from the first half and y from the second.',
        'zh-CN':
          '你的每一对旋转的是 −angle。rotate_half(x) 是 [−x2, x1]（后一半取负并移到前面），这样 out_first = x1·cos − x2·sin，out_second = x2·cos + x1·sin：' +
          '这正是旋转 (x, y) → (x cos − y sin, x sin + y cos)，其中 x 来自前一半，y 来自后一半。',
      },
      hint: {
        en: 'Rotate (1, 0) by a quarter turn by hand: it should land on (0, 1). Check the sign in front of each sin term.',
        'zh-CN': '手动把 (1, 0) 旋转四分之一圈：它应该落在 (0, 1) 上。检查每个 sin 项前面的符号。',
      },
      wrong: (_ctx, x, positions, base) => rotateRows(x, positions, frequencies(x[0].length, base), 'halves', -1),
    },
    {
      id: 'mixed-layouts',
      title: { en: 'rotate_half with cos and sin laid out for neighbour pairs', 'zh-CN': 'rotate_half 配上了按相邻配对排布的 cos 和 sin' },
      message: {
        en:
          'You combined rotate_half (the half-split layout) with cos and sin repeated per neighbour pair: [cos θ_0·p, cos θ_0·p, cos θ_1·p, ...]. ' +
          'Dimension j and dimension j + d/2 then turn by different angles, so the result is not a rotation (the length of the pair changes). ' +
          'In the half-split layout dimension j uses angle index j mod d/2: cos and sin are [c_0 … c_{d/2−1}, c_0 … c_{d/2−1}], the table repeated over the two halves.',
        'zh-CN':
          '你把 rotate_half（前后半分布局）和按相邻配对重复的 cos、sin 组合在了一起：[cos θ_0·p, cos θ_0·p, cos θ_1·p, ...]。' +
          '这样维度 j 和维度 j + d/2 旋转的角度不同，结果就不是旋转（这一对的长度会变）。' +
          '在前后半分布局中，维度 j 使用的角度下标是 j mod d/2：cos 和 sin 是 [c_0 … c_{d/2−1}, c_0 … c_{d/2−1}]，即这张表在两半上各重复一次。',
      },
      hint: {
        en: 'Check which angle dimension j and dimension j + d/2 each use: the two members of a pair must turn by the same angle.',
        'zh-CN': '检查维度 j 和维度 j + d/2 各自用的是哪个角度：一对中的两个成员必须旋转同一个角度。',
      },
      wrong: (_ctx, x, positions, base) => mixedLayouts(x, positions, base),
    },
    {
      id: 'pair-overwritten-in-place',
      title: { en: 'a pair overwritten before its partner is computed', 'zh-CN': '一对中的数在算出另一个数之前就被覆盖了' },
      message: {
        en:
          'The second number of each pair is computed from the first one\'s new value: you wrote out[r][i] (or x[r][i] in place) and then used it for out[r][i + d/2], or the other way round. ' +
          'Both must come from the old pair: with x = x[r][i] and y = x[r][i + d/2] read before either is written, (x cos a − y sin a, x sin a + y cos a). ' +
          'In the lesson example, position 1 comes out [−1.984111, 1.959901, −0.048665, 4.019399] instead of [−1.984111, 1.959901, 2.462378, 4.019800]: pair 0 shrinks from length √10 ≈ 3.162 to 1.985, so it is no longer a rotation.',
        'zh-CN':
          '每一对的第二个数是用第一个数的新值算出来的：你先写了 out[r][i]（或原地写了 x[r][i]），再用它计算 out[r][i + d/2]，或者反过来。' +
          '两者都必须来自旧的那一对：在写入任何一个之前先读出 x = x[r][i] 和 y = x[r][i + d/2]，再算 (x cos a − y sin a, x sin a + y cos a)。' +
          '在课程示例中，位置 1 得到 [−1.984111, 1.959901, −0.048665, 4.019399]，而不是 [−1.984111, 1.959901, 2.462378, 4.019800]：第 0 对的长度从 √10 ≈ 3.162 缩到 1.985，所以它不再是旋转。',
      },
      hint: {
        en: 'A rotation keeps the length of every pair: |(x[0], x[2])| = |(1, 3)| = √10 at every position. Does yours? When you compute x[i + d/2], is x[i] still the old value?',
        'zh-CN': '旋转保持每一对的长度不变：在每个位置上 |(x[0], x[2])| = |(1, 3)| = √10。你的是这样吗？计算 x[i + d/2] 时，x[i] 还是旧值吗？',
      },
      wrong: (_ctx, x, positions, base) => overwrittenPairs(x, positions, base, 'halves'),
    },
  ],
  hints: [
    {
      en: 'Split each row into two halves, x1 = row[0 … d/2−1] and x2 = row[d/2 … d−1]. Pair i is (x1[i], x2[i]).',
      'zh-CN': '把每一行分成两半，x1 = row[0 … d/2−1]，x2 = row[d/2 … d−1]。第 i 对是 (x1[i], x2[i])。',
    },
    {
      en: 'Pair i turns by the angle positions[r]·θ_i with θ_i = base^(−2i/d), the same frequencies as in positions/rope; only which two dimensions form a pair changes.',
      'zh-CN': '第 i 对旋转的角度为 positions[r]·θ_i，其中 θ_i = base^(−2i/d)，频率与 positions/rope 相同；变的只是哪两个维度组成一对。',
    },
    {
      en: 'With a = positions[r]·θ_i: out[r][i] = x1[i]·cos a − x2[i]·sin a and out[r][i + d/2] = x1[i]·sin a + x2[i]·cos a.',
      'zh-CN': '令 a = positions[r]·θ_i：out[r][i] = x1[i]·cos a − x2[i]·sin a，out[r][i + d/2] = x1[i]·sin a + x2[i]·cos a。',
    },
  ],
});
