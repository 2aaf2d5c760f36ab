import { anyOf, defineExercise, randomInts, randomVector, type Rng } from 'llm-tutor/pack';
import { close, isVector, show, showList } from '../../../transformer-core/properties.js';

type Args = [rewards: number[], groupSize: number];

/** The lesson's batch: 2 prompts × 4 completions, correctness rewards; the first prompt solved once, the second every time. */
export const lessonRewards = [1, 0, 0, 0, 1, 1, 1, 1];

const EPS = 1e-4;
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The standard deviation with n − 1 (torch.std); 0 for one value, where n − 1 = 0. */
function sampleStd(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((acc, x) => acc + (x - m) ** 2, 0) / (xs.length - 1));
}

/** Consecutive blocks of `size` (TRL's rewards.view(−1, G)). */
const blocks = (xs: readonly number[], size: number) => Array.from({ length: xs.length / size }, (_, g) => xs.slice(g * size, (g + 1) * size));

/** The reference: each group's mean and std (n − 1), then (r − mean)/(std + 1e-4) in the rewards' order. */
export function grpoSteps(rewards: readonly number[], groupSize: number) {
  const groups = blocks(rewards, groupSize);
  const means = groups.map(mean);
  const stds = groups.map(sampleStd);
  const advantages = rewards.map((r, i) => {
    const g = Math.floor(i / groupSize);
    return (r - means[g]) / (stds[g] + EPS);
  });
  return { steps: { 'group means': means, 'group stds': stds }, output: advantages };
}

/** (r − mean)/divide(values) within each group of `members` (lists of indices into rewards). */
function normaliseWithin(rewards: readonly number[], members: number[][], divide: (values: number[]) => number): number[] {
  const out = new Array<number>(rewards.length).fill(0);
  for (const idx of members) {
    const values = idx.map((i) => rewards[i]);
    const m = mean(values);
    const d = divide(values);
    for (const i of idx) out[i] = (rewards[i] - m) / d;
  }
  return out;
}

const consecutive = (n: number, size: number) => blocks(Array.from({ length: n }, (_, i) => i), size);
const variance = (xs: number[]) => (xs.length < 2 ? 0 : xs.reduce((acc, x) => acc + (x - mean(xs)) ** 2, 0) / (xs.length - 1));

function cases(rng: Rng): { name: string; args: Args; expected?: number[] }[] {
  return [
    // PyTorch 1.13, float64, TRL's GRPOTrainer: g = rewards.view(-1, 4); mean and std (n − 1) over dim 1,
    // repeat_interleave(4); (rewards − mean) / (std + 1e-4).
    { name: 'the lesson example: 2 prompts × 4 completions, rewards 0/1', args: [lessonRewards, 4], expected: [1.4997000599880024, -0.4999000199960008, -0.4999000199960008, -0.4999000199960008, 0, 0, 0, 0] },
    { name: 'random: 3 prompts × 4 completions, rewards 0/1', args: [randomInts(rng, 12, 0, 1), 4] },
    { name: 'random: 2 prompts × 6 completions, reward-model scores', args: [randomVector(rng, 12, 1.5), 6] },
    { name: 'random: 4 prompts × 3 completions, reward-model scores', args: [randomVector(rng, 12, 1), 3] },
    { name: 'random: 1 prompt × 5 completions: the whole batch is one group', args: [randomVector(rng, 5, 1), 5] },
    // PyTorch 1.13, float64, the same code with G = 3: [0, 0, 0, −0.8318195890931968, 1.1090927854575958, −0.27727319636439884].
    { name: 'a group whose rewards are all equal (0.5): its advantages are 0, not NaN', args: [[0.5, 0.5, 0.5, 0.2, 0.9, 0.4], 3], expected: [0, 0, 0, -0.8318195890931968, 1.1090927854575958, -0.27727319636439884] },
    // PyTorch 1.13, float64: std ≈ 0.0042, so the 1e-4 added to it matters: [0.5809665949083546, −0.58096659490838, 1.0457398708350487, −1.0457398708350745].
    { name: 'rewards close together (std ≈ 0.004): where the 1e-4 goes matters', args: [[0.51, 0.505, 0.512, 0.503], 4], expected: [0.5809665949083546, -0.5809665949083804, 1.0457398708350487, -1.0457398708350745] },
    { name: 'groups of one: std taken as 0, advantages 0', args: [[0.3, 1, -2], 1] },
  ];
}

const groupsOf = (out: number[], size: number) => blocks(out, size);

