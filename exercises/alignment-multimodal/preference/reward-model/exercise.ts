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
      title: { en: 'log σ computed naively, as log(1 / (1 + e^(−m)))', 'zh-CN': '直接按定义计算 log σ，即 log(1 / (1 + e^(−m)))' },
      message: {
        en:
          'At a margin of −1000, e^1000 overflows to Infinity, σ becomes 0 and −log 0 = Infinity: your loss is Infinity instead of 1000 (the lesson\'s small margins hide it). ' +
          'Compute −log σ(m) as softplus(−m) = max(−m, 0) + log1p(exp(−|m|)), which never exponentiates a positive number.',
        'zh-CN':
          '间隔为 −1000 时，e^1000 上溢为 Infinity，σ 变成 0，−log 0 = Infinity：你的损失是 Infinity 而不是 1000（课程例子里的间隔都很小，掩盖了这个问题）。' +
          '把 −log σ(m) 按 softplus(−m) = max(−m, 0) + log1p(exp(−|m|)) 计算，它永远不会对正数取指数。',
      },
      hint: {
        en: 'Try a single pair with chosen −500 and rejected 500 by hand: what is exp(1000) in JavaScript?',
        'zh-CN': '手算一个偏好对：chosen 为 −500，rejected 为 500。在 JavaScript 里 exp(1000) 是多少？',
      },
      wrong: (_ctx, chosen, rejected) => {
        const margins = chosen.map((c, i) => c - rejected[i]);
        return anyOf(-mean(margins.map(naiveLogSigmoid)), -mean(margins.map(naiveLogSigmoidRatio)));
      },
    },
    {
      id: 'chosen-rejected-swapped',
      title: { en: 'chosen and rejected swapped: −log σ(r_r − r_c)', 'zh-CN': '被选与被拒弄反：−log σ(r_r − r_c)' },
      message: {
        en:
          'You take the margin the wrong way round, r_r − r_c: 1.138089 in the lesson instead of 0.638089. Minimising that loss would teach the reward model to prefer the rejected responses. ' +
          'The probability that the chosen response wins is σ(r_c − r_r).',
        'zh-CN':
          '你把间隔的方向取反了，算成 r_r − r_c：课程例子里得到 1.138089 而不是 0.638089。最小化这个损失会教奖励模型偏好被拒的回答。' +
          '被选回答胜出的概率是 σ(r_c − r_r)。',
      },
      hint: {
        en: 'In the lesson\'s first pair the chosen response scores 2 more than the rejected: should that pair\'s loss be small (0.126928) or large (2.126928)?',
        'zh-CN': '课程例子的第一对里，被选回答比被拒回答高 2 分：这一对的损失应该小（0.126928）还是大（2.126928）？',
      },
      wrong: (_ctx, chosen, rejected) => bradleyTerrySteps(rejected, chosen).output,
    },
    {
      id: 'sum-not-mean',
      title: { en: 'summed over the pairs instead of averaged', 'zh-CN': '对所有偏好对求和而不是取平均' },
      message: {
        en:
          'You add the pairs\' losses: 1.914267 in the lesson instead of 0.638089 (= 1.914267 / 3). A loss over a batch is its mean over the examples, as PyTorch\'s default reduction is, so that its scale does not depend on the batch size.',
        'zh-CN':
          '你把各对的损失加了起来：课程例子里得到 1.914267 而不是 0.638089（= 1.914267 / 3）。一个批次的损失是对样本取平均，与 PyTorch 默认的 reduction 一致，这样它的量级才不随批大小变化。',
      },
      hint: { en: 'The lesson has 3 pairs. What do you divide their total by?', 'zh-CN': '课程例子有 3 个偏好对。它们的总和要除以什么？' },
      wrong: (_ctx, chosen, rejected) => bradleyTerrySteps(chosen, rejected).output * chosen.length,
    },
  ],
  hints: [
    {
      en: 'Work the lesson by hand: for each pair the margin m = chosen − rejected, then −log σ(m), then the mean over the pairs.',
      'zh-CN': '先手算课程里的例子：对每一对求间隔 m = chosen − rejected，再求 −log σ(m)，最后对所有偏好对取平均。',
    },
    {
      en: '−log σ(m) = log(1 + e^(−m)) = softplus(−m). Written as max(−m, 0) + log1p(exp(−|m|)) it is finite for every margin.',
      'zh-CN': '−log σ(m) = log(1 + e^(−m)) = softplus(−m)。写成 max(−m, 0) + log1p(exp(−|m|)) 后，对任何间隔都是有限值。',
    },
    {
      en: 'The key idea: loss = mean over pairs of softplus(rejected − chosen), a mean (not a sum), with softplus computed stably so that a margin of −1000 gives 1000.',
      'zh-CN': '关键：loss = 各偏好对 softplus(rejected − chosen) 的平均（是平均，不是求和），softplus 要数值稳定地计算，使间隔为 −1000 时得到 1000。',
    },
  ],
});
