import { anyOf, defineExercise, randomVector, tidy, type Rng } from 'llm-tutor/pack';
import { close, isVector, show, showList } from '../../../transformer-core/properties.js';
import { logSigmoid, mean, naiveLogSigmoid, naiveLogSigmoidRatio } from '../../stable-math.js';

interface Pair {
  chosen: number[];
  rejected: number[];
}
type Args = [pi: Pair, ref: Pair, beta: number];
export interface DpoOutput {
  loss: number;
  chosenRewards: number[];
  rejectedRewards: number[];
}

/** The lesson's batch: 2 preference pairs, the sequence log-probabilities of the policy and of the reference model, β = 0.1. */
export const lessonPi: Pair = { chosen: [-12, -20], rejected: [-15, -18] };
export const lessonRef: Pair = { chosen: [-13, -19.5], rejected: [-14, -18.5] };
export const lessonBeta = 0.1;

/**
 * trainers.py's preference_loss (reference_free=False, label_smoothing 0, ipo
 * False): the log-ratios, the logits, β·logits, each pair's loss, and the output.
 */
export function dpoSteps(pi: Pair, ref: Pair, beta: number) {
  const piLogratios = pi.chosen.map((c, i) => c - pi.rejected[i]);
  const refLogratios = ref.chosen.map((c, i) => c - ref.rejected[i]);
  const logits = piLogratios.map((x, i) => x - refLogratios[i]);
  const losses = logits.map((x) => -logSigmoid(beta * x));
  const chosenRewards = pi.chosen.map((x, i) => beta * (x - ref.chosen[i]));
  const rejectedRewards = pi.rejected.map((x, i) => beta * (x - ref.rejected[i]));
  const output: DpoOutput = { loss: mean(losses), chosenRewards, rejectedRewards };
  return { steps: { piLogratios, refLogratios, logits, 'β·logits': logits.map((x) => beta * x), losses }, output };
}

/** A batch of n pairs of sequence log-probabilities (negative, around −20), the reference near the policy. */
function batch(rng: Rng, n: number, spread: number): [Pair, Pair] {
  const logp = () => randomVector(rng, n, 4).map((x) => tidy(-20 + x, 3));
  const near = (xs: number[]) => xs.map((x) => tidy(x + rng.normal(0, spread), 3));
  const pi = { chosen: logp(), rejected: logp() };
  return [pi, { chosen: near(pi.chosen), rejected: near(pi.rejected) }];
}

function cases(rng: Rng): { name: string; args: Args; expected?: DpoOutput }[] {
  const [a, aRef] = batch(rng, 4, 1);
  const [b, bRef] = batch(rng, 6, 3);
  const [c, cRef] = batch(rng, 3, 2);
  const same = batch(rng, 3, 1)[0];
  return [
    // PyTorch 1.13, float64, as trainers.py's preference_loss: logits = (pi_c - pi_r) - (ref_c - ref_r),
    // losses = -F.logsigmoid(beta * logits), loss = losses.mean(), rewards = beta * (pi - ref).
    { name: 'the lesson example: 2 pairs, β = 0.1', args: [lessonPi, lessonRef, lessonBeta], expected: { loss: 0.6712677647275813, chosenRewards: [0.1, -0.05], rejectedRewards: [-0.1, 0.05] } },
    { name: 'random: 4 pairs, β = 0.1, the reference near the policy', args: [a, aRef, 0.1] },
    { name: 'random: 6 pairs, β = 0.5', args: [b, bRef, 0.5] },
    { name: 'random: 3 pairs, β = 0.05', args: [c, cRef, 0.05] },
    { name: 'the policy equals the reference: loss log 2, rewards 0', args: [same, same, 0.1] },
    // PyTorch as for the lesson example: the logits are −10000 and +10000, β·logits −1000 and +1000, losses 1000 and 0.
    {
      name: 'β·logits of −1000 and +1000: loss (1000 + 0)/2 = 500, not Infinity',
      args: [{ chosen: [-10010, -10], rejected: [-10, -10010] }, { chosen: [-10, -10], rejected: [-10, -10] }, 0.1],
      expected: { loss: 500, chosenRewards: [-1000, 0], rejectedRewards: [0, -1000] },
    },
  ];
}

