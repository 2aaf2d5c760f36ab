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
      title: { en: 'the reference model\'s log-ratio left out', 'zh-CN': '漏掉了参考模型的对数比值' },
      message: {
        en:
          'Your loss uses the policy\'s log-ratio π_c − π_r alone (trainers.py\'s reference_free=True): 0.676247 in the lesson instead of 0.671268. DPO\'s logit is (π_c − π_r) − (ref_c − ref_r): ' +
          'the implicit reward is β·log(π/ref), so the policy is rewarded for moving away from the reference, not for its absolute preferences.',
        'zh-CN':
          '你的损失只用了策略的对数比值 π_c − π_r（即 trainers.py 的 reference_free=True）：课程示例中为 0.676247，而不是 0.671268。DPO 的 logit 是 (π_c − π_r) − (ref_c − ref_r)：' +
          '隐式奖励是 β·log(π/ref)，所以策略因偏离参考模型而获得奖励，而不是因为它的绝对偏好。',
      },
      hint: {
        en: 'In the lesson\'s first pair, what is ref_c − ref_r, and where does it enter the logit?',
        'zh-CN': '在课程示例的第一对中，ref_c − ref_r 是多少？它在 logit 中的哪里出现？',
      },
      wrong: (_ctx, pi, ref, beta) => withLoss(pi, ref, beta, mean(pi.chosen.map((c, i) => -logSigmoid(beta * (c - pi.rejected[i]))))),
    },
    {
      id: 'beta-outside',
      title: { en: 'β multiplying the loss instead of the logit', 'zh-CN': 'β 乘在损失上而不是 logit 上' },
      message: {
        en: 'You compute −β·mean log σ(logits): 0.072009 in the lesson instead of 0.671268. β scales the implicit reward inside the sigmoid, −log σ(β·logits); outside it would only rescale the gradient, and the loss at π = ref would be 0.1·log 2 instead of log 2.',
        'zh-CN': '你计算的是 −β·mean log σ(logits)：课程示例中为 0.072009，而不是 0.671268。β 在 sigmoid 内部缩放隐式奖励：−log σ(β·logits)；放在外面只会缩放梯度，而且在 π = ref 时损失会是 0.1·log 2 而不是 log 2。',
      },
      hint: {
        en: 'Where is β in the lesson\'s formula: inside σ(·) or in front of the log?',
        'zh-CN': '在课程的公式里，β 在哪里：在 σ(·) 里面，还是在 log 前面？',
      },
      wrong: (_ctx, pi, ref, beta) => withLoss(pi, ref, beta, beta * mean(dpoSteps(pi, ref, beta).steps.logits.map((x) => -logSigmoid(x)))),
    },
    {
      id: 'rewards-without-beta',
      title: { en: 'the rewards returned without β', 'zh-CN': '返回的奖励没有乘 β' },
      message: {
        en: 'Your rewards are π − ref: chosen [1, −0.5] and rejected [−1, 0.5] in the lesson instead of [0.1, −0.05] and [−0.1, 0.05]. The implicit reward of a response is β·(log π − log ref), the quantity the loss compares; trainers.py logs β·(π − ref).',
        'zh-CN': '你的奖励是 π − ref：课程示例中被选回答为 [1, −0.5]、被拒回答为 [−1, 0.5]，而不是 [0.1, −0.05] 和 [−0.1, 0.05]。一个回答的隐式奖励是 β·(log π − log ref)，也就是损失所比较的那个量；trainers.py 记录的是 β·(π − ref)。',
      },
      hint: {
        en: 'Is β in the rewards you return? Compare your chosenRewards with the lesson\'s [0.1, −0.05].',
        'zh-CN': '你返回的奖励里有 β 吗？把你的 chosenRewards 与课程中的 [0.1, −0.05] 比较一下。',
      },
      wrong: (_ctx, pi, ref, beta) => ({
        loss: dpoSteps(pi, ref, beta).output.loss,
        chosenRewards: pi.chosen.map((x, i) => x - ref.chosen[i]),
        rejectedRewards: pi.rejected.map((x, i) => x - ref.rejected[i]),
      }),
    },
    {
      id: 'naive-log-sigmoid',
      title: { en: 'log σ computed naively, as log(1 / (1 + e^(−x)))', 'zh-CN': '朴素地计算 log σ，即 log(1 / (1 + e^(−x)))' },
      message: {
        en:
          'At β·logits = −1000, e^1000 overflows to Infinity, σ becomes 0 and −log 0 = Infinity: your loss is Infinity instead of 500 on that case (the lesson\'s small logits hide it). ' +
          'Compute −log σ(x) as softplus(−x) = max(−x, 0) + log1p(exp(−|x|)).',
        'zh-CN':
          '当 β·logits = −1000 时，e^1000 上溢为 Infinity，σ 变成 0，而 −log 0 = Infinity：在那个用例上你的损失是 Infinity 而不是 500（课程示例中的 logit 很小，掩盖了这个问题）。' +
          '把 −log σ(x) 算成 softplus(−x) = max(−x, 0) + log1p(exp(−|x|))。',
      },
      hint: {
        en: 'Try a pair whose β·logit is −1000: what is exp(1000) in JavaScript?',
        'zh-CN': '试一个 β·logit 为 −1000 的偏好对：在 JavaScript 中 exp(1000) 是多少？',
      },
      wrong: (_ctx, pi, ref, beta) => {
        const scaled = dpoSteps(pi, ref, beta).steps['β·logits'];
        return anyOf(withLoss(pi, ref, beta, -mean(scaled.map(naiveLogSigmoid))), withLoss(pi, ref, beta, -mean(scaled.map(naiveLogSigmoidRatio))));
      },
    },
  ],
  hints: [
    {
      en: 'Work the lesson by hand, one pair at a time: the policy\'s log-ratio π_c − π_r, the reference\'s ref_c − ref_r, their difference (the logit), then −log σ(β·logit).',
      'zh-CN': '逐对手算课程示例：策略的对数比值 π_c − π_r，参考模型的 ref_c − ref_r，两者之差（即 logit），然后是 −log σ(β·logit)。',
    },
    {
      en: 'The loss is the mean over the pairs of softplus(−β·logit), with softplus(x) = max(x, 0) + log1p(exp(−|x|)); the rewards are β·(π_c − ref_c) and β·(π_r − ref_r), one per pair.',
      'zh-CN': '损失是 softplus(−β·logit) 对各偏好对的平均，其中 softplus(x) = max(x, 0) + log1p(exp(−|x|))；奖励为 β·(π_c − ref_c) 和 β·(π_r − ref_r)，每对一个。',
    },
    {
      en: 'The key idea: DPO is the reward model\'s Bradley–Terry loss with the reward β·log(π/ref): the margin between the two responses is β[(π_c − ref_c) − (π_r − ref_r)].',
      'zh-CN': '关键：DPO 就是以 β·log(π/ref) 为奖励的奖励模型 Bradley–Terry 损失：两个回答之间的差为 β[(π_c − ref_c) − (π_r − ref_r)]。',
    },
  ],
});
