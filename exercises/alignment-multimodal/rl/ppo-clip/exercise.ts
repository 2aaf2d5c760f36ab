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
      title: 'max(r·A, clip(r)·A) instead of the min',
      message:
        'You keep the larger of r·A and clip(r)·A: −0.173297 in the lesson instead of 0.075644. PPO keeps the SMALLER (the pessimistic one), so that moving the ratio past 1 ± ε can never raise the objective; with max, the clip never binds where it should and adds a bonus where it should not.',
      hint: 'Take token 0 of the lesson: r·A = 2.699718 and clip(r)·A = 2.4. Which of them should stop the ratio from growing further?',
      wrong: (_ctx, logpNew, logpOld, advantages, eps) => {
        const { steps } = ppoSteps(logpNew, logpOld, advantages, eps);
        return -mean(steps['r·A'].map((u, i) => Math.max(u, steps['clip(r)·A'][i])));
      },
    },
    {
      id: 'advantage-clipped',
      title: 'the advantage clipped to [1 − ε, 1 + ε] instead of the ratio',
      message:
        'You clamp the advantage and multiply it by the ratio, min(r·A, r·clip(A, 1 − ε, 1 + ε)): 0.222319 in the lesson instead of 0.075644. The advantages are used as given; it is the probability ratio r = exp(new − old) that is clipped to [1 − ε, 1 + ε].',
      hint: 'Which quantity should stay within 20% of 1: the ratio of new to old probabilities, or the advantage?',
      wrong: (_ctx, logpNew, logpOld, advantages, eps) => -mean(logpNew.map((x, i) => {
        const r = Math.exp(x - logpOld[i]);
        return Math.min(r * advantages[i], r * clamp(advantages[i], 1 - eps, 1 + eps));
      })),
    },
    {
      id: 'ratio-not-exponentiated',
      title: 'the ratio taken as new − old (or new / old) of the log-probabilities',
      message:
        'Your ratio is not exp(logpNew − logpOld): with r = new − old the lesson gives 0.4, with r = new / old 0.154167, instead of 0.075644. The inputs are log-probabilities, so the ratio of probabilities π_new/π_old is exp(logpNew − logpOld), which is 1 when nothing has changed.',
      hint: 'What should the ratio be when logpNew equals logpOld? Does your formula give 1 there?',
      wrong: (_ctx, logpNew, logpOld, advantages, eps) => {
        const withRatio = (ratio: number[]) => -mean(ratio.map((r, i) => Math.min(r * advantages[i], clamp(r, 1 - eps, 1 + eps) * advantages[i])));
        return anyOf(withRatio(logpNew.map((x, i) => x - logpOld[i])), withRatio(logpNew.map((x, i) => x / logpOld[i])));
      },
    },
    {
      id: 'sign-flipped',
      title: 'the objective returned instead of the loss (no leading minus)',
      message:
        'You return mean min(r·A, clip(r)·A), the objective PPO maximises: −0.075644 in the lesson instead of 0.075644. An optimiser minimises, so the loss is its negative; with the sign flipped, gradient descent makes the tokens with positive advantage LESS likely.',
      hint: 'Set logpNew = logpOld and advantages all 1: should the loss be +1 or −1 for a minimiser to raise those tokens\' probabilities?',
      wrong: (_ctx, logpNew, logpOld, advantages, eps) => -ppoSteps(logpNew, logpOld, advantages, eps).output,
    },
  ],
  hints: [
    'Per token: the ratio r = exp(logpNew − logpOld), then two candidates, r·A and clip(r, 1 − ε, 1 + ε)·A.',
    'Keep the smaller candidate of each token, average over the tokens, and negate: the optimiser minimises.',
    'The key idea: −mean min(r·A, clip(r, 1 − ε, 1 + ε)·A). A token whose ratio has already moved past 1 ± ε in the direction its advantage favours contributes a constant, so it stops pulling.',
  ],
});