const isOutput = (x: unknown): x is DpoOutput =>
  typeof x === 'object' && x !== null && typeof (x as DpoOutput).loss === 'number' && isVector((x as DpoOutput).chosenRewards) && isVector((x as DpoOutput).rejectedRewards);
const wrongShape = (outputs: unknown[]) => {
  const odd = outputs.find((o) => !isOutput(o));
  return odd === undefined ? undefined : `dpoLoss must return { loss, chosenRewards, rejectedRewards }, a number and two lists of numbers; it returned ${JSON.stringify(odd)?.slice(0, 80)}.`;
};

/** The right output with the loss replaced. */
const withLoss = (pi: Pair, ref: Pair, beta: number, loss: number): DpoOutput => ({ ...dpoSteps(pi, ref, beta).output, loss });

export default defineExercise<Args, DpoOutput>({
  entry: 'dpoLoss',
  signature: 'dpoLoss(pi: { chosen: Vector; rejected: Vector }, ref: { chosen: Vector; rejected: Vector }, beta: number): { loss: number; chosenRewards: Vector; rejectedRewards: Vector }',
  inputsReadOnly: true,
  cases,
  reference: (_ctx, pi, ref, beta) => dpoSteps(pi, ref, beta).output,
  trace: (_ctx, pi, ref, beta) => dpoSteps(pi, ref, beta).steps,
  properties: [
    {
      name: 'a policy equal to its reference gives loss log 2 and zero rewards',
      cases: (rng) => {
        const [pi] = batch(rng, 4, 1);
        return [{ name: '4 random pairs, ref = pi, β = 0.1', calls: [[pi, { chosen: [...pi.chosen], rejected: [...pi.rejected] }, 0.1]] as Args[] }];
      },
      holds: (outputs) => {
        const odd = wrongShape(outputs);
        if (odd) return odd;
        const { loss, chosenRewards, rejectedRewards } = outputs[0] as DpoOutput;
        if (!close(Math.LN2, loss))
          return `With π = ref every logit (π_c − π_r) − (ref_c − ref_r) is 0 and σ(0) = 1/2, so the loss must be −log(1/2) = log 2 = 0.693147; yours is ${show(loss)}. Subtract the reference's log-ratio, and multiply the logit by β inside the log-sigmoid, not the loss.`;
        const nonzero = [...chosenRewards, ...rejectedRewards].some((x) => !close(0, x));
        if (nonzero) return `With π = ref the implicit rewards β(π − ref) must all be 0; yours are ${showList(chosenRewards)} and ${showList(rejectedRewards)}. Each reward compares a response's log-probability under the policy with the reference's.`;
        return undefined;
      },
    },
    {
      name: 'adding the same number to a response\'s log-probability under π and under ref changes nothing',
      cases: (rng) => {
        const [pi, ref] = batch(rng, 4, 1);
        const shifts = [5, -7, 3, -2];
        const plus = (xs: number[]) => xs.map((x, i) => x + shifts[i]);
        return [{ name: '4 random pairs, β = 0.1: each chosen response +5, −7, +3, −2 under both', calls: [[pi, ref, 0.1], [{ chosen: plus(pi.chosen), rejected: pi.rejected }, { chosen: plus(ref.chosen), rejected: ref.rejected }, 0.1]] as Args[] }];
      },
      holds: (outputs) => {
        const odd = wrongShape(outputs);
        if (odd) return odd;
        const [before, after] = outputs as DpoOutput[];
        if (close(before.loss, after.loss)) return undefined;
        return `The loss depends on the policy only through π − ref for each response; adding the same number to a chosen response's log-probability under both models moved your loss from ${show(before.loss)} to ${show(after.loss)}. Subtract the reference's log-ratio (ref_c − ref_r) from the policy's.`;
      },
    },
  ],
  misconceptions: [
    {
      id: 'reference-dropped',
      title: 'the reference model\'s log-ratio left out',
      message:
        'Your loss uses the policy\'s log-ratio π_c − π_r alone (trainers.py\'s reference_free=True): 0.676247 in the lesson instead of 0.671268. DPO\'s logit is (π_c − π_r) − (ref_c − ref_r): ' +
        'the implicit reward is β·log(π/ref), so the policy is rewarded for moving away from the reference, not for its absolute preferences.',
      hint: 'In the lesson\'s first pair, what is ref_c − ref_r, and where does it enter the logit?',
      wrong: (_ctx, pi, ref, beta) => withLoss(pi, ref, beta, mean(pi.chosen.map((c, i) => -logSigmoid(beta * (c - pi.rejected[i]))))),
    },
    {
      id: 'beta-outside',
      title: 'β multiplying the loss instead of the logit',
      message:
        'You compute −β·mean log σ(logits): 0.072009 in the lesson instead of 0.671268. β scales the implicit reward inside the sigmoid, −log σ(β·logits); outside it would only rescale the gradient, and the loss at π = ref would be 0.1·log 2 instead of log 2.',
      hint: 'Where is β in the lesson\'s formula: inside σ(·) or in front of the log?',
      wrong: (_ctx, pi, ref, beta) => withLoss(pi, ref, beta, beta * mean(dpoSteps(pi, ref, beta).steps.logits.map((x) => -logSigmoid(x)))),
    },
    {
      id: 'rewards-without-beta',
      title: 'the rewards returned without β',
      message:
        'Your rewards are π − ref: chosen [1, −0.5] and rejected [−1, 0.5] in the lesson instead of [0.1, −0.05] and [−0.1, 0.05]. The implicit reward of a response is β·(log π − log ref), the quantity the loss compares; trainers.py logs β·(π − ref).',
      hint: 'Is β in the rewards you return? Compare your chosenRewards with the lesson\'s [0.1, −0.05].',
      wrong: (_ctx, pi, ref, beta) => ({
        loss: dpoSteps(pi, ref, beta).output.loss,
        chosenRewards: pi.chosen.map((x, i) => x - ref.chosen[i]),
        rejectedRewards: pi.rejected.map((x, i) => x - ref.rejected[i]),
      }),
    },
    {
      id: 'naive-log-sigmoid',
      title: 'log σ computed naively, as log(1 / (1 + e^(−x)))',
      message:
        'At β·logits = −1000, e^1000 overflows to Infinity, σ becomes 0 and −log 0 = Infinity: your loss is Infinity instead of 500 on that case (the lesson\'s small logits hide it). ' +
        'Compute −log σ(x) as softplus(−x) = max(−x, 0) + log1p(exp(−|x|)).',
      hint: 'Try a pair whose β·logit is −1000: what is exp(1000) in JavaScript?',
      wrong: (_ctx, pi, ref, beta) => {
        const scaled = dpoSteps(pi, ref, beta).steps['β·logits'];
        return anyOf(withLoss(pi, ref, beta, -mean(scaled.map(naiveLogSigmoid))), withLoss(pi, ref, beta, -mean(scaled.map(naiveLogSigmoidRatio))));
      },
    },
  ],
  hints: [
    'Work the lesson by hand, one pair at a time: the policy\'s log-ratio π_c − π_r, the reference\'s ref_c − ref_r, their difference (the logit), then −log σ(β·logit).',
    'The loss is the mean over the pairs of softplus(−β·logit), with softplus(x) = max(x, 0) + log1p(exp(−|x|)); the rewards are β·(π_c − ref_c) and β·(π_r − ref_r), one per pair.',
    'The key idea: DPO is the reward model\'s Bradley–Terry loss with the reward β·log(π/ref): the margin between the two responses is β[(π_c − ref_c) − (π_r − ref_r)].',
  ],
});
