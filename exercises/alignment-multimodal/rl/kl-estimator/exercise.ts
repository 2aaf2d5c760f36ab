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
      title: 'k1 = logp − ref, the plain log-ratio',
      message:
        'You return logp − ref: [0.5, −1, 0, 1] in the lesson instead of [0.106531, 0.718282, 0, 0.367879]. It is also unbiased, but negative for every token the reference likes more, and far noisier; GRPO uses Schulman\'s k3 = e^x − x − 1 with x = ref − logp, which is never negative.',
      hint: 'Token 1 of the lesson has logp −2 and ref −1. Can a KL penalty for that token be negative?',
      wrong: (_ctx, logp, logpRef) => logp.map((lp, i) => lp - logpRef[i]),
    },
    {
      id: 'k2',
      title: 'k2 = ½(logp − ref)², the squared log-ratio',
      message:
        'You return ½·(logp − ref)²: [0.125, 0.5, 0, 0.5] in the lesson instead of [0.106531, 0.718282, 0, 0.367879]. k2 is never negative and has low variance but is biased (it matches the KL only to second order); k3 = e^x − x − 1 keeps both good properties and is unbiased.',
      hint: 'Tokens 1 and 3 of the lesson have log-ratios +1 and −1. Should their penalties be equal?',
      wrong: (_ctx, logp, logpRef) => logp.map((lp, i) => 0.5 * (lp - logpRef[i]) ** 2),
    },
    {
      id: 'sign-swapped',
      title: 'x = logp − ref inside the exponential: e^(logp − ref) − (logp − ref) − 1',
      message:
        'Your log-ratio is logp − ref, the wrong way round: [0.148721, 0.367879, 0, 0.718282] in the lesson instead of [0.106531, 0.718282, 0, 0.367879]. For tokens sampled from π, the unbiased estimator of KL(π ‖ ref) uses the ratio ref/π: x = logpRef − logp, then e^x − x − 1. The swapped form estimates a different quantity and is biased.',
      hint: 'Tokens 1 and 3 of the lesson should get 0.718282 and 0.367879. Which of them is more likely under the reference than under the policy?',
      wrong: (_ctx, logp, logpRef) => logp.map((lp, i) => Math.exp(lp - logpRef[i]) - (lp - logpRef[i]) - 1),
    },
  ],
  hints: [
    'Work token by token: x = logpRef − logp, the log of the ratio ref/π.',
    'Then k3 = e^x − x − 1. It is 0 where the two models agree and positive everywhere else.',
    'The key idea: e^x − x − 1 with x = log(ref/π) is never negative (e^x ≥ 1 + x) and its average over tokens drawn from π is exactly KL(π ‖ ref), because the average of e^x is Σ ref = 1.',
  ],
});
