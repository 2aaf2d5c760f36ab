import { defineExercise, randomVector, type Rng } from 'llm-tutor/pack';
import { close, isVector, show, showList } from '../../../transformer-core/properties.js';

type Args = [rewards: number[], values: number[], gamma: number, lambda: number];
type Out = { advantages: number[]; returns: number[] };

/** The lesson's rollout: 3 steps, the value of the state after the last one (2) as the bootstrap. */
export const lessonRewards = [1, 0, 2];
export const lessonValues = [0.5, 1, 1.5, 2];

/** δ_t = r_t + γ·V_{t+1} − V_t for every step (values holds T + 1 entries). */
export function tdErrors(rewards: readonly number[], values: readonly number[], gamma: number): number[] {
  return rewards.map((r, t) => r + gamma * values[t + 1] - values[t]);
}

/** The reference, step by step: δ, then A_t = δ_t + γλ·A_{t+1} from the last step back, then A + V. */
export function gaeSteps(rewards: readonly number[], values: readonly number[], gamma: number, lambda: number) {
  const deltas = tdErrors(rewards, values, gamma);
  const advantages = new Array<number>(deltas.length).fill(0);
  let next = 0;
  for (let t = deltas.length - 1; t >= 0; t--) {
    next = deltas[t] + gamma * lambda * next;
    advantages[t] = next;
  }
  const returns = advantages.map((a, t) => a + values[t]);
  return { steps: { 'δ': deltas, 'γλ': gamma * lambda, advantages }, output: { advantages, returns } };
}

/** A_t = δ_t + decay·A_{t+1} backwards, or (forward) A_t = δ_t + decay·A_{t−1}. */
function recurse(deltas: number[], decay: number, forward: boolean): number[] {
  const out = new Array<number>(deltas.length).fill(0);
  let carried = 0;
  for (let i = 0; i < deltas.length; i++) {
    const t = forward ? i : deltas.length - 1 - i;
    carried = deltas[t] + decay * carried;
    out[t] = carried;
  }
  return out;
}

const withReturns = (advantages: number[], values: readonly number[]): Out => ({ advantages, returns: advantages.map((a, t) => a + values[t]) });

const rollout = (rng: Rng, t: number): [number[], number[]] => [randomVector(rng, t, 1), randomVector(rng, t + 1, 2)];

function cases(rng: Rng): { name: string; args: Args; expected?: Out }[] {
  const [r1, v1] = rollout(rng, 5);
  const [r2, v2] = rollout(rng, 8);
  const [r3, v3] = rollout(rng, 6);
  const [r4, v4] = rollout(rng, 4);
  const ended = [...randomVector(rng, 4, 2), 0];
  return [
    // PyTorch 1.13, float64: the loop of CleanRL's ppo.py, `lastgaelam = delta + gamma * lam * lastgaelam` from t = T−1 down to 0.
    { name: 'the lesson example: 3 steps, γ = 0.9, λ = 0.8', args: [lessonRewards, lessonValues, 0.9, 0.8], expected: { advantages: [2.84432, 2.006, 2.3], returns: [3.34432, 3.006, 3.8] } },
    // The same loop with lam = 0: the advantages are the TD errors δ.
    { name: 'the lesson example with λ = 0: one-step TD errors', args: [lessonRewards, lessonValues, 0.9, 0], expected: { advantages: [1.4, 0.35, 2.3], returns: [1.9, 1.35, 3.8] } },
    // The same loop with lam = 1: the discounted return with the bootstrap, minus V_t.
    { name: 'the lesson example with λ = 1: discounted return minus V', args: [lessonRewards, lessonValues, 0.9, 1], expected: { advantages: [3.578, 2.42, 2.3], returns: [4.078, 3.42, 3.8] } },
    { name: 'random: 5 steps, γ = 0.99, λ = 0.95', args: [r1, v1, 0.99, 0.95] },
    { name: 'random: 8 steps, γ = 0.9, λ = 0.5', args: [r2, v2, 0.9, 0.5] },
    { name: 'random: 6 steps, γ = 1, λ = 0.9 (no discount)', args: [r3, v3, 1, 0.9] },
    { name: 'random: 4 steps, γ = 0.8, λ = 1', args: [r4, v4, 0.8, 1] },
    { name: 'the episode ended: bootstrap value 0, 4 steps, γ = 0.95, λ = 0.9', args: [[1, 0, 0, 1], ended, 0.95, 0.9] },
    { name: 'one step: A = r + γ·V_1 − V_0', args: [[0.5], [1, 3], 0.9, 0.95] },
  ];
}

/** Discounted sum of the rewards from step t on, plus γ^(T−t)·V_T: the λ = 1 target. */
function bootstrappedReturn(rewards: readonly number[], values: readonly number[], gamma: number, t: number): number {
  let g = values[rewards.length];
  for (let s = rewards.length - 1; s >= t; s--) g = rewards[s] + gamma * g;
  return g;
}

