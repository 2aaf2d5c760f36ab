import { defineExercise, randomVector, uniforms, type Rng } from 'llm-tutor/pack';
import { sampleSteps, show, showList } from '../sampling-math.js';

type Args = [probs: number[], u: number];

/** The lesson's weights: unnormalised, summing to 10. */
export const lessonWeights = [1, 4, 2, 3];

/** Positive weights with 2 decimals, some of them 0 when `zeros`. */
const weights = (rng: Rng, n: number, zeros = false) => randomVector(rng, n, 1).map((x, i) => (zeros && i % 3 === 1 ? 0 : Math.round(Math.abs(x) * 100 + 1) / 100));

/** The sampler with a strict (<) or non-strict (≤) comparison, against u·Σp or, without normalising, u alone. */
function firstIndex(probs: number[], u: number, strict: boolean, normalise: boolean): number {
  const total = probs.reduce((a, b) => a + b, 0);
  const target = normalise ? u * total : u;
  let cumulative = 0;
  for (let i = 0; i < probs.length; i++) {
    cumulative += probs[i];
    if (strict ? target < cumulative : target <= cumulative) return i;
  }
  return probs.length - 1;
}

export default defineExercise<Args, number>({
  entry: 'sampleToken',
  signature: 'sampleToken(probs: Vector, u: number): number',
  compare: 'exact',
  inputsReadOnly: true,
  cases: (rng) => [
    { name: 'the lesson example: weights [1, 4, 2, 3], u = 0.55 lands in token 2', args: [lessonWeights, 0.55] },
    { name: 'the lesson example with u = 0.5: u·Σ = 5 exactly on a boundary goes to token 2', args: [lessonWeights, 0.5] },
    { name: 'u = 0 with a first weight of 0: token 1, never the token of weight 0', args: [[0, 2, 1], 0] },
    { name: 'normalised probabilities [0.25, 0.25, 0.5], u = 0.25 on a boundary', args: [[0.25, 0.25, 0.5], 0.25] },
    { name: 'weights [3, 0, 0, 1], u = 0.75: the boundary 3 is shared by three tokens', args: [[3, 0, 0, 1], 0.75] },
    { name: 'weights summing to less than 1 ([0.1, 0.1, 0.2]), u = 0.6', args: [[0.1, 0.1, 0.2], 0.6] },
    { name: 'weights summing to 40, u = 0.3', args: [[8, 16, 8, 8], 0.3] },
    ...uniforms(rng, 3).map((u, i) => ({ name: `random: 6 weights, random u #${i + 1} (${show(u)})`, args: [weights(rng, 6), u] as Args })),
    ...uniforms(rng, 2).map((u, i) => ({ name: `random: 9 weights with zeros, random u #${i + 1} (${show(u)})`, args: [weights(rng, 9, true), u] as Args })),
  ],
  reference: (_ctx, probs, u) => sampleSteps(probs, u).output,
  trace: (_ctx, probs, u) => sampleSteps(probs, u).steps,
  distributions: [
    {
      name: 'outputs follow the weights',
      scenarios: () => [
        { name: 'weights [0, 3, 0, 1, 4], zeros among them', expected: [0, 3 / 8, 0, 1 / 8, 4 / 8], labels: ['token 0', 'token 1', 'token 2', 'token 3', 'token 4'], draw: (rng) => [[0, 3, 0, 1, 4], rng.next()] as Args },
      ],
      outcome: (token) => token,
      // One scenario, so that the false-failure rate of the whole check is the default 1e-6.
      draws: 4000,
    },
  ],
  properties: [
    {
      name: 'scaling every weight by the same power of 2 draws the same token',
      cases: (rng) =>
        uniforms(rng, 2).map((u, i) => {
          const w = weights(rng, 6);
          return { name: `6 random weights, ×1, ×4 and ×1/8, u #${i + 1} (${show(u)})`, calls: [[w, u], [w.map((x) => x * 4), u], [w.map((x) => x / 8), u]] as Args[] };
        }),
      holds: (outputs, calls) => {
        const odd = outputs.find((o) => typeof o !== 'number');
        if (odd !== undefined) return `sampleToken must return a token index (a number); it returned ${JSON.stringify(odd)?.slice(0, 60)}.`;
        if (outputs.every((o) => o === outputs[0])) return undefined;
        return `With the same u = ${show(calls[0][1])}, your function drew token ${outputs[0]} from ${showList(calls[0][0])}, ${outputs[1]} from 4 times those weights and ${outputs[2]} from 1/8 of them. Weights are only proportions: compare u·Σp, not u, with the running sum. (Powers of 2 scale exactly in floating point, so no rounding can excuse it.)`;
      },
    },
  ],
  misconceptions: [
    {
      id: 'less-or-equal',
      title: { en: '≤ instead of <', 'zh-CN': '用 ≤ 代替 <' },
      message: {
        en: 'You return the first token whose running sum is ≥ u·Σp; a u exactly on a boundary belongs to the NEXT token, the first i with u·Σp < Σ_{j≤i} p_j. In the lesson u = 0.5 gives u·Σp = 5, which equals the running sum of tokens 0 and 1: the answer is token 2, not 1. With u = 0 and a first weight of 0 you even draw a token that has no probability.',
        'zh-CN': '你返回的是第一个累加和 ≥ u·Σp 的 token；而恰好落在边界上的 u 属于「下一个」token，即满足 u·Σp < Σ_{j≤i} p_j 的第一个 i。课程示例中 u = 0.5 给出 u·Σp = 5，等于 token 0 和 1 的累加和：答案是 token 2，而不是 1。若 u = 0 且第一个权重为 0，你甚至会抽到一个概率为零的 token。',
      },
      hint: {
        en: 'Try weights [0, 2, 1] with u = 0. Which token can your function return, and what is its probability?',
        'zh-CN': '试试权重 [0, 2, 1] 配 u = 0。你的函数可能返回哪个 token？它的概率是多少？',
      },
      wrong: (_ctx, probs, u) => firstIndex(probs, u, false, true),
    },
    {
      id: 'ignores-normalisation',
      title: { en: 'u compared with the running sum of unnormalised weights', 'zh-CN': '拿 u 与未归一化权重的累加和比较' },
      message: {
        en: 'You compare u itself with the running sum, as if the weights summed to 1. The lesson\'s weights sum to 10, so every u < 1 falls in token 0 (already 1 on its own), and tokens 1–3 are never drawn. Compare u·Σp with the running sum (or divide the weights by their sum first).',
        'zh-CN': '你直接拿 u 与累加和比较，仿佛权重之和为 1。课程示例中的权重之和为 10，所以每个 u < 1 都落在 token 0 上（它自己就已经是 1），token 1–3 永远不会被抽到。应拿 u·Σp 与累加和比较（或者先把权重除以它们的和）。',
      },
      hint: {
        en: 'The lesson\'s weights add up to 10 and u is below 1. Which token does your function return for every u?',
        'zh-CN': '课程示例中的权重加起来是 10，而 u 小于 1。你的函数对每个 u 返回的是哪个 token？',
      },
      wrong: (_ctx, probs, u) => firstIndex(probs, u, true, false),
    },
  ],
  hints: [
    {
      en: 'Add the weights up first: Σp. The target is u·Σp, a point on the line from 0 to Σp.',
      'zh-CN': '先把权重加起来：Σp。目标是 u·Σp，即从 0 到 Σp 这条线段上的一个点。',
    },
    { text: { en: 'Walk the weights with a running sum; the first token whose running sum is STRICTLY greater than the target is the answer.', 'zh-CN': '用累加和遍历权重；第一个累加和「严格大于」目标的 token 就是答案。' }, misconception: 'less-or-equal' },
    {
      en: 'The key idea (inverse-CDF sampling): token i owns the interval [Σ_{j<i} p_j, Σ_{j≤i} p_j) of the line, of length p_i, so a uniform u·Σp lands in it with probability p_i/Σp.',
      'zh-CN': '关键（逆 CDF 采样）：token i 占据线段上的区间 [Σ_{j<i} p_j, Σ_{j≤i} p_j)，长度为 p_i，所以均匀分布的 u·Σp 以概率 p_i/Σp 落在其中。',
    },
  ],
});
