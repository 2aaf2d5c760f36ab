import { anyOf, defineExercise, randomVector, tidy, type Rng } from 'llm-tutor/pack';
import { close, show } from '../../../transformer-core/properties.js';

type Args = [logpNew: number[], logpOld: number[], advantages: number[], eps: number];

/**
 * The lesson's 4 tokens, ε = 0.2: token 0 (A > 0, r = 1.35) and token 1 (A < 0, r = 0.61) are clipped;
 * token 2 (A > 0, r = 0.67) and token 3 (A < 0, r = 1.49) are not, since the min keeps the worse term.
 */
export const lessonNew = [-0.7, -1.7, -0.9, -1.6];
export const lessonOld = [-1, -1.2, -0.5, -2];
export const lessonAdvantages = [2, -1, 0.5, -1.5];

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const clamp = (x: number, lo: number, hi: number) => Math.min(Math.max(x, lo), hi);

/** Per token: r = exp(new − old), r·A, clip(r, 1 − ε, 1 + ε)·A, the smaller of the two, whether the clip chose; the loss −mean of the smaller. */
export function ppoSteps(logpNew: readonly number[], logpOld: readonly number[], advantages: readonly number[], eps: number) {
  const ratio = logpNew.map((x, i) => Math.exp(x - logpOld[i]));
  const unclipped = ratio.map((r, i) => r * advantages[i]);
  const clipped = ratio.map((r, i) => clamp(r, 1 - eps, 1 + eps) * advantages[i]);
  const objective = unclipped.map((u, i) => Math.min(u, clipped[i]));
  const isClipped = unclipped.map((u, i) => clipped[i] < u);
  return { steps: { ratio, 'r·A': unclipped, 'clip(r)·A': clipped, 'min': objective, isClipped }, output: -mean(objective) };
}

/** Log-probabilities of sampled tokens (below 0) and new ones a small step away. */
function logps(rng: Rng, n: number, step: number): [number[], number[]] {
  const old = randomVector(rng, n, 1).map((x) => tidy(-0.1 - 2 * Math.abs(x), 4));
  return [old.map((x) => tidy(x + rng.normal(0, step), 4)), old];
}

function cases(rng: Rng): { name: string; args: Args; expected?: number }[] {
  const [n1, o1] = logps(rng, 8, 0.3);
  const [n2, o2] = logps(rng, 16, 0.2);
  const [n3, o3] = logps(rng, 6, 0.5);
  const [n4, o4] = logps(rng, 6, 0.02);
  const [, o5] = logps(rng, 5, 0);
  return [
    // PyTorch 1.13, float64, CleanRL's ppo.py: ratio = (new - old).exp();
    // torch.max(-adv * ratio, -adv * torch.clamp(ratio, 0.8, 1.2)).mean().
    { name: 'the lesson example: 4 tokens, ε = 0.2, two clipped', args: [lessonNew, lessonOld, lessonAdvantages, 0.2], expected: 0.07564425586102141 },
    { name: 'random: 8 tokens, ε = 0.2', args: [n1, o1, randomVector(rng, 8, 1), 0.2] },
    { name: 'random: 16 tokens, ε = 0.1', args: [n2, o2, randomVector(rng, 16, 1), 0.1] },
    { name: 'random: 6 tokens, ε = 0.3, log-ratios of about ±0.5', args: [n3, o3, randomVector(rng, 6, 2), 0.3] },
    { name: 'random: 6 tokens, every ratio within 1 ± ε: the unclipped objective', args: [n4, o4, randomVector(rng, 6, 1), 0.2] },
    { name: 'the first step of an update: new = old, ratio 1, loss −mean(A)', args: [o5, o5, randomVector(rng, 5, 1), 0.2] },
    // PyTorch 1.13, float64, the same line: exp(±3) = 20.09 and 0.0498, A = [1, −1, −1, 1].
    { name: 'far off-policy: log-ratios ±3', args: [[-1, -5, -1, -5], [-4, -2, -4, -2], [1, -1, -1, 1], 0.2], expected: 4.908937463704952 },
  ];
}

