import { anyOf, defineExercise, randomVector, tidy, type ReferenceContext } from 'llm-tutor/pack';
import { isVector, listDifference, show, wrongKind } from '../../properties.js';

type Args = [x: number[]];

function naiveSoftmax(x: number[]): number[] {
  const exps = x.map((v) => Math.exp(v));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

/** exp(x_i − max) over Σ_j exp(x_j): the shift made in the numerator only. */
function shiftedNumeratorOnly(x: number[]): number[] {
  const max = Math.max(...x);
  const sum = x.reduce((acc, v) => acc + Math.exp(v), 0);
  return x.map((v) => Math.exp(v - max) / sum);
}
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

export default defineExercise<Args, number[]>({
  entry: 'softmax',
  signature: 'softmax(x: Vector): Vector',
  cases: (rng) => [
    { name: 'the lesson example [1, 2, 3]', args: [[1, 2, 3]] },
    { name: 'a single logit', args: [[tidy(rng.normal(0, 3))]] },
    { name: 'random logits (8 values)', args: [randomVector(rng, 8, 2)] },
    { name: 'random logits (33 values, wide spread)', args: [randomVector(rng, 33, 6)] },
    { name: 'equal logits', args: [[0.5, 0.5, 0.5, 0.5]] },
    { name: 'large logits (±1000)', args: [[1000, 1001.5, -1000, 999]] },
    { name: 'very negative logits (all near −1000)', args: [[-1000, -1002, -1001]] },
    { name: 'masked entries (−Infinity)', args: [[2, -Infinity, 0.5, -Infinity, 1]] },
    { name: 'fully masked row (all −Infinity)', args: [[-Infinity, -Infinity, -Infinity]] },
  ],
  reference: ({ tf }: ReferenceContext, x) => {
    if (x.every((v) => v === -Infinity)) return tf.zeros([x.length]);
    return tf.softmax(tf.tensor1d(x, 'float32'));
  },
  // A fully masked row stops at its max: −Infinity, where the reference returns zeros.
  trace: ({ tf }: ReferenceContext, x) => {
    const max = Math.max(...x);
    if (max === -Infinity) return { max };
    const shifted = tf.sub(tf.tensor1d(x, 'float32'), max);
    const exp = tf.exp(shifted);
    return { max, shifted, exp, sum: tf.sum(exp) };
  },
  properties: [
    {
      name: 'adding the same number to every logit leaves the output unchanged',
      cases: (rng) => {
        const shifted = (x: number[], c: number) => ({ name: `x of ${x.length} logits, then x + ${c}`, calls: [[x], [x.map((v) => v + c)]] as Args[] });
        return [shifted(randomVector(rng, 6, 2), 10), shifted(randomVector(rng, 5, 3), -50)];
      },
      holds: (outputs, calls) => {
        const odd = wrongKind('softmax', 'a list of numbers', outputs, isVector);
        if (odd) return odd;
        const difference = listDifference(outputs[0], outputs[1]);
        if (!difference) return undefined;
        const c = calls[1][0][0] - calls[0][0][0];
        return (
          `softmax(x) and softmax(x + ${show(c)}) differ: ${difference}. ` +
          `exp(x_i + c) / Σ_j exp(x_j + c) = exp(x_i) / Σ_j exp(x_j): the factor exp(c) cancels, so only the differences between logits matter.`
        );
      },
    },
    {
      name: 'the outputs are between 0 and 1 and add up to 1',
      cases: (rng) => [
        { name: '8 random logits', calls: [[randomVector(rng, 8, 2)]] },
        { name: '20 random logits, wide spread', calls: [[randomVector(rng, 20, 6)]] },
      ],
      holds: (outputs) => {
        const odd = wrongKind('softmax', 'a list of numbers', outputs, isVector);
        if (odd) return odd;
        const p = outputs[0];
        const total = sum(p);
        const outside = p.findIndex((v) => !(v >= 0 && v <= 1));
        if (outside < 0 && Math.abs(total - 1) <= 1e-6) return undefined;
        const entry = outside < 0 ? '' : `Entry ${outside} of your output is ${show(p[outside])}, and `;
        return `${entry}${entry ? 'your' : 'Your'} ${p.length} outputs add up to ${show(total)}. A softmax is a probability distribution: every entry is exp(x_i − m) / Σ_j exp(x_j − m), between 0 and 1, and together they add up to 1.`;
      },
    },
  ],
  misconceptions: [
    {
      id: 'no-max-subtraction',
      title: { en: 'exponentiating without subtracting the max', 'zh-CN': '没有减去最大值就取指数' },
      message: {
        en:
          'Math.exp(1000) is Infinity and Math.exp(-1000) is 0 in float64, so Infinity/Infinity or 0/0 gives NaN. ' +
          'Subtract max(x) from every entry first: softmax is unchanged by a constant shift, and the largest exponent becomes exp(0) = 1.',
        'zh-CN':
          '在 float64 中，Math.exp(1000) 是 Infinity，Math.exp(-1000) 是 0，所以 Infinity/Infinity 或 0/0 会得到 NaN。' +
          '先从每个元素中减去 max(x)：softmax 在常数平移下不变，而最大的指数项变成 exp(0) = 1。',
      },
      hint: {
        en: 'Evaluate Math.exp(1000) and Math.exp(-1000) in Node. Softmax gives the same result if you shift every entry by one constant: pick the constant that keeps every exponent at or below 0.',
        'zh-CN': '在 Node 里算一下 Math.exp(1000) 和 Math.exp(-1000)。把每个元素都平移同一个常数，softmax 的结果不变：选一个能让所有指数都不超过 0 的常数。',
      },
      wrong: (_ctx, x) => naiveSoftmax(x),
    },
    {
      id: 'nan-on-fully-masked-row',
      title: { en: 'no special case for a row that is all −Infinity', 'zh-CN': '没有特殊处理全为 −Infinity 的行' },
      message: {
        en:
          'When every entry is −Infinity the max is −Infinity too, and −Infinity − (−Infinity) is NaN. ' +
          'A fully masked row has nothing to attend to: by the FlashAttention convention it is all zeros. Check for it before subtracting.',
        'zh-CN':
          '当每个元素都是 −Infinity 时，最大值也是 −Infinity，而 −Infinity − (−Infinity) 是 NaN。' +
          '整行都被遮住时没有可以关注的东西：按 FlashAttention 的约定，它为全零。在做减法之前先检查这种情况。',
      },
      hint: {
        en: 'Follow your code on [−Infinity, −Infinity, −Infinity] step by step: which operation first turns it into NaN? Such a row should come out as all zeros, so decide before that step.',
        'zh-CN': '用 [−Infinity, −Infinity, −Infinity] 一步步跟踪你的代码：哪一步最先把它变成 NaN？这样的行应当输出全零，所以要在那一步之前做出判断。',
      },
      wrong: (_ctx, x) => {
        const max = Math.max(...x);
        const exps = x.map((v) => Math.exp(v - max));
        const sum = exps.reduce((a, b) => a + b, 0);
        return exps.map((e) => e / sum);
      },
    },
    {
      id: 'not-normalised',
      title: { en: 'exponentials not divided by their sum', 'zh-CN': '指数项没有除以它们的和' },
      message: {
        en: 'exp(x − max) alone is not a distribution: divide every entry by the sum of the exponentials so they add up to 1.',
        'zh-CN': '单独的 exp(x − max) 不是一个分布：把每个元素除以所有指数项之和，使它们的和为 1。',
      },
      hint: {
        en: 'Add up your outputs for [1, 2, 3]: a distribution sums to 1. What do you still need to divide by?',
        'zh-CN': '把你对 [1, 2, 3] 的输出加起来：一个分布的和为 1。你还需要除以什么？',
      },
      wrong: (_ctx, x) => {
        const max = Math.max(...x);
        return max === -Infinity ? x.map(() => 0) : x.map((v) => Math.exp(v - max));
      },
    },
    {
      id: 'max-subtracted-in-numerator-only',
      title: { en: 'the max subtracted in the numerator only', 'zh-CN': '只在分子上减去了最大值' },
      message: {
        en:
          'Your outputs are exp(x_i − m) / Σ_j exp(x_j): the numerator is shifted by the max m and the sum is not, so every output is exp(−m) times too small ' +
          '(for [1, 2, 3] they add up to e^−3 = 0.049787, not 1), and the unshifted sum still overflows on large logits. ' +
          'Shift both by the same m: softmax(x)_i = exp(x_i − m) / Σ_j exp(x_j − m).',
        'zh-CN':
          '你的输出是 exp(x_i − m) / Σ_j exp(x_j)：分子按最大值 m 平移了，而求和没有，所以每个输出都小了 exp(−m) 倍' +
          '（对 [1, 2, 3]，它们的和为 e^−3 = 0.049787，而不是 1），而且未平移的和在 logits 很大时照样会上溢。' +
          '两者都要按同一个 m 平移：softmax(x)_i = exp(x_i − m) / Σ_j exp(x_j − m)。',
      },
      hint: {
        en: 'Add up your outputs for [1, 2, 3]: they should sum to 1. The shift cancels only when the numerator and every term of the sum are shifted alike.',
        'zh-CN': '把你对 [1, 2, 3] 的输出加起来：和应为 1。只有分子和求和中的每一项都做同样的平移，平移才会被约掉。',
      },
      // With or without a guard for a fully masked row: the mistake is the same.
      wrong: (_ctx, x) => anyOf(shiftedNumeratorOnly(x), x.every((v) => v === -Infinity) ? x.map(() => 0) : shiftedNumeratorOnly(x)),
    },
  ],
  hints: [
    {
      en: 'Start from the worked example of the lesson, x = [1, 2, 3]: exponentiate every entry, add them up, divide each by the sum. Then read the names of the cases: what kinds of logits must the same code survive?',
      'zh-CN': '从课程中的手算示例 x = [1, 2, 3] 开始：对每个元素取指数，把它们加起来，再把每个除以这个和。然后读一读各用例的名称：同一段代码必须挺过哪几类 logits？',
    },
    {
      text: {
        en: 'Subtracting the same constant c from every entry leaves softmax unchanged (the exp(−c) factors cancel). Which c keeps every exponent ≤ 0?',
        'zh-CN': '从每个元素中减去同一个常数 c，softmax 不变（各个 exp(−c) 因子相互约掉）。哪个 c 能让所有指数都 ≤ 0？',
      },
      misconception: 'no-max-subtraction',
    },
    {
      en: 'The key idea: take m, the largest entry; a row whose m is −Infinity is fully masked and returns zeros; otherwise exponentiate x_i − m and divide each by the sum of those.',
      'zh-CN': '关键：取最大的元素 m；m 为 −Infinity 的行是整行被遮住的，返回全零；否则对 x_i − m 取指数，再把每一项除以这些指数之和。',
    },
  ],
});
