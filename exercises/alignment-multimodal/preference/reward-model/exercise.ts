import { anyOf, defineExercise, randomVector, type Rng } from 'llm-tutor/pack';
import { close, show } from '../../../transformer-core/properties.js';
import { mean, naiveLogSigmoid, naiveLogSigmoidRatio, softplus } from '../../stable-math.js';

type Args = [chosen: number[], rejected: number[]];

/** The lesson's batch: 3 pairs, margins 2, −1 and 0.5. */
export const lessonChosen = [1.5, 0.2, -0.5];
export const lessonRejected = [-0.5, 1.2, -1];

/** The margins r_c − r_r, σ of each (the Bradley–Terry probability that the chosen wins), each pair's loss −log σ = softplus(−m), and their mean (the output). */
export function bradleyTerrySteps(chosen: number[], rejected: number[]) {
  const margins = chosen.map((c, i) => c - rejected[i]);
  const pChosenWins = margins.map((m) => Math.exp(-softplus(-m)));
  const losses = margins.map((m) => softplus(-m));
  return { steps: { margins, pChosenWins, losses }, output: mean(losses) };
}

const pairs = (rng: Rng, n: number, std: number): Args => [randomVector(rng, n, std), randomVector(rng, n, std)];

function cases(rng: Rng): { name: string; args: Args; expected?: number }[] {
  return [
    // PyTorch 1.13, float64: -F.logsigmoid(chosen - rejected).mean(), as InstructGPT's loss and TRL's RewardTrainer compute it.
    { name: 'the lesson example: 3 pairs, margins 2, −1 and 0.5', args: [lessonChosen, lessonRejected], expected: 0.6380888942471007 },
    { name: 'random: 8 pairs, rewards of spread 1', args: pairs(rng, 8, 1) },
    { name: 'random: 5 pairs, rewards of spread 4', args: pairs(rng, 5, 4) },
    { name: 'random: 1 pair', args: pairs(rng, 1, 2) },
    { name: 'equal rewards: every pair a coin toss, loss log 2', args: [[0.3, -1.2, 2], [0.3, -1.2, 2]] },
    // PyTorch as above: -F.logsigmoid(torch.tensor([-1000.])) is 1000.
    { name: 'a margin of −1000 (the rejected response scored far higher): loss 1000, not Infinity', args: [[-500], [500]], expected: 1000 },
    // PyTorch as above: -F.logsigmoid(torch.tensor([1000.])) is 0.
    { name: 'a margin of +1000 (a confident, right reward model): loss 0', args: [[500], [-500]], expected: 0 },
  ];
}

const notNumber = (outputs: unknown[]) => {
  const odd = outputs.find((o) => typeof o !== 'number');
  return odd === undefined ? undefined : `bradleyTerryLoss must return a number; it returned ${JSON.stringify(odd)?.slice(0, 80)}.`;
};

