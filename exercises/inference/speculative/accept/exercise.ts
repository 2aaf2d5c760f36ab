import { defineExercise, uniforms, type Rng } from 'llm-tutor/pack';
import { sampleIndex, speculativeSteps, type SpeculativeOutput } from '../speculative-math.js';

type Args = [p: number[][], q: number[][], draft: number[], u: number[], uResample: number];

/** The lesson example: γ = 3 draft tokens over a vocabulary of 4. */
export const lessonP = [
  [0.1, 0.2, 0.3, 0.4],
  [0.3, 0.2, 0.4, 0.1],
  [0.1, 0.3, 0.4, 0.2],
  [0.4, 0.3, 0.2, 0.1],
];
export const lessonQ = [
  [0.4, 0.3, 0.2, 0.1],
  [0.2, 0.4, 0.2, 0.2],
  [0.5, 0.2, 0.1, 0.2],
];
export const lessonArgs: Args = [lessonP, lessonQ, [2, 1, 0], [0.9, 0.35, 0.6], 0.3];

/** The rows of the lesson's picture and of the first distribution check: p[0] and q[0] far apart, binary fractions. */
export const pictureP = [
  [0.5, 0.25, 0.125, 0.125],
  [0.25, 0.25, 0.25, 0.25],
  [0.125, 0.375, 0.25, 0.25],
];
export const pictureQ = [
  [0.125, 0.125, 0.25, 0.5],
  [0.5, 0.25, 0.125, 0.125],
];

/** The second distribution check: one draft token, often accepted, then the bonus token from p[1]. */
export const bonusP = [
  [0.5, 0.25, 0.125, 0.125],
  [0.125, 0.25, 0.5, 0.125],
];
export const bonusQ = [[0.25, 0.5, 0.125, 0.125]];

/** A random distribution over `n` tokens, 3 decimals, every entry at least 0.001, summing to 1 up to rounding. */
function randomDistribution(rng: Rng, n: number): number[] {
  const weights = Array.from({ length: n }, () => Math.exp(1.2 * rng.normal()));
  const total = weights.reduce((s, w) => s + w, 0);
  const rounded = weights.map((w) => Math.max(0.001, Math.round((1000 * w) / total) / 1000));
  const largest = rounded.indexOf(Math.max(...rounded));
  const others = rounded.reduce((s, w, i) => (i === largest ? s : s + w), 0);
  rounded[largest] = Math.round(1000 * (1 - others)) / 1000;
  return rounded;
}

/** p [γ+1, V] and q [γ, V] at random, the draft drawn from q, the uniforms drawn. */
function randomStep(rng: Rng, gamma: number, vocab: number): Args {
  const p = Array.from({ length: gamma + 1 }, () => randomDistribution(rng, vocab));
  const q = Array.from({ length: gamma }, () => randomDistribution(rng, vocab));
  const draft = q.map((row) => sampleIndex(row, rng.next()));
  return [p, q, draft, uniforms(rng, gamma), rng.next()];
}

/** Draws a scenario's call as a real step does: each draft token from q's row, then fresh uniforms. */
const drawStep = (p: number[][], q: number[][]) => (rng: Rng): Args => [p, q, q.map((row) => sampleIndex(row, rng.next())), uniforms(rng, q.length), rng.next()];

const tokensOf = (out: SpeculativeOutput): number[] => {
  if (typeof out !== 'object' || out === null || !Array.isArray(out.tokens) || out.tokens.length === 0) throw new Error('no tokens');
  return out.tokens;
};

