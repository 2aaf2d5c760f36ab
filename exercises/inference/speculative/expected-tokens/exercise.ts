import { defineExercise, type Rng } from 'llm-tutor/pack';
import { close, show } from '../../../transformer-core/properties.js';
import { expectedTokens } from '../speculative-math.js';

type Args = [alpha: number, gamma: number];

/** The probability that a step ends after exactly k accepted draft tokens, k = 0 … γ, then the expected tokens (what a trace shows). */
export function expectedSteps(alpha: number, gamma: number) {
  const accepted = Array.from({ length: gamma + 1 }, (_, k) => (k < gamma ? alpha ** k * (1 - alpha) : alpha ** gamma));
  return { steps: { 'P(k accepted), k = 0…γ': accepted, 'tokens = k + 1': accepted.map((_, k) => k + 1) }, output: expectedTokens(alpha, gamma) };
}

const randomAlpha = (rng: Rng) => Math.round((0.3 + 0.65 * rng.next()) * 1000) / 1000;

export default defineExercise<Args, number>({
  entry: 'expectedTokensPerStep',
  signature: 'expectedTokensPerStep(alpha: number, gamma: number): number',
  cases: (rng) => [
    { name: 'the lesson example: α = 0.8, γ = 4', args: [0.8, 4] },
    { name: 'Leviathan et al.\'s T5-Small drafting for T5-XXL (α ≈ 0.75), γ = 7', args: [0.75, 7] },
    { name: 'α = 0.6, γ = 3', args: [0.6, 3] },
    { name: 'α = 0.9, γ = 8', args: [0.9, 8] },
    { name: 'a single draft token: γ = 1, α = 0.5', args: [0.5, 1] },
    { name: 'α = 0: every draft rejected, still one token per step', args: [0, 5] },
    { name: 'α = 1: a perfect draft, γ + 1 tokens per step', args: [1, 6] },
    { name: 'α = 0.999, close to 1, γ = 10', args: [0.999, 10] },
    { name: 'random α, γ = 2', args: [randomAlpha(rng), 2] },
    { name: 'random α, γ = 5', args: [randomAlpha(rng), 5] },
    { name: 'random α, γ = 12', args: [randomAlpha(rng), 12] },
  ],
  reference: (_ctx, alpha, gamma) => expectedSteps(alpha, gamma).output,
  trace: (_ctx, alpha, gamma) => expectedSteps(alpha, gamma).steps,
  properties: [
    {
      name: 'one more draft token adds α^(γ+1)',
      cases: (rng) =>
        [3, 6].map((gamma) => {
          const alpha = randomAlpha(rng);
          return { name: `α = ${alpha}, γ = ${gamma} then ${gamma + 1}`, calls: [[alpha, gamma], [alpha, gamma + 1]] as Args[] };
        }),
      holds: ([before, after], [[alpha, gamma]]) => {
        if (typeof before !== 'number' || typeof after !== 'number') return `expectedTokensPerStep must return a number; it returned ${JSON.stringify(before)} and ${JSON.stringify(after)}.`;
        const want = alpha ** (gamma + 1);
        if (close(want, after - before)) return undefined;
        return `Going from γ = ${gamma} to γ = ${gamma + 1} draft tokens at α = ${alpha}, your expected tokens grow by ${show(after - before)}. Draft token ${gamma + 1} adds a token only when it and the ${gamma} draft tokens before it are all accepted, with probability α^${gamma + 1} = ${show(want)}: that is what it adds.`;
      },
    },
  ],
  misconceptions: [
    {
      id: 'gamma-times-alpha',
      title: { en: 'γ·α: every draft token counted as accepted with probability α on its own', 'zh-CN': 'γ·α：把每个草稿 token 都当作独立地以概率 α 被接受' },
      message: {
        en: 'γ·α treats the γ draft tokens as independent tries, but a draft token only counts if every one before it was accepted: token i needs i acceptances in a row, probability α^i. It also leaves out the token the target always adds. At α = 0.8, γ = 4 it gives 3.2 instead of 1 + 0.8 + 0.64 + 0.512 + 0.4096 = 3.3616.',
        'zh-CN': 'γ·α 把 γ 个草稿 token 当作相互独立的尝试，但一个草稿 token 只有在它之前的每一个都被接受时才会计入：token i 需要连续 i 次接受，概率为 α^i。它还漏掉了目标模型总会添加的那个 token。在 α = 0.8、γ = 4 时，它给出 3.2，而不是 1 + 0.8 + 0.64 + 0.512 + 0.4096 = 3.3616。',
      },
      hint: {
        en: 'In the lesson example, what is the probability that the third draft token is kept? It needs the first two kept too.',
        'zh-CN': '在课程示例中，第三个草稿 token 被保留的概率是多少？这要求前两个也都被保留。',
      },
      wrong: (_ctx, alpha, gamma) => gamma * alpha,
    },
    {
      id: 'bonus-token-forgotten',
      title: { en: 'the target\'s own token left out: α + α² + … + α^γ', 'zh-CN': '漏掉了目标模型自己的 token：α + α² + … + α^γ' },
      message: {
        en: 'You count the accepted draft tokens only, α + α² + … + α^γ = 2.3616 at α = 0.8, γ = 4. Every step also emits one token from the target (the resampled one after a rejection, or the bonus one when all are accepted), so a step yields 1 more: 3.3616, and never fewer than 1.',
        'zh-CN': '你只计算了被接受的草稿 token，α = 0.8、γ = 4 时 α + α² + … + α^γ = 2.3616。每一步还会从目标模型输出一个 token（拒绝之后重新采样的那个，或全部接受时的奖励 token），所以一步要多产出 1 个：3.3616，而且永远不少于 1 个。',
      },
      hint: {
        en: 'Set α = 0: the draft is always rejected. How many tokens does the step still produce?',
        'zh-CN': '令 α = 0：草稿总是被拒绝。这一步仍然产出几个 token？',
      },
      wrong: (_ctx, alpha, gamma) => expectedTokens(alpha, gamma) - 1,
    },
    {
      id: 'series-not-capped',
      title: { en: 'the geometric series not capped at γ: 1/(1 − α)', 'zh-CN': '几何级数没有在 γ 处截断：1/(1 − α)' },
      message: {
        en: '1/(1 − α) is the expected tokens with an endless draft (γ → ∞): 5 at α = 0.8. The draft proposes only γ tokens, so the series stops at α^γ: (1 − α^(γ+1))/(1 − α) = 3.3616 for γ = 4.',
        'zh-CN': '1/(1 − α) 是草稿无限长（γ → ∞）时的期望 token 数：α = 0.8 时为 5。草稿只提出 γ 个 token，所以级数在 α^γ 处停止：γ = 4 时为 (1 − α^(γ+1))/(1 − α) = 3.3616。',
      },
      hint: {
        en: 'Does your answer change when γ changes? The step can never produce more than γ + 1 tokens.',
        'zh-CN': 'γ 改变时你的答案会变吗？一步产出的 token 永远不会超过 γ + 1 个。',
      },
      wrong: (_ctx, alpha) => 1 / (1 - alpha),
    },
  ],
  hints: [
    {
      en: 'A step yields k + 1 tokens when the first k draft tokens are accepted and the next is not. What is the probability of that?',
      'zh-CN': '当前 k 个草稿 token 被接受、下一个未被接受时，这一步产出 k + 1 个 token。这种情况的概率是多少？',
    },
    {
      en: 'The expected value is 1 + α + α² + … + α^γ: the i-th draft token counts only if all i tokens up to it are accepted, with probability α^i.',
      'zh-CN': '期望值为 1 + α + α² + … + α^γ：第 i 个草稿 token 只有在它及之前的全部 i 个 token 都被接受时才计入，概率为 α^i。',
    },
    {
      en: 'The key idea: a geometric series capped at γ, (1 − α^(γ+1))/(1 − α), which is γ + 1 when α = 1.',
      'zh-CN': '关键：一个在 γ 处截断的几何级数，(1 − α^(γ+1))/(1 − α)，α = 1 时为 γ + 1。',
    },
  ],
});