export default defineExercise<Args, number>({
  entry: 'bradleyTerryLoss',
  signature: 'bradleyTerryLoss(chosen: Vector, rejected: Vector): number',
  inputsReadOnly: true,
  cases,
  reference: (_ctx, chosen, rejected) => bradleyTerrySteps(chosen, rejected).output,
  trace: (_ctx, chosen, rejected) => bradleyTerrySteps(chosen, rejected).steps,
  properties: [
    {
      name: 'adding the same number to every reward changes nothing',
      cases: (rng) => {
        const [chosen, rejected] = pairs(rng, 6, 2);
        const plus = (xs: number[], by: number) => xs.map((x) => x + by);
        return [{ name: '6 pairs: every reward +100', calls: [[chosen, rejected], [plus(chosen, 100), plus(rejected, 100)]] as Args[] }];
      },
      holds: (outputs) => {
        const odd = notNumber(outputs);
        if (odd) return odd;
        const [before, after] = outputs as number[];
        if (close(before, after)) return undefined;
        return `Your loss is ${show(before)} for the rewards and ${show(after)} with 100 added to every reward. The Bradley–Terry probability depends only on the margin r_c − r_r; compute the loss from the differences chosen[i] − rejected[i] alone.`;
      },
    },
    {
      name: 'swapping chosen and rejected raises the loss by the mean margin',
      cases: (rng) => {
        const [chosen, rejected] = pairs(rng, 5, 2);
        return [{ name: '5 random pairs, then the same pairs swapped', calls: [[chosen, rejected], [rejected, chosen]] as Args[] }];
      },
      holds: (outputs, calls) => {
        const odd = notNumber(outputs);
        if (odd) return odd;
        const [straight, swapped] = outputs as number[];
        const [chosen, rejected] = calls[0] as Args;
        const meanMargin = mean(chosen.map((c, i) => c - rejected[i]));
        if (close(meanMargin, swapped - straight)) return undefined;
        return `Since softplus(m) − softplus(−m) = m, loss(rejected, chosen) − loss(chosen, rejected) must be the mean margin mean(r_c − r_r) = ${show(meanMargin)}; yours is ${show(swapped)} − ${show(straight)} = ${show(swapped - straight)}. ` +
          'Check that the loss is −log σ(chosen − rejected) (chosen first) and that you take the mean over the pairs, not the sum.';
      },
    },
  ],
  misconceptions: [
    {
      id: 'naive-log-sigmoid',
      title: 'log σ computed naively, as log(1 / (1 + e^(−m)))',
      message:
        'At a margin of −1000, e^1000 overflows to Infinity, σ becomes 0 and −log 0 = Infinity: your loss is Infinity instead of 1000 (the lesson\'s small margins hide it). ' +
        'Compute −log σ(m) as softplus(−m) = max(−m, 0) + log1p(exp(−|m|)), which never exponentiates a positive number.',
      hint: 'Try a single pair with chosen −500 and rejected 500 by hand: what is exp(1000) in JavaScript?',
      wrong: (_ctx, chosen, rejected) => {
        const margins = chosen.map((c, i) => c - rejected[i]);
        return anyOf(-mean(margins.map(naiveLogSigmoid)), -mean(margins.map(naiveLogSigmoidRatio)));
      },
    },
    {
      id: 'chosen-rejected-swapped',
      title: 'chosen and rejected swapped: −log σ(r_r − r_c)',
      message:
        'You take the margin the wrong way round, r_r − r_c: 1.138089 in the lesson instead of 0.638089. Minimising that loss would teach the reward model to prefer the rejected responses. ' +
        'The probability that the chosen response wins is σ(r_c − r_r).',
      hint: 'In the lesson\'s first pair the chosen response scores 2 more than the rejected: should that pair\'s loss be small (0.126928) or large (2.126928)?',
      wrong: (_ctx, chosen, rejected) => bradleyTerrySteps(rejected, chosen).output,
    },
    {
      id: 'sum-not-mean',
      title: 'summed over the pairs instead of averaged',
      message:
        'You add the pairs\' losses: 1.914267 in the lesson instead of 0.638089 (= 1.914267 / 3). A loss over a batch is its mean over the examples, as PyTorch\'s default reduction is, so that its scale does not depend on the batch size.',
      hint: 'The lesson has 3 pairs. What do you divide their total by?',
      wrong: (_ctx, chosen, rejected) => bradleyTerrySteps(chosen, rejected).output * chosen.length,
    },
  ],
  hints: [
    'Work the lesson by hand: for each pair the margin m = chosen − rejected, then −log σ(m), then the mean over the pairs.',
    '−log σ(m) = log(1 + e^(−m)) = softplus(−m). Written as max(−m, 0) + log1p(exp(−|m|)) it is finite for every margin.',
    'The key idea: loss = mean over pairs of softplus(rejected − chosen), a mean (not a sum), with softplus computed stably so that a margin of −1000 gives 1000.',
  ],
});