export default defineExercise<Args, SpeculativeOutput>({
  entry: 'speculativeStep',
  signature: 'speculativeStep(p: Matrix, q: Matrix, draft: number[], u: Vector, uResample: number): { tokens: number[]; accepted: number }',
  compare: 'exact',
  inputsReadOnly: true,
  cases: (rng) => [
    { name: 'the lesson example: accept, accept, reject and resample from max(0, p − q)', args: lessonArgs, expected: { tokens: [2, 1, 2], accepted: 2 } },
    { name: 'every draft token accepted: the bonus token comes from p[γ]', args: [lessonP, lessonQ, [2, 2, 2], [0.9, 0.5, 0.2], 0.8], expected: { tokens: [2, 2, 2, 2], accepted: 3 } },
    {
      name: 'u exactly equal to the ratio p/q = 0.5 is a rejection (u < ratio accepts)',
      args: [[[0.25, 0.5, 0.25], [0.5, 0.25, 0.25]], [[0.5, 0.25, 0.25]], [0], [0.5], 0.3],
      expected: { tokens: [1], accepted: 0 },
    },
    {
      name: 'uResample·Σ exactly on a cumulative sum of the residual goes to the next token',
      args: [[[0.25, 0.375, 0.375], [1 / 3, 1 / 3, 1 / 3]], [[0.75, 0.125, 0.125]], [0], [0.5], 0.5],
      expected: { tokens: [2], accepted: 0 },
    },
    {
      name: 'a draft token the target gives probability 0 is rejected even at u = 0',
      args: [[[0, 0.5, 0.5], [0.2, 0.3, 0.5]], [[0.8, 0.1, 0.1]], [0], [0], 0.1],
      expected: { tokens: [1], accepted: 0 },
    },
    (() => {
      const shared = Array.from({ length: 4 }, () => randomDistribution(rng, 5));
      const draft = shared.slice(0, 3).map((row) => sampleIndex(row, rng.next()));
      return { name: 'a draft equal to the target (q = p): every token accepted, however close u is to 1', args: [shared, shared.slice(0, 3), draft, [0.99, 0.999, 0.95], rng.next()] as Args };
    })(),
    { name: 'random: γ = 4 over 6 tokens, the draft drawn from q', args: randomStep(rng, 4, 6) },
    { name: 'random: γ = 2 over 5 tokens, the draft drawn from q', args: randomStep(rng, 2, 5) },
    { name: 'random: γ = 1 over 3 tokens, the draft drawn from q', args: randomStep(rng, 1, 3) },
    { name: 'random: γ = 5 over 4 tokens, the draft drawn from q', args: randomStep(rng, 5, 4) },
  ],
  reference: (_ctx, p, q, draft, u, uResample) => speculativeSteps(p, q, draft, u, uResample).output,
  trace: (_ctx, p, q, draft, u, uResample) => speculativeSteps(p, q, draft, u, uResample).steps,
  distributions: [
    {
      name: 'the first token follows the target p[0]',
      scenarios: () => [{ name: 'p[0] = [0.5, 0.25, 0.125, 0.125], q[0] = [0.125, 0.125, 0.25, 0.5], γ = 2', expected: pictureP[0], labels: ['token 0', 'token 1', 'token 2', 'token 3'], draw: drawStep(pictureP, pictureQ) }],
      outcome: (out) => tokensOf(out)[0],
      draws: 4000,
    },
    {
      name: 'after an accepted draft token the bonus token follows p[1]',
      scenarios: () => [
        {
          name: 'γ = 1, α = Σ min(p[0], q[0]) = 0.75, p[1] = [0.125, 0.25, 0.5, 0.125]',
          expected: [0.25, ...bonusP[1].map((x) => 0.75 * x)],
          labels: ['one token only', 'bonus 0', 'bonus 1', 'bonus 2', 'bonus 3'],
          draw: drawStep(bonusP, bonusQ),
        },
      ],
      outcome: (out) => {
        const tokens = tokensOf(out);
        return tokens.length === 1 ? 0 : tokens.length === 2 ? 1 + tokens[1] : -1;
      },
      draws: 4000,
    },
  ],
  misconceptions: [
    {
      id: 'p-q-swapped',
      title: { en: 'the target p and the draft q swapped', 'zh-CN': '目标 p 与草稿 q 调换了' },
      message: {
        en:
          'You accept with q(x)/p(x) and resample from max(0, q − p): the two models\' roles are swapped. Your tokens are then skewed towards the draft\'s distribution q instead of following the target\'s p: on the lesson\'s picture, tokens 2 and 3 (q\'s favourites) come out 90.6% of the time where p gives them 25%. ' +
          'In the lesson example you reject the first draft token (u = 0.9 ≥ 0.2/0.3) and return [0]; the target p is the numerator: p_i(x)/q_i(x), and the residual is max(0, p − q).',
        'zh-CN':
          '你按 q(x)/p(x) 接受，并从 max(0, q − p) 重新采样：两个模型的角色调换了。于是你的 token 偏向草稿的分布 q，而不是服从目标的 p：在课程的图中，q 最喜欢的 token 2 和 3 出现的比例为 90.6%，而 p 给它们的是 25%。' +
          '在课程示例中，你拒绝了第一个草稿 token（u = 0.9 ≥ 0.2/0.3），返回了 [0]；目标 p 才是分子：p_i(x)/q_i(x)，残差是 max(0, p − q)。',
      },
      hint: {
        en: 'Which model do you want the output to follow? That one goes in the numerator of the ratio and first in max(0, · − ·).',
        'zh-CN': '你希望输出服从哪个模型？那个模型放在比值的分子上，也放在 max(0, · − ·) 的第一项。',
      },
      wrong: (_ctx, p, q, draft, u, uResample) => speculativeSteps(p, q, draft, u, uResample, { swapped: true }).output,
    },
    {
      id: 'resample-from-p',
      title: { en: 'resampling from p instead of the residual max(0, p − q)', 'zh-CN': '从 p 重新采样，而不是从残差 max(0, p − q)' },
      message: {
        en:
          'After a rejection you draw from p itself. The accepted draft tokens already give each token min(p(x), q(x)); only the remainder max(0, p − q), normalised, tops that up to exactly p. Drawing from p adds mass where q had already covered it, which skews the output towards q (tokens 2 and 3 of the lesson\'s picture come out 37.5% of the time instead of 25%). ' +
          'In the lesson example the residual at the rejection is [0, 0.1, 0.3, 0], so uResample = 0.3 gives token 2; from p you get token 1.',
        'zh-CN':
          '拒绝之后你直接从 p 中抽取。被接受的草稿 token 已经给了每个 token min(p(x), q(x))；只有剩余部分 max(0, p − q)（归一化后）才能把它恰好补足到 p。从 p 中抽取会在 q 已覆盖的地方再添概率质量，使输出偏向 q（课程图中的 token 2 和 3 出现的比例为 37.5%，而不是 25%）。' +
          '在课程示例中，拒绝处的残差是 [0, 0.1, 0.3, 0]，所以 uResample = 0.3 给出 token 2；从 p 中抽取则得到 token 1。',
      },
      hint: {
        en: 'At the rejection in the lesson, which tokens does the target want more than the draft proposed? Only those can come out of the resample.',
        'zh-CN': '在课程示例的拒绝处，目标模型想要的哪些 token 比草稿给出的更多？只有这些 token 才可能从重新采样中出来。',
      },
      wrong: (_ctx, p, q, draft, u, uResample) => speculativeSteps(p, q, draft, u, uResample, { resampleFromP: true }).output,
    },
    {
      id: 'no-bonus-token',
      title: { en: 'no bonus token when every draft token is accepted', 'zh-CN': '所有草稿 token 都被接受时没有额外的奖励 token' },
      message: {
        en: 'When all γ draft tokens are accepted you return them alone. The target has already computed p[γ], its distribution after the last draft token, so the step also samples a bonus token from it with uResample: γ + 1 tokens, [2, 2, 2, 2] in the lesson\'s all-accepted case, not [2, 2, 2].',
        'zh-CN': '当全部 γ 个草稿 token 都被接受时，你只返回了它们。目标模型已经算出了 p[γ]，即它在最后一个草稿 token 之后的分布，所以这一步还要用 uResample 从中采样一个奖励 token：共 γ + 1 个 token，在课程示例全部接受的情况下是 [2, 2, 2, 2]，而不是 [2, 2, 2]。',
      },
      hint: {
        en: 'p has γ + 1 rows but q has γ. What is the last row of p for?',
        'zh-CN': 'p 有 γ + 1 行，而 q 只有 γ 行。p 的最后一行是做什么用的？',
      },
      wrong: (_ctx, p, q, draft, u, uResample) => speculativeSteps(p, q, draft, u, uResample, { noBonus: true }).output,
    },
    {
      id: 'accept-on-equal',
      title: { en: 'accepting when u equals the ratio (≤ instead of <)', 'zh-CN': 'u 等于比值时也接受（用 ≤ 代替 <）' },
      message: {
        en: 'You accept a draft token when u ≤ min(1, p/q). This exercise accepts on u < min(1, p/q), as Chen et al. write it and as decoding/sample compares: u = 0.5 with a ratio of 0.5 is a rejection, and a token the target gives probability 0 is rejected even at u = 0. (Leviathan et al.\'s Algorithm 1 and Hugging Face accept on equality; with u drawn from a continuous uniform the two rules differ with probability 0, but they do differ on these cases.)',
        'zh-CN': '你在 u ≤ min(1, p/q) 时接受草稿 token。本练习在 u < min(1, p/q) 时接受，与 Chen et al. 的写法以及 decoding/sample 的比较方式相同：比值为 0.5 时 u = 0.5 算作拒绝，目标模型给概率 0 的 token 即使在 u = 0 时也会被拒绝。（Leviathan et al. 的 Algorithm 1 和 Hugging Face 在相等时接受；u 从连续均匀分布中抽取时，两种规则不同的概率为 0，但在这些用例上它们确实不同。）',
      },
      hint: {
        en: 'Take u = 0 for a draft token whose target probability is 0. Should it be accepted?',
        'zh-CN': '对一个目标概率为 0 的草稿 token，取 u = 0。它应该被接受吗？',
      },
      wrong: (_ctx, p, q, draft, u, uResample) => speculativeSteps(p, q, draft, u, uResample, { acceptOnEqual: true }).output,
    },
  ],
  hints: [
    {
      en: 'Walk the draft tokens in order: for token x at position i, compare u[i] with min(1, p[i][x]/q[i][x]). Stop at the first rejection.',
      'zh-CN': '按顺序遍历草稿 token：对位置 i 上的 token x，把 u[i] 与 min(1, p[i][x]/q[i][x]) 比较。在第一次拒绝处停止。',
    },
    {
      en: 'At a rejection at position i, draw from the weights max(0, p[i] − q[i]) with uResample, as decoding/sample does (the first j with uResample·Σw < the running sum). If none was rejected, draw from p[γ] instead.',
      'zh-CN': '若在位置 i 处拒绝，就像 decoding/sample 那样，用 uResample 从权重 max(0, p[i] − q[i]) 中抽取（满足 uResample·Σw < 累加和的第一个 j）。如果没有任何拒绝，则改为从 p[γ] 中抽取。',
    },
    {
      en: 'The key idea: accepting x with probability min(1, p/q) gives it min(p(x), q(x)); the residual max(0, p − q) supplies exactly the rest of p, so the output follows the target, whatever the draft.',
      'zh-CN': '关键：以 min(1, p/q) 的概率接受 x，给了它 min(p(x), q(x))；残差 max(0, p − q) 恰好补上 p 的其余部分，所以无论草稿是什么，输出都服从目标模型。',
    },
  ],
});
