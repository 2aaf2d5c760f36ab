import { anyOf, defineExercise, randomVector, tidy, type Rng } from 'llm-tutor/pack';
import { isVector, show, totalNorm } from '../optim-math.js';

type Args = [grads: number[][], maxNorm: number];
export interface Clipped {
  grads: number[][];
  norm: number;
}

/** torch's clip_grad_norm_: every tensor times min(1, maxNorm/(norm + 1e-6)). */
const scaleAll = (grads: number[][], maxNorm: number, norm: number, always = false): number[][] => {
  const coefficient = maxNorm / (norm + 1e-6);
  return always || coefficient < 1 ? grads.map((g) => g.map((x) => x * coefficient)) : grads.map((g) => [...g]);
};

/** The norm of each tensor, the total, the coefficient and whether it applies (what a trace shows), and the output. */
export function clipSteps(grads: number[][], maxNorm: number) {
  const norms = grads.map((g) => totalNorm([g]));
  const norm = totalNorm(grads);
  const coefficient = maxNorm / (norm + 1e-6);
  return { steps: { norms, norm, coefficient, clipped: coefficient < 1 }, output: { grads: scaleAll(grads, maxNorm, norm), norm } };
}

/** Each tensor clipped by its own norm. */
function perTensor(grads: number[][], maxNorm: number) {
  const clipped = grads.map((g) => scaleAll([g], maxNorm, totalNorm([g]))[0]);
  const largest = Math.max(0, ...grads.map((g) => totalNorm([g])));
  return anyOf({ grads: clipped, norm: totalNorm(grads) }, { grads: clipped, norm: largest });
}

/** The lesson example: two tensors of norms 5 and 12, so 13 in all. */
export const lessonGrads = [[3, 4], [12]];

const tensors = (rng: Rng, sizes: number[], std: number) => sizes.map((n) => randomVector(rng, n, std).map((x) => tidy(x, 4)));

function cases(rng: Rng): { name: string; args: Args }[] {
  const big = tensors(rng, [4, 6, 2], 1);
  const small = tensors(rng, [3, 5], 0.1);
  // Each of 4 tensors has norm about 0.8 (below 1), yet the total is about 1.6.
  const spread = [4, 4, 4, 4].map((n) => {
    const g = randomVector(rng, n).map((x) => tidy(x, 4));
    const k = 0.8 / totalNorm([g]);
    return g.map((x) => tidy(x * k, 4));
  });
  return [
    { name: 'the lesson example: norms 5 and 12, maxNorm 1', args: [lessonGrads, 1] },
    { name: 'the lesson example with maxNorm 20: already within, unchanged', args: [lessonGrads, 20] },
    { name: 'random: 3 tensors (4, 6 and 2 entries), total norm above maxNorm 1', args: [big, 1] },
    { name: `random: 2 small tensors, total norm ${show(totalNorm(small))} below maxNorm 1`, args: [small, 1] },
    { name: 'random: 4 tensors each of norm 0.8, below maxNorm 1, though their total is 1.6', args: [spread, 1] },
    { name: 'a single tensor of norm 10, maxNorm 0.5', args: [[[6, 8]], 0.5] },
    { name: 'all-zero gradients: norm 0, nothing to clip', args: [[[0, 0, 0], [0]], 1] },
    { name: 'an empty tensor among them (a parameter without a gradient entry)', args: [[[], [1, -2, 2], [0.5]], 1.5] },
    { name: 'random: 8 tensors of a small model, maxNorm 1 (GPT-2 and LLaMA clip at 1.0)', args: [tensors(rng, [5, 5, 3, 3, 2, 4, 4, 1], 0.3), 1] },
  ];
}

const isClipped = (x: unknown): x is Clipped => typeof x === 'object' && x !== null && Array.isArray((x as Clipped).grads) && (x as Clipped).grads.every(isVector) && typeof (x as Clipped).norm === 'number';
const wrongKind = (out: unknown) => (isClipped(out) ? undefined : `clipGradNorm must return { grads, norm }, grads a list of lists of numbers and norm a number; it returned ${JSON.stringify(out)?.slice(0, 80)}.`);

