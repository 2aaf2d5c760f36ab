import { defineExercise, randomVector, tidy, type Rng } from 'llm-tutor/pack';
import { close, isVector, show, showList } from '../../../transformer-core/properties.js';
import { logSoftmax } from '../../stable-math.js';

type Args = [logp: number[], logpRef: number[]];

/** The lesson's 4 tokens: log-ratios ref − logp of −0.5, 1, 0 and −1. */
export const lessonLogp = [-1, -2, -0.5, -1.2];
export const lessonLogpRef = [-1.5, -1, -0.5, -2.2];

/** Per token: x = ref − logp, e^x, and k3 = e^x − x − 1. */
export function k3Steps(logp: readonly number[], logpRef: readonly number[]) {
  const logRatio = logp.map((lp, i) => logpRef[i] - lp);
  const ratio = logRatio.map(Math.exp);
  const k3 = logRatio.map((x, i) => ratio[i] - x - 1);
  return { steps: { 'ref − logp': logRatio, 'exp(ref − logp)': ratio }, output: k3 };
}

/** Log-probabilities of sampled tokens (below 0), and the reference's a random step away. */
function pair(rng: Rng, n: number, step: number): Args {
  const logp = randomVector(rng, n, 1).map((x) => tidy(-0.05 - 2 * Math.abs(x), 4));
  return [logp, logp.map((x) => tidy(x + rng.normal(0, step), 4))];
}

const vocabulary = (rng: Rng, v: number): Args => [logSoftmax(randomVector(rng, v, 1.5)), logSoftmax(randomVector(rng, v, 1.5))];

function cases(rng: Rng): { name: string; args: Args; expected?: number[] }[] {
  const same = pair(rng, 5, 0)[0];
  return [
    // PyTorch 1.13, float64, TRL's GRPO line: torch.exp(ref - logp) - (ref - logp) - 1.
    { name: 'the lesson example: 4 tokens, ref − logp = −0.5, 1, 0, −1', args: [lessonLogp, lessonLogpRef], expected: [0.10653065971263342, 0.7182818284590451, 0, 0.36787944117144233] },
    { name: 'random: 8 tokens, the reference close to the policy', args: pair(rng, 8, 0.3) },
    { name: 'random: 12 tokens, the reference far from the policy', args: pair(rng, 12, 1.5) },
    { name: 'every token of a vocabulary of 6 (two log-softmaxes)', args: vocabulary(rng, 6) },
    { name: 'the policy equals the reference: every k3 is 0', args: [same, same] },
    // PyTorch 1.13, float64, the same line: ref − logp = −10 and 10 in turn.
    { name: 'far apart: ref − logp = ±10', args: [[-1, -5, -3, -3], [-11, 5, -13, 7]], expected: [9.000045399929762, 22015.465794806718, 9.000045399929762, 22015.465794806718] },
  ];
}

const notList = (out: unknown, n: number) => `klK3 must return one number per token (${n}); it returned ${JSON.stringify(out)?.slice(0, 80)}.`;