export default defineExercise<Args, number[]>({
  entry: 'grpoAdvantages',
  signature: 'grpoAdvantages(rewards: Vector, groupSize: number): Vector',
  inputsReadOnly: true,
  cases,
  reference: (_ctx, rewards, groupSize) => grpoSteps(rewards, groupSize).output,
  trace: (_ctx, rewards, groupSize) => grpoSteps(rewards, groupSize).steps,
  properties: [
    {
      name: 'each group\'s advantages sum to 0',
      cases: (rng) => [{ name: '3 prompts × 4 completions, reward-model scores', calls: [[randomVector(rng, 12, 1), 4]] as Args[] }],
      holds: ([out], [[rewards, groupSize]]) => {
        if (!isVector(out) || out.length !== rewards.length) return `grpoAdvantages must return one number per reward (${rewards.length}); it returned ${JSON.stringify(out)?.slice(0, 80)}.`;
        const sums = groupsOf(out, groupSize).map((g) => g.reduce((a, b) => a + b, 0));
        const g = sums.findIndex((s) => !close(0, s));
        if (g < 0) return undefined;
        return `Your advantages of group ${g} (rewards ${g * groupSize} to ${(g + 1) * groupSize - 1}) sum to ${show(sums[g])}, not 0. Each group subtracts its OWN mean, so within a group the advantages cancel; the groups are consecutive blocks of groupSize rewards.`;
      },
    },
    {
      name: 'adding the same number to every reward of one group leaves the advantages unchanged',
      cases: (rng) => {
        const rewards = randomVector(rng, 9, 1);
        const shifted = rewards.map((r, i) => (i >= 3 && i < 6 ? r + 5 : r));
        return [{ name: '3 prompts × 3 completions, the second group +5', calls: [[rewards, 3], [shifted, 3]] as Args[] }];
      },
      holds: ([before, after]) => {
        if (!isVector(before) || !isVector(after) || before.length !== 9 || after.length !== 9) return `grpoAdvantages must return one number per reward (9); it returned ${JSON.stringify(isVector(before) ? after : before)?.slice(0, 80)}.`;
        const i = before.findIndex((b, k) => !close(b, after[k]));
        if (i < 0) return undefined;
        return `Adding 5 to the rewards of the second group (3 to 5) changed your advantages from ${showList(before)} to ${showList(after)} (first at reward ${i}). A group's advantages depend only on its own rewards' differences from their mean: normalise within each group, not over the batch.`;
      },
    },
  ],
  misconceptions: [
    {
      id: 'population-std',
      title: { en: 'the population std (divided by n) instead of torch.std\'s n − 1', 'zh-CN': '用了总体标准差（除以 n），而不是 torch.std 的 n − 1' },
      message: {
        en:
          'Your std divides the squared deviations by n: the lesson\'s first group gets [1.731651, −0.577217, …] instead of [1.4997, −0.4999, …] (std 0.433013 instead of 0.5). TRL uses torch.std, which divides by n − 1 (Bessel\'s correction).',
        'zh-CN':
          '你的 std 把偏差平方和除以 n：课程例子的第一组得到 [1.731651, −0.577217, …]，而不是 [1.4997, −0.4999, …]（std 为 0.433013 而不是 0.5）。TRL 用的是 torch.std，它除以 n − 1（Bessel 校正）。',
      },
      hint: {
        en: 'For the rewards [1, 0, 0, 0] the squared deviations sum to 0.75. Is the variance 0.75/4 or 0.75/3?',
        'zh-CN': '对奖励 [1, 0, 0, 0]，偏差平方和为 0.75。方差是 0.75/4 还是 0.75/3？',
      },
      wrong: (_ctx, rewards, groupSize) =>
        normaliseWithin(rewards, consecutive(rewards.length, groupSize), (v) => Math.sqrt(v.reduce((acc, x) => acc + (x - mean(v)) ** 2, 0) / v.length) + EPS),
    },
    {
      id: 'whole-batch',
      title: { en: 'the whole batch normalised as one group', 'zh-CN': '把整个批次当成一组做归一化' },
      message: {
        en:
          'You take the mean and std over every reward of the batch: the lesson gives 0.724429 for a 1 and −1.207381 for a 0, instead of [1.4997, −0.4999, −0.4999, −0.4999] for the first prompt and 0 for the second. GRPO compares each completion with the other completions OF THE SAME PROMPT: split the rewards into consecutive groups of groupSize first.',
        'zh-CN':
          '你在整个批次的所有奖励上算均值和 std：课程例子中 1 得到 0.724429，0 得到 −1.207381，而不是第一个提示的 [1.4997, −0.4999, −0.4999, −0.4999] 和第二个提示的 0。GRPO 让每个补全与「同一提示」下的其他补全比较：先把奖励切成连续的、每段 groupSize 个的组。',
      },
      hint: {
        en: 'The second prompt of the lesson was solved by all four completions. Should any of them get a positive advantage?',
        'zh-CN': '课程例子的第二个提示被四个补全全部解对了。其中有哪个应该得到正优势吗？',
      },
      wrong: (_ctx, rewards) => normaliseWithin(rewards, [rewards.map((_, i) => i)], (v) => Math.sqrt(variance(v)) + EPS),
    },
    {
      id: 'groups-interleaved',
      title: {
        en: 'groups interleaved: rewards.view(G, −1) transposed instead of view(−1, G)',
        'zh-CN': '组交错：用了转置后的 rewards.view(G, −1)，而不是 view(−1, G)',
      },
      message: {
        en:
          'Your groups take every (N/G)-th reward, as rewards.view(G, −1).T does: the lesson\'s groups become [1, 0, 1, 1] and [0, 0, 1, 1], giving [0.4999, −0.865875, −1.4997, …] instead of [1.4997, −0.4999, −0.4999, −0.4999, 0, 0, 0, 0]. The G completions of a prompt are consecutive: group g is rewards[g·G … g·G + G − 1], rewards.view(−1, G).',
        'zh-CN':
          '你的分组每隔 N/G 个奖励取一个，就像 rewards.view(G, −1).T 那样：课程例子的组变成 [1, 0, 1, 1] 和 [0, 0, 1, 1]，得到 [0.4999, −0.865875, −1.4997, …]，而不是 [1.4997, −0.4999, −0.4999, −0.4999, 0, 0, 0, 0]。同一提示的 G 个补全是连续的：第 g 组是 rewards[g·G … g·G + G − 1]，即 rewards.view(−1, G)。',
      },
      hint: {
        en: 'Which rewards belong to the first prompt in the lesson: indices 0, 1, 2, 3, or 0, 2, 4, 6?',
        'zh-CN': '课程例子里哪些奖励属于第一个提示：下标 0, 1, 2, 3，还是 0, 2, 4, 6？',
      },
      wrong: (_ctx, rewards, groupSize) => {
        const stride = rewards.length / groupSize;
        const members = Array.from({ length: stride }, (_, j) => Array.from({ length: groupSize }, (_, k) => j + k * stride));
        return normaliseWithin(rewards, members, (v) => Math.sqrt(variance(v)) + EPS);
      },
    },
    {
      id: 'eps-misplaced',
      title: { en: 'the 1e-4 left out, or put inside the square root', 'zh-CN': '漏掉了 1e-4，或把它放进了平方根里' },
      message: {
        en:
          'You divide by std alone, or by √(var + 1e-4): without the 1e-4 a group whose rewards are all equal gives 0/0 = NaN (the lesson\'s second prompt: [NaN, NaN, NaN, NaN] instead of zeros); inside the root it changes rewards that are close together (std 0.0042: 0.230469 instead of 0.580967). TRL adds 1e-4 to the std: (r − mean)/(std + 1e-4).',
        'zh-CN':
          '你只除以 std，或除以 √(var + 1e-4)：没有 1e-4 时，奖励全相同的组得到 0/0 = NaN（课程例子的第二个提示得到 [NaN, NaN, NaN, NaN] 而不是全 0）；放进平方根里会改变彼此接近的奖励的结果（std 0.0042 时得到 0.230469 而不是 0.580967）。TRL 把 1e-4 加在 std 上：(r − mean)/(std + 1e-4)。',
      },
      hint: {
        en: 'Try the rewards [1, 1, 1, 1] in one group: what is std there, and what must you divide by to get 0 rather than NaN?',
        'zh-CN': '把奖励 [1, 1, 1, 1] 放在一组里试试：这时 std 是多少？要除以什么才能得到 0 而不是 NaN？',
      },
      wrong: (_ctx, rewards, groupSize) => {
        const members = consecutive(rewards.length, groupSize);
        return anyOf(normaliseWithin(rewards, members, (v) => Math.sqrt(variance(v))), normaliseWithin(rewards, members, (v) => Math.sqrt(variance(v) + EPS)));
      },
    },
  ],
  hints: [
    { en: 'Cut the rewards into consecutive groups of groupSize: one group per prompt.', 'zh-CN': '把奖励切成连续的、每段 groupSize 个的组：每个提示一组。' },
    {
      en: 'In each group compute the mean and the standard deviation with n − 1 (0 for a group of one), then (r − mean)/(std + 1e-4) for each of its rewards.',
      'zh-CN': '在每组内算出均值和除以 n − 1 的标准差（只有一个元素的组取 0），再对组内每个奖励算 (r − mean)/(std + 1e-4)。',
    },
    {
      en: 'The key idea: an advantage says how much better a completion did than its siblings of the same prompt, in units of their spread; a group whose rewards are all equal carries no signal, so its advantages are 0.',
      'zh-CN': '关键：优势表示一个补全比同一提示下的兄弟补全好多少，以它们的离散度为单位；奖励全相同的组不带任何信号，所以优势为 0。',
    },
  ],
});