export default defineExercise<Args, number>({
  entry: 'ppoClipLoss',
  signature: 'ppoClipLoss(logpNew: Vector, logpOld: Vector, advantages: Vector, eps: number): number',
  inputsReadOnly: true,
  cases,
  reference: (_ctx, logpNew, logpOld, advantages, eps) => ppoSteps(logpNew, logpOld, advantages, eps).output,
  trace: (_ctx, logpNew, logpOld, advantages, eps) => ppoSteps(logpNew, logpOld, advantages, eps).steps,
  properties: [
    {
      name: 'with logpNew = logpOld (ratio 1) the loss is −mean(advantages)',
      cases: (rng) => {
        const [, old] = logps(rng, 6, 0);
        return [{ name: '6 tokens, ε = 0.2', calls: [[old, old, randomVector(rng, 6, 1), 0.2]] as Args[] }];
      },
      holds: ([loss], [[, , advantages]]) => {
        if (typeof loss !== 'number') return `ppoClipLoss must return a number; it returned ${JSON.stringify(loss)?.slice(0, 80)}.`;
        const want = -mean(advantages);
        if (close(want, loss)) return undefined;
        return `With the new log-probabilities equal to the old ones your loss is ${show(loss)}, not −mean(A) = ${show(want)}. The ratio is exp(new − old) = 1 there, inside [1 − ε, 1 + ε], so min(r·A, clip(r)·A) = A for every token and the loss is minus their mean.`;
      },
    },
    {
      name: 'the clipped loss is never below the unclipped −mean(r·A): the objective is a pessimistic bound',
      cases: (rng) => {
        const [n, old] = logps(rng, 10, 0.5);
        return [{ name: '10 tokens, log-ratios of about ±0.5, ε = 0.2', calls: [[n, old, randomVector(rng, 10, 1), 0.2]] as Args[] }];
      },
      holds: ([loss], [[logpNew, logpOld, advantages]]) => {
        if (typeof loss !== 'number') return `ppoClipLoss must return a number; it returned ${JSON.stringify(loss)?.slice(0, 80)}.`;
        const unclipped = -mean(logpNew.map((x, i) => Math.exp(x - logpOld[i]) * advantages[i]));
        if (Number.isFinite(loss) && loss >= unclipped - 1e-9 - 1e-6 * Math.abs(unclipped)) return undefined;
        return `Your loss is ${show(loss)}, below the unclipped −mean(r·A) = ${show(unclipped)}. Taking the MINIMUM of r·A and clip(r)·A can only lower each token's objective, so the loss (its negative mean) can only be higher: check min against max, and the leading minus.`;
      },
    },
  ],
  misconceptions: [
    {
      id: 'max-instead-of-min',
      title: { en: 'max(r·A, clip(r)·A) instead of the min', 'zh-CN': '用 max(r·A, clip(r)·A) 代替了 min' },
      message: {
        en:
          'You keep the larger of r·A and clip(r)·A: −0.173297 in the lesson instead of 0.075644. PPO keeps the SMALLER (the pessimistic one), so that moving the ratio past 1 ± ε can never raise the objective; with max, the clip never binds where it should and adds a bonus where it should not.',
        'zh-CN':
          '你保留了 r·A 和 clip(r)·A 中较大的那个：课程例子里得到 −0.173297 而不是 0.075644。PPO 保留「较小」的那个（悲观的那个），这样比值越过 1 ± ε 永远不会提高目标；用 max 时，裁剪在该起作用的地方不起作用，在不该加奖励的地方反而加了奖励。',
      },
      hint: {
        en: 'Take token 0 of the lesson: r·A = 2.699718 and clip(r)·A = 2.4. Which of them should stop the ratio from growing further?',
        'zh-CN': '看课程例子的 token 0：r·A = 2.699718，clip(r)·A = 2.4。哪一个能阻止比值继续增大？',
      },
      wrong: (_ctx, logpNew, logpOld, advantages, eps) => {
        const { steps } = ppoSteps(logpNew, logpOld, advantages, eps);
        return -mean(steps['r·A'].map((u, i) => Math.max(u, steps['clip(r)·A'][i])));
      },
    },
    {
      id: 'advantage-clipped',
      title: { en: 'the advantage clipped to [1 − ε, 1 + ε] instead of the ratio', 'zh-CN': '把优势而不是比值裁剪到 [1 − ε, 1 + ε]' },
      message: {
        en:
          'You clamp the advantage and multiply it by the ratio, min(r·A, r·clip(A, 1 − ε, 1 + ε)): 0.222319 in the lesson instead of 0.075644. The advantages are used as given; it is the probability ratio r = exp(new − old) that is clipped to [1 − ε, 1 + ε].',
        'zh-CN':
          '你把优势截断后再乘以比值，即 min(r·A, r·clip(A, 1 − ε, 1 + ε))：课程例子里得到 0.222319 而不是 0.075644。优势按给定值使用；要裁剪到 [1 − ε, 1 + ε] 的是概率比 r = exp(new − old)。',
      },
      hint: {
        en: 'Which quantity should stay within 20% of 1: the ratio of new to old probabilities, or the advantage?',
        'zh-CN': '哪个量应该保持在 1 的 20% 以内：新旧概率之比，还是优势？',
      },
      wrong: (_ctx, logpNew, logpOld, advantages, eps) => -mean(logpNew.map((x, i) => {
        const r = Math.exp(x - logpOld[i]);
        return Math.min(r * advantages[i], r * clamp(advantages[i], 1 - eps, 1 + eps));
      })),
    },
    {
      id: 'ratio-not-exponentiated',
      title: { en: 'the ratio taken as new − old (or new / old) of the log-probabilities', 'zh-CN': '把比值算成对数概率的 new − old（或 new / old）' },
      message: {
        en:
          'Your ratio is not exp(logpNew − logpOld): with r = new − old the lesson gives 0.4, with r = new / old 0.154167, instead of 0.075644. The inputs are log-probabilities, so the ratio of probabilities π_new/π_old is exp(logpNew − logpOld), which is 1 when nothing has changed.',
        'zh-CN':
          '你的比值不是 exp(logpNew − logpOld)：取 r = new − old 时课程例子得到 0.4，取 r = new / old 时得到 0.154167，而正确值是 0.075644。输入是对数概率，所以概率之比 π_new/π_old 是 exp(logpNew − logpOld)，什么都没变时它等于 1。',
      },
      hint: {
        en: 'What should the ratio be when logpNew equals logpOld? Does your formula give 1 there?',
        'zh-CN': 'logpNew 等于 logpOld 时，比值应该是多少？你的公式在那里给出 1 吗？',
      },
      wrong: (_ctx, logpNew, logpOld, advantages, eps) => {
        const withRatio = (ratio: number[]) => -mean(ratio.map((r, i) => Math.min(r * advantages[i], clamp(r, 1 - eps, 1 + eps) * advantages[i])));
        return anyOf(withRatio(logpNew.map((x, i) => x - logpOld[i])), withRatio(logpNew.map((x, i) => x / logpOld[i])));
      },
    },
    {
      id: 'sign-flipped',
      title: { en: 'the objective returned instead of the loss (no leading minus)', 'zh-CN': '返回的是目标而不是损失（缺了前面的负号）' },
      message: {
        en:
          'You return mean min(r·A, clip(r)·A), the objective PPO maximises: −0.075644 in the lesson instead of 0.075644. An optimiser minimises, so the loss is its negative; with the sign flipped, gradient descent makes the tokens with positive advantage LESS likely.',
        'zh-CN':
          '你返回的是 mean min(r·A, clip(r)·A)，即 PPO 要最大化的目标：课程例子里得到 −0.075644 而不是 0.075644。优化器做的是最小化，所以损失是它的相反数；符号反了，梯度下降就会让优势为正的 token「更不可能」出现。',
      },
      hint: {
        en: 'Set logpNew = logpOld and advantages all 1: should the loss be +1 or −1 for a minimiser to raise those tokens\' probabilities?',
        'zh-CN': '令 logpNew = logpOld，优势全为 1：要让最小化器提高这些 token 的概率，损失应该是 +1 还是 −1？',
      },
      wrong: (_ctx, logpNew, logpOld, advantages, eps) => -ppoSteps(logpNew, logpOld, advantages, eps).output,
    },
  ],
  hints: [
    {
      en: 'Per token: the ratio r = exp(logpNew − logpOld), then two candidates, r·A and clip(r, 1 − ε, 1 + ε)·A.',
      'zh-CN': '逐 token 计算：比值 r = exp(logpNew − logpOld)，然后是两个候选项 r·A 和 clip(r, 1 − ε, 1 + ε)·A。',
    },
    {
      en: 'Keep the smaller candidate of each token, average over the tokens, and negate: the optimiser minimises.',
      'zh-CN': '每个 token 保留较小的候选项，对所有 token 取平均，再取负：优化器做的是最小化。',
    },
    {
      en: 'The key idea: −mean min(r·A, clip(r, 1 − ε, 1 + ε)·A). A token whose ratio has already moved past 1 ± ε in the direction its advantage favours contributes a constant, so it stops pulling.',
      'zh-CN': '关键：−mean min(r·A, clip(r, 1 − ε, 1 + ε)·A)。比值已经朝其优势所偏好的方向越过 1 ± ε 的 token 只贡献一个常数，于是不再施加拉力。',
    },
  ],
});
