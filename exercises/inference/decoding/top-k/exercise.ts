import { anyOf, defineExercise, randomInts, randomVector, type Rng } from 'llm-tutor/pack';
import { descending, notLogits, show, topKSteps } from '../sampling-math.js';

type Args = [logits: number[], k: number];

/** The lesson's logits: six tokens, two of them tied at the second-largest value 2. */
export const lessonLogits = [2, 3, 0.5, 2, 1, -1];

/** Exactly k tokens kept, the tie at the k-th value broken by index (lower first, or higher first). */
function exactlyK(logits: number[], k: number, lowerFirst: boolean): number[] {
  const order = lowerFirst ? descending(logits) : logits.map((_, i) => i).sort((a, b) => logits[b] - logits[a] || b - a);
  const kept = new Set(order.slice(0, k));
  return logits.map((z, i) => (kept.has(i) ? z : -Infinity));
}

/** Logits on a grid of 0.5 (ties are likely). */
const coarse = (rng: Rng, n: number) => randomInts(rng, n, -4, 4).map((x) => x / 2);

export default defineExercise<Args, number[]>({
  entry: 'topKFilter',
  signature: 'topKFilter(logits: Vector, k: number): Vector',
  inputsReadOnly: true,
  cases: (rng) => [
    { name: 'the lesson example: k = 2, a tie at the k-th value 2 keeps 3 tokens', args: [lessonLogits, 2] },
    { name: 'the lesson example with k = 4: the k-th value 1 is not tied', args: [lessonLogits, 4] },
    { name: 'random: 10 logits, k = 3', args: [randomVector(rng, 10, 2), 3] },
    { name: 'random: 16 logits, k = 5', args: [randomVector(rng, 16, 2), 5] },
    { name: 'random logits on a grid of 0.5 (ties likely), k = 4', args: [coarse(rng, 12), 4] },
    { name: 'k = 1: only the largest logit survives', args: [[0.3, -1.2, 2.2, 1.9, 0], 1] },
    { name: 'k = 1 with the largest value tied: both kept', args: [[1, 4, -2, 4, 0], 1] },
    { name: 'every logit equal, k = 2: all kept', args: [[0.5, 0.5, 0.5, 0.5], 2] },
    { name: 'k = the vocabulary size: nothing removed', args: [[1, -1, 0.5], 3] },
    { name: 'k larger than the vocabulary (clamped, as HF): nothing removed', args: [[0.7, 2, -0.3], 10] },
    { name: 'fewer finite logits than k: −Infinity is the k-th value', args: [[1, -Infinity, 2, -Infinity], 3] },
  ],
  reference: (_ctx, logits, k) => topKSteps(logits, k).output,
  trace: (_ctx, logits, k) => topKSteps(logits, k).steps,
  properties: [
    {
      name: 'the kept logits are unchanged, at least k of them, and every removed one is below every kept one',
      cases: (rng) => [
        { name: '12 logits on a grid of 0.5, k = 3', calls: [[coarse(rng, 12), 3]] },
        { name: '8 logits on a grid of 0.5, k = 5', calls: [[coarse(rng, 8), 5]] },
      ],
      holds: ([out], [[logits, k]]) => {
        const odd = notLogits('topKFilter', out, logits.length);
        if (odd) return odd;
        const changed = out.findIndex((z, i) => z !== -Infinity && z !== logits[i]);
        if (changed >= 0) return `Token ${changed}'s logit came back as ${show(out[changed])} instead of ${show(logits[changed])}: a kept logit is left as it is, a removed one becomes −Infinity.`;
        const kept = logits.filter((_, i) => out[i] !== -Infinity);
        const removed = logits.filter((z, i) => out[i] === -Infinity && z !== -Infinity);
        if (kept.length < Math.min(k, logits.length)) return `You kept ${kept.length} tokens with k = ${k}: top-k keeps at least k (more when values tie with the k-th).`;
        const lowestKept = Math.min(...kept);
        const highestRemoved = Math.max(...removed);
        if (highestRemoved >= lowestKept) return `You removed a token of logit ${show(highestRemoved)} and kept one of ${show(lowestKept)}: every token whose logit is at least the k-th largest stays, ties included.`;
        return undefined;
      },
    },
  ],
  misconceptions: [
    {
      id: 'exactly-k-when-tied',
      title: { en: 'exactly k tokens kept when values tie with the k-th', 'zh-CN': '与第 k 个值并列时只保留恰好 k 个 token' },
      message: {
        en: 'You keep exactly k tokens, cutting through a tie. Hugging Face removes only the logits strictly below the k-th largest value, so every token equal to it stays: in the lesson, k = 2 keeps 3, 2 and 2 (tokens 0, 1 and 3), not two of them. Softmax over the kept three gives [0.211942, 0.576117, 0.211942], where you give 0.268941 and 0.731059.',
        'zh-CN': '你恰好保留了 k 个 token，把并列的值切开了。Hugging Face 只去掉严格小于第 k 大值的 logit，所以与它相等的 token 全部保留：课程示例中 k = 2 保留 3、2 和 2（token 0、1 和 3），而不是其中两个。对保留的三个做 softmax 得到 [0.211942, 0.576117, 0.211942]，而你给出的是 0.268941 和 0.731059。',
      },
      hint: {
        en: 'In the lesson with k = 2, tokens 0 and 3 have the same logit 2. Why should one of them be kept and not the other?',
        'zh-CN': '课程示例中 k = 2 时，token 0 和 3 的 logit 都是 2。凭什么保留其中一个而不保留另一个？',
      },
      wrong: (_ctx, logits, k) => anyOf(exactlyK(logits, k, true), exactlyK(logits, k, false)),
    },
    {
      id: 'kth-removed',
      title: { en: 'the k-th largest value removed too (≤ instead of <)', 'zh-CN': '第 k 大的值也被去掉了（用 ≤ 代替 <）' },
      message: {
        en: 'You remove every logit at or below the k-th largest value, so the k-th token goes with them and fewer than k survive: the lesson with k = 4 keeps only 3, 2 and 2, not 1 as well. Remove a logit only when it is strictly below the k-th largest.',
        'zh-CN': '你去掉了所有小于或等于第 k 大值的 logit，于是第 k 个 token 也跟着被去掉，留下的不足 k 个：课程示例中 k = 4 时只保留了 3、2 和 2，没有保留 1。只有当 logit 严格小于第 k 大的值时才去掉它。',
      },
      hint: {
        en: 'With k = 4 in the lesson, how many tokens does your function keep? Which comparison decides whether the k-th itself stays?',
        'zh-CN': '课程示例中 k = 4 时，你的函数保留了几个 token？是哪个比较决定第 k 个本身是否保留？',
      },
      wrong: (_ctx, logits, k) => {
        const { kth } = topKSteps(logits, k).steps;
        return logits.map((z) => (z <= kth ? -Infinity : z));
      },
    },
    {
      id: 'zero-not-minus-infinity',
      title: { en: 'removed logits set to 0 instead of −Infinity', 'zh-CN': '被去掉的 logit 设成了 0 而不是 −Infinity' },
      message: {
        en: 'You set the removed logits to 0. A logit of 0 still has probability e⁰/Σ: in the lesson with k = 2 the three removed tokens keep 0.026411 each, 0.079 in all (and token 5, whose logit was −1, even goes up). Set them to −Infinity, whose exponential is exactly 0.',
        'zh-CN': '你把被去掉的 logit 设成了 0。logit 为 0 时仍有概率 e⁰/Σ：课程示例中 k = 2 时，被去掉的三个 token 各保留 0.026411，共 0.079（token 5 的 logit 原本是 −1，概率甚至上升了）。应把它们设为 −Infinity，其指数恰好为 0。',
      },
      hint: {
        en: 'What is exp(0)? A removed token must have probability exactly 0 after the softmax: which logit gives that?',
        'zh-CN': 'exp(0) 等于多少？被去掉的 token 在 softmax 之后的概率必须恰好为 0：哪个 logit 能做到？',
      },
      wrong: (_ctx, logits, k) => topKSteps(logits, k).output.map((z) => (z === -Infinity ? 0 : z)),
    },
  ],
  hints: [
    {
      en: 'First find one number: the k-th largest logit (sort a copy in descending order and take entry k − 1, with k at most the vocabulary size).',
      'zh-CN': '先求出一个数：第 k 大的 logit（把副本按降序排序，取下标为 k − 1 的元素，k 不超过词表大小）。',
    },
    { text: { en: 'Then every logit strictly below that number becomes −Infinity; every other one, ties with it included, stays as it is.', 'zh-CN': '然后严格小于这个数的 logit 都变成 −Infinity；其余的（包括与它并列的）原样保留。' }, misconception: 'exactly-k-when-tied' },
    {
      en: 'The key idea: top-k filters by a threshold value, not by a count, so ties with the k-th value all survive — as `scores < torch.topk(scores, k)[0][..., -1, None]` in Hugging Face.',
      'zh-CN': '关键：top-k 按阈值过滤，而不是按个数，所以与第 k 个值并列的全部保留——正如 Hugging Face 中的 `scores < torch.topk(scores, k)[0][..., -1, None]`。',
    },
  ],
});