export default defineExercise<Args, Clipped>({
  entry: 'clipGradNorm',
  signature: 'clipGradNorm(grads: Vector[], maxNorm: number): { grads: Vector[]; norm: number }',
  inputsReadOnly: true,
  cases,
  reference: (_ctx, grads, maxNorm) => clipSteps(grads, maxNorm).output,
  trace: (_ctx, grads, maxNorm) => clipSteps(grads, maxNorm).steps,
  properties: [
    {
      name: 'gradients above maxNorm come back with a total norm of maxNorm',
      cases: (rng) => [
        { name: '3 tensors, total norm about 5, maxNorm 1', calls: [[tensors(rng, [4, 3, 5], 1.4), 1]] },
        { name: '2 tensors, total norm about 1, maxNorm 0.25', calls: [[tensors(rng, [6, 2], 0.35), 0.25]] },
      ],
      holds: ([out], [[, maxNorm]]) => {
        const odd = wrongKind(out);
        if (odd) return odd;
        const after = totalNorm(out.grads);
        if (Math.abs(after - maxNorm) <= 1e-5 * maxNorm) return undefined;
        return `The gradients you return have a total norm of ${show(after)}, not maxNorm = ${show(maxNorm)}. Multiplying every entry of every tensor by maxNorm/(norm + 1e-6) brings the norm of all of them together down to maxNorm (to 1e-6).`;
      },
    },
    {
      name: 'gradients within maxNorm come back unchanged, with their norm',
      cases: (rng) => [{ name: '3 tensors, total norm about 0.5, maxNorm 1', calls: [[tensors(rng, [3, 3, 2], 0.2), 1]] }],
      holds: ([out], [[grads]]) => {
        const odd = wrongKind(out);
        if (odd) return odd;
        const norm = totalNorm(grads);
        const changed = grads.findIndex((g, i) => g.some((x, j) => !(Math.abs(out.grads[i]?.[j] - x) <= 1e-12)));
        if (changed >= 0) return `Tensor ${changed} came back changed, though the total norm ${show(norm)} is below maxNorm: the coefficient maxNorm/(norm + 1e-6) is then above 1 and is not applied. Clipping only ever shrinks.`;
        if (!(Math.abs(out.norm - norm) <= 1e-9 * norm)) return `You returned norm ${show(out.norm)}; the total norm of the gradients is ${show(norm)}.`;
        return undefined;
      },
    },
  ],
  misconceptions: [
    {
      id: 'per-tensor',
      title: { en: 'each tensor clipped by its own norm', 'zh-CN': '每个张量按它自己的范数裁剪' },
      message: {
        en:
          'You clip every tensor to maxNorm on its own, so together they can be far above it (in the lesson, [0.6, 0.8] and [1], a total of √2), and their directions change relative to one another. ' +
          'torch computes ONE norm over all tensors, √(Σ‖g_i‖²) = 13 in the lesson, and scales every tensor by the same maxNorm/(13 + 1e-6).',
        'zh-CN':
          '你把每个张量各自裁剪到 maxNorm，于是合起来可能远超 maxNorm（在课程中为 [0.6, 0.8] 和 [1]，总范数为 √2），而且它们彼此之间的方向关系也变了。' +
          'torch 对所有张量只计算一个范数，√(Σ‖g_i‖²)，在课程中为 13，并把每个张量都乘以同一个 maxNorm/(13 + 1e-6)。',
      },
      hint: {
        en: 'In the lesson, what is the norm of all the gradients together, and by what factor does each tensor get multiplied?',
        'zh-CN': '在课程中，所有梯度合起来的范数是多少？每个张量要乘以什么系数？',
      },
      wrong: (_ctx, grads, maxNorm) => perTensor(grads, maxNorm),
    },
    {
      id: 'scales-up-small-gradients',
      title: { en: 'small gradients scaled up to maxNorm', 'zh-CN': '小梯度被放大到了 maxNorm' },
      message: {
        en: 'You multiply by maxNorm/(norm + 1e-6) even when it is above 1, so gradients below maxNorm are blown up to it (in the lesson with maxNorm 20, by 20/13). Apply the coefficient only when it is below 1: clipping only ever shrinks.',
        'zh-CN':
          '即使 maxNorm/(norm + 1e-6) 大于 1 你也照乘，于是低于 maxNorm 的梯度被放大到了 maxNorm（在课程中 maxNorm 为 20 时，放大了 20/13 倍）。' +
          '只在系数小于 1 时才施加它：裁剪只会缩小。',
      },
      hint: {
        en: 'Try the lesson with maxNorm 20: the norm 13 is already within it. What should happen to the gradients then?',
        'zh-CN': '用 maxNorm 20 试试课程的例子：范数 13 本来就在范围内。这时梯度应该怎样？',
      },
      wrong: (_ctx, grads, maxNorm) => {
        const norm = totalNorm(grads);
        return { grads: scaleAll(grads, maxNorm, norm, true), norm };
      },
    },
    {
      id: 'norm-after-clipping',
      title: { en: 'the norm returned after clipping', 'zh-CN': '返回了裁剪之后的范数' },
      message: {
        en: 'Your gradients are right, but the norm you return is theirs after clipping (about maxNorm). torch returns the total norm BEFORE clipping, 13 in the lesson: that is the number a training log plots to spot a spike.',
        'zh-CN': '你的梯度是对的，但你返回的范数是它们裁剪之后的（约为 maxNorm）。torch 返回的是裁剪之前的总范数，在课程中为 13：训练日志正是画出这个数来发现尖峰的。',
      },
      hint: {
        en: 'In the lesson, your function should return norm 13. Which gradients did you measure: the ones you were given, or the ones you return?',
        'zh-CN': '在课程中，你的函数应当返回范数 13。你测量的是哪些梯度：传入的那些，还是你返回的那些？',
      },
      wrong: (_ctx, grads, maxNorm) => {
        const clipped = clipSteps(grads, maxNorm).output.grads;
        return { grads: clipped, norm: totalNorm(clipped) };
      },
    },
    {
      id: 'sum-of-norms',
      title: { en: 'the tensors\' norms added up, not combined as an L2 norm', 'zh-CN': '把各张量的范数直接相加，而不是合成一个 L2 范数' },
      message: {
        en: 'Your total is ‖g_1‖ + ‖g_2‖ + … (17 in the lesson); the L2 norm of all entries together is √(‖g_1‖² + ‖g_2‖² + …) = √(25 + 144) = 13. Square the per-tensor norms before adding, then take the root.',
        'zh-CN':
          '你的总数是 ‖g_1‖ + ‖g_2‖ + …（在课程中为 17）；所有元素合在一起的 L2 范数是 √(‖g_1‖² + ‖g_2‖² + …) = √(25 + 144) = 13。' +
          '先把各张量的范数平方再相加，最后开根号。',
      },
      hint: {
        en: 'What total norm do you get for the lesson\'s tensors of norms 5 and 12? The norm of all 3 entries together is √(9 + 16 + 144).',
        'zh-CN': '对于课程中范数分别为 5 和 12 的两个张量，你得到的总范数是多少？全部 3 个元素合在一起的范数是 √(9 + 16 + 144)。',
      },
      wrong: (_ctx, grads, maxNorm) => {
        const norm = grads.reduce((acc, g) => acc + totalNorm([g]), 0);
        return { grads: scaleAll(grads, maxNorm, norm), norm };
      },
    },
    {
      id: 'squared-norm',
      title: { en: 'the squared norm, without the square root', 'zh-CN': '范数的平方，没有开平方' },
      message: {
        en: 'Your norm is Σ g² (169 in the lesson), the square of the L2 norm: the root is missing, so the coefficient and the returned norm are both wrong. The norm is √(Σ g²) = 13.',
        'zh-CN': '你的范数是 Σ g²（在课程中为 169），即 L2 范数的平方：少了开根号，所以系数和返回的范数都不对。范数应为 √(Σ g²) = 13。',
      },
      hint: {
        en: 'For the lesson\'s [3, 4] and [12], is your norm 13 or 169?',
        'zh-CN': '对于课程中的 [3, 4] 和 [12]，你的范数是 13 还是 169？',
      },
      wrong: (_ctx, grads, maxNorm) => {
        const norm = totalNorm(grads) ** 2;
        return { grads: scaleAll(grads, maxNorm, norm), norm };
      },
    },
  ],
  hints: [
    {
      en: 'First compute one number for all the tensors together: the square root of the sum of the squares of every entry. For the lesson it is 13.',
      'zh-CN': '先为所有张量合起来算出一个数：所有元素平方和的平方根。在课程中它是 13。',
    },
    {
      en: 'The coefficient is maxNorm/(norm + 1e-6). If it is below 1, multiply every entry of every tensor by it; otherwise return the gradients as they are.',
      'zh-CN': '系数为 maxNorm/(norm + 1e-6)。如果它小于 1，就把每个张量的每个元素都乘以它；否则原样返回梯度。',
    },
    {
      en: 'The key idea: one norm, one coefficient for all tensors, applied only when it shrinks them; return that norm as it was before clipping.',
      'zh-CN': '关键思路：所有张量只用一个范数、一个系数，且只在它起缩小作用时才施加；返回的是裁剪之前的那个范数。',
    },
  ],
});