export default defineExercise<Args, number[]>({
  entry: 'klK3',
  signature: 'klK3(logp: Vector, logpRef: Vector): Vector',
  inputsReadOnly: true,
  cases,
  reference: (_ctx, logp, logpRef) => k3Steps(logp, logpRef).output,
  trace: (_ctx, logp, logpRef) => k3Steps(logp, logpRef).steps,
  properties: [
    {
      name: 'k3 ≥ 0 for every token, whichever model gives the token more probability',
      cases: (rng) => [{ name: '10 tokens, the reference far from the policy', calls: [pair(rng, 10, 1.5)] }],
      holds: ([out], [[logp, logpRef]]) => {
        if (!isVector(out) || out.length !== logp.length) return notList(out, logp.length);
        const t = out.findIndex((k) => !(k >= -1e-12));
        if (t < 0) return undefined;
        return `Your estimate for token ${t} is ${show(out[t])}, below 0 (logp ${show(logp[t])}, logpRef ${show(logpRef[t])}). With x = ref − logp, k3 = e^x − x − 1 is never negative, because e^x ≥ 1 + x: check that you compute e^x − x − 1 and not logp − ref.`;
      },
    },
    {
      name: 'over a whole vocabulary, Σ π·k3 = KL(π ‖ ref): the estimator is unbiased',
      cases: (rng) => [{ name: 'a vocabulary of 5, both distributions random', calls: [vocabulary(rng, 5)] }],
      holds: ([out], [[logp, logpRef]]) => {
        if (!isVector(out) || out.length !== logp.length) return notList(out, logp.length);
        const expectation = logp.reduce((acc, lp, i) => acc + Math.exp(lp) * out[i], 0);
        const kl = logp.reduce((acc, lp, i) => acc + Math.exp(lp) * (lp - logpRef[i]), 0);
        if (close(kl, expectation)) return undefined;
        return `With logp and logpRef two whole distributions over 5 tokens, Σ π(x)·(your estimate) is ${show(expectation)}, but KL(π ‖ ref) = Σ π·(logp − ref) = ${show(kl)} (your estimates: ${showList(out)}). k3 = e^x − x − 1 with x = ref − logp averages to the KL exactly, since Σ π·e^x = Σ ref = 1.`;
      },
    },
  ],
  misconceptions: [
    {
      id: 'k1',
      title: { en: 'k1 = logp − ref, the plain log-ratio', 'zh-CN': 'k1 = logp − ref，即朴素的对数比' },
      message: {
        en:
          'You return logp − ref: [0.5, −1, 0, 1] in the lesson instead of [0.106531, 0.718282, 0, 0.367879]. It is also unbiased, but negative for every token the reference likes more, and far noisier; GRPO uses Schulman\'s k3 = e^x − x − 1 with x = ref − logp, which is never negative.',
        'zh-CN':
          '你返回的是 logp − ref：课程例子里得到 [0.5, −1, 0, 1]，而不是 [0.106531, 0.718282, 0, 0.367879]。它同样无偏，但对参考模型更偏好的每个 token 都为负，而且噪声大得多；GRPO 用的是 Schulman 的 k3 = e^x − x − 1，其中 x = ref − logp，它永不为负。',
      },
      hint: {
        en: 'Token 1 of the lesson has logp −2 and ref −1. Can a KL penalty for that token be negative?',
        'zh-CN': '课程例子中 token 1 的 logp 为 −2，ref 为 −1。这个 token 的 KL 惩罚可以是负的吗？',
      },
      wrong: (_ctx, logp, logpRef) => logp.map((lp, i) => lp - logpRef[i]),
    },
    {
      id: 'k2',
      title: { en: 'k2 = ½(logp − ref)², the squared log-ratio', 'zh-CN': 'k2 = ½(logp − ref)²，即对数比的平方' },
      message: {
        en:
          'You return ½·(logp − ref)²: [0.125, 0.5, 0, 0.5] in the lesson instead of [0.106531, 0.718282, 0, 0.367879]. k2 is never negative and has low variance but is biased (it matches the KL only to second order); k3 = e^x − x − 1 keeps both good properties and is unbiased.',
        'zh-CN':
          '你返回的是 ½·(logp − ref)²：课程例子里得到 [0.125, 0.5, 0, 0.5]，而不是 [0.106531, 0.718282, 0, 0.367879]。k2 永不为负、方差小，但有偏（它只在二阶近似下与 KL 一致）；k3 = e^x − x − 1 兼具这两个优点，而且无偏。',
      },
      hint: {
        en: 'Tokens 1 and 3 of the lesson have log-ratios +1 and −1. Should their penalties be equal?',
        'zh-CN': '课程例子中 token 1 和 3 的对数比分别为 +1 和 −1。它们的惩罚应该相等吗？',
      },
      wrong: (_ctx, logp, logpRef) => logp.map((lp, i) => 0.5 * (lp - logpRef[i]) ** 2),
    },
    {
      id: 'sign-swapped',
      title: {
        en: 'x = logp − ref inside the exponential: e^(logp − ref) − (logp − ref) − 1',
        'zh-CN': '指数里用了 x = logp − ref：e^(logp − ref) − (logp − ref) − 1',
      },
      message: {
        en:
          'Your log-ratio is logp − ref, the wrong way round: [0.148721, 0.367879, 0, 0.718282] in the lesson instead of [0.106531, 0.718282, 0, 0.367879]. For tokens sampled from π, the unbiased estimator of KL(π ‖ ref) uses the ratio ref/π: x = logpRef − logp, then e^x − x − 1. The swapped form estimates a different quantity and is biased.',
        'zh-CN':
          '你的对数比是 logp − ref，方向反了：课程例子里得到 [0.148721, 0.367879, 0, 0.718282]，而不是 [0.106531, 0.718282, 0, 0.367879]。对从 π 中采样的 token，KL(π ‖ ref) 的无偏估计量用的是比值 ref/π：x = logpRef − logp，再算 e^x − x − 1。弄反的形式估计的是另一个量，而且有偏。',
      },
      hint: {
        en: 'Tokens 1 and 3 of the lesson should get 0.718282 and 0.367879. Which of them is more likely under the reference than under the policy?',
        'zh-CN': '课程例子中 token 1 和 3 应分别得到 0.718282 和 0.367879。哪一个在参考模型下比在策略下更可能？',
      },
      wrong: (_ctx, logp, logpRef) => logp.map((lp, i) => Math.exp(lp - logpRef[i]) - (lp - logpRef[i]) - 1),
    },
  ],
  hints: [
    { en: 'Work token by token: x = logpRef − logp, the log of the ratio ref/π.', 'zh-CN': '逐 token 计算：x = logpRef − logp，即比值 ref/π 的对数。' },
    {
      en: 'Then k3 = e^x − x − 1. It is 0 where the two models agree and positive everywhere else.',
      'zh-CN': '然后 k3 = e^x − x − 1。两个模型一致处它为 0，其他地方都为正。',
    },
    {
      en: 'The key idea: e^x − x − 1 with x = log(ref/π) is never negative (e^x ≥ 1 + x) and its average over tokens drawn from π is exactly KL(π ‖ ref), because the average of e^x is Σ ref = 1.',
      'zh-CN': '关键：取 x = log(ref/π)，e^x − x − 1 永不为负（e^x ≥ 1 + x），而且它在从 π 中抽取的 token 上的平均恰好是 KL(π ‖ ref)，因为 e^x 的平均是 Σ ref = 1。',
    },
  ],
});