const checkShape = (out: unknown, t: number): string | undefined => {
  const o = out as Partial<Out> | undefined;
  if (!o || !isVector(o.advantages) || !isVector(o.returns)) return `gae must return { advantages, returns }, two lists of numbers; it returned ${JSON.stringify(out)?.slice(0, 80)}.`;
  if (o.advantages.length !== t || o.returns.length !== t) return `gae must return ${t} advantages and ${t} returns, one per reward; it returned ${o.advantages.length} and ${o.returns.length}.`;
  return undefined;
};

export default defineExercise<Args, Out>({
  entry: 'gae',
  signature: 'gae(rewards: Vector, values: Vector, gamma: number, lambda: number): { advantages: Vector; returns: Vector }',
  inputsReadOnly: true,
  cases,
  reference: (_ctx, rewards, values, gamma, lambda) => gaeSteps(rewards, values, gamma, lambda).output,
  trace: (_ctx, rewards, values, gamma, lambda) => gaeSteps(rewards, values, gamma, lambda).steps,
  properties: [
    {
      name: 'returns − advantages = the values of the steps (values without the bootstrap)',
      cases: (rng) => {
        const [r, v] = rollout(rng, 6);
        return [{ name: 'random: 6 steps, γ = 0.97, λ = 0.9', calls: [[r, v, 0.97, 0.9]] as Args[] }];
      },
      holds: ([out], [[rewards, values]]) => {
        const bad = checkShape(out, rewards.length);
        if (bad) return bad;
        const { advantages, returns } = out;
        const t = returns.findIndex((g, i) => !close(values[i], g - advantages[i]));
        if (t < 0) return undefined;
        return `At step ${t} your returns − advantages is ${show(returns[t] - advantages[t])}, but V_${t} is ${show(values[t])}. The returns are the value targets A_t + V_t, with the same V as in δ_t; do not recompute them from the rewards.`;
      },
    },
    {
      name: 'with λ = 1, A_t + V_t is the discounted return r_t + γr_{t+1} + … + γ^(T−t)·V_T',
      cases: (rng) => {
        const [r, v] = rollout(rng, 5);
        return [{ name: 'random: 5 steps, γ = 0.9, λ = 1', calls: [[r, v, 0.9, 1]] as Args[] }];
      },
      holds: ([out], [[rewards, values, gamma]]) => {
        const bad = checkShape(out, rewards.length);
        if (bad) return bad;
        const want = rewards.map((_, t) => bootstrappedReturn(rewards, values, gamma, t) - values[t]);
        const t = want.findIndex((w, i) => !close(w, out.advantages[i]));
        if (t < 0) return undefined;
        return `With λ = 1 your advantages are ${showList(out.advantages)}; the discounted returns with the bootstrap, minus V, are ${showList(want)} (first difference at step ${t}). With λ = 1 the sum Σ γ^l·δ_{t+l} telescopes: check that the recursion runs from the last step back and multiplies by γ·λ, and that δ of the last step uses V_T.`;
      },
    },
  ],
  misconceptions: [
    {
      id: 'forward-recursion',
      title: { en: 'the recursion run forward, from the first step', 'zh-CN': '递推正向进行，从第一步开始' },
      message: {
        en:
          'Your advantages run A_t = δ_t + γλ·A_{t−1} from step 0: [1.4, 1.358, 3.27776] in the lesson instead of [2.84432, 2.006, 2.3]. An advantage sums the TD errors that come AFTER step t, so the loop starts at the last step (A_{T−1} = δ_{T−1}) and runs back to 0.',
        'zh-CN':
          '你的优势从第 0 步开始按 A_t = δ_t + γλ·A_{t−1} 递推：课程例子里得到 [1.4, 1.358, 3.27776] 而不是 [2.84432, 2.006, 2.3]。优势累加的是第 t 步「之后」的 TD 误差，所以循环要从最后一步开始（A_{T−1} = δ_{T−1}），倒推回 0。',
      },
      hint: {
        en: 'In the lesson, which advantage equals its δ exactly: A_0 or A_2? Start your loop there.',
        'zh-CN': '在课程例子里，哪个优势恰好等于它的 δ：A_0 还是 A_2？从那里开始你的循环。',
      },
      wrong: (_ctx, rewards, values, gamma, lambda) => withReturns(recurse(tdErrors(rewards, values, gamma), gamma * lambda, true), values),
    },
    {
      id: 'bootstrap-forgotten',
      title: { en: 'the bootstrap value V_T taken as 0', 'zh-CN': '把自举值 V_T 当成了 0' },
      message: {
        en:
          'Your last δ ignores V_T, the value of the state after the rollout: δ_2 = 2 − 1.5 = 0.5 in the lesson instead of 2 + 0.9 × 2 − 1.5 = 2.3, so the advantages are [1.9112, 0.71, 0.5] instead of [2.84432, 2.006, 2.3]. values has T + 1 entries: use values[t + 1] for every step, the last included (it is 0 only when the episode ended).',
        'zh-CN':
          '你最后一个 δ 忽略了 V_T，即轨迹之后那个状态的价值：课程例子里 δ_2 = 2 − 1.5 = 0.5，而应为 2 + 0.9 × 2 − 1.5 = 2.3，所以优势是 [1.9112, 0.71, 0.5] 而不是 [2.84432, 2.006, 2.3]。values 有 T + 1 项：每一步都要用 values[t + 1]，最后一步也不例外（只有回合结束时它才为 0）。',
      },
      hint: {
        en: 'How many entries does values have in the lesson, and which one does δ of the last step use?',
        'zh-CN': '课程例子里 values 有几项？最后一步的 δ 用的是哪一项？',
      },
      wrong: (_ctx, rewards, values, gamma, lambda) => {
        const cut = [...values.slice(0, rewards.length), 0];
        return withReturns(recurse(tdErrors(rewards, cut, gamma), gamma * lambda, false), values);
      },
    },
    {
      id: 'gamma-missing-in-recursion',
      title: { en: 'A_t = δ_t + λ·A_{t+1}: γ left out of the recursion', 'zh-CN': 'A_t = δ_t + λ·A_{t+1}：递推里漏了 γ' },
      message: {
        en:
          'Your recursion multiplies the next advantage by λ only: [3.152, 2.19, 2.3] in the lesson instead of [2.84432, 2.006, 2.3]. The advantage is Σ_l (γλ)^l·δ_{t+l}: each step further away is discounted by γ as well as weighted by λ, so A_t = δ_t + γ·λ·A_{t+1}.',
        'zh-CN':
          '你的递推只把下一步的优势乘以 λ：课程例子里得到 [3.152, 2.19, 2.3] 而不是 [2.84432, 2.006, 2.3]。优势是 Σ_l (γλ)^l·δ_{t+l}：每远一步，既要按 λ 加权，也要按 γ 折扣，所以 A_t = δ_t + γ·λ·A_{t+1}。',
      },
      hint: {
        en: 'Write A_0 of the lesson as δ_0 + c·δ_1 + c²·δ_2. What should c be with γ = 0.9 and λ = 0.8?',
        'zh-CN': '把课程例子的 A_0 写成 δ_0 + c·δ_1 + c²·δ_2。当 γ = 0.9、λ = 0.8 时，c 应该是多少？',
      },
      wrong: (_ctx, rewards, values, gamma, lambda) => withReturns(recurse(tdErrors(rewards, values, gamma), lambda, false), values),
    },
    {
      id: 'monte-carlo-returns',
      title: { en: 'returns as the discounted sum of the rewards alone', 'zh-CN': '把回报算成仅由奖励构成的折扣和' },
      message: {
        en:
          'Your advantages are right but your returns are the discounted rewards Σ γ^l·r_{t+l} with no value in them: [2.62, 1.8, 2] in the lesson instead of A + V = [3.34432, 3.006, 3.8]. The value targets of GAE are returns = advantages + values[:T] (the λ-return), which bootstraps from V where the rollout stops.',
        'zh-CN':
          '你的优势是对的，但回报是不含价值的折扣奖励和 Σ γ^l·r_{t+l}：课程例子里得到 [2.62, 1.8, 2]，而不是 A + V = [3.34432, 3.006, 3.8]。GAE 的价值目标是 returns = advantages + values[:T]（λ-回报），它在轨迹停止处用 V 做自举。',
      },
      hint: {
        en: 'In the lesson, returns[2] should be 3.8. Which of r_2 = 2, V_2 = 1.5 and V_3 = 2 does your returns[2] leave out?',
        'zh-CN': '课程例子里 returns[2] 应为 3.8。r_2 = 2、V_2 = 1.5、V_3 = 2 中，你的 returns[2] 漏掉了哪一个？',
      },
      wrong: (_ctx, rewards, values, gamma, lambda) => {
        const { advantages } = gaeSteps(rewards, values, gamma, lambda).output;
        const returns = new Array<number>(rewards.length).fill(0);
        let g = 0;
        for (let t = rewards.length - 1; t >= 0; t--) returns[t] = g = rewards[t] + gamma * g;
        return { advantages, returns };
      },
    },
  ],
  hints: [
    {
      en: 'First compute every TD error δ_t = r_t + γ·V_{t+1} − V_t; values has one entry more than rewards, so V_{t+1} always exists.',
      'zh-CN': '先算出每个 TD 误差 δ_t = r_t + γ·V_{t+1} − V_t；values 比 rewards 多一项，所以 V_{t+1} 总是存在。',
    },
    {
      en: 'Then run t from T − 1 down to 0, carrying the advantage of the step after: A_t = δ_t + γ·λ·A_{t+1}, with A_T = 0.',
      'zh-CN': '然后让 t 从 T − 1 倒推到 0，带着后一步的优势往回走：A_t = δ_t + γ·λ·A_{t+1}，其中 A_T = 0。',
    },
    {
      en: 'The key idea: A_t = Σ_l (γλ)^l·δ_{t+l}, a discounted sum of the TD errors that follow step t, computed backwards in one pass; the returns are A_t + V_t.',
      'zh-CN': '关键：A_t = Σ_l (γλ)^l·δ_{t+l}，即第 t 步之后各 TD 误差的折扣和，反向扫一遍就能算出；回报为 A_t + V_t。',
    },
  ],
});

