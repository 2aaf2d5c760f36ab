import { defineExercise, randomVector, tidy, type Rng } from 'llm-tutor/pack';
import { close, isVector, show, showList } from '../optim-math.js';

export interface AdamState {
  m: number[];
  v: number[];
  t: number;
}
export interface AdamHp {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}
type Args = [params: number[], grads: number[], state: AdamState, hp: AdamHp];
export interface AdamOut {
  params: number[];
  state: AdamState;
}

/** How a learner's step may differ from PyTorch's AdamW; the empty object is the right step. */
interface Variant {
  /** Decoupled θ ← θ − lr·λ·θ (right), λ·θ added to the gradient (Adam with L2), or θ ← θ − λ·θ without lr. */
  decay?: 'decoupled' | 'l2' | 'without-lr';
  /** Divide m and v by 1 − βᵗ (right: yes). */
  biasCorrection?: boolean;
  /** ε after the √ of the corrected v (right), under the √, or after the √ of the uncorrected v (Keras's form). */
  eps?: 'outside' | 'inside' | 'uncorrected';
  /** The bias correction uses the count before it is incremented (t from 0). */
  oldCount?: boolean;
  /** The returned state keeps the count it was given. */
  countKept?: boolean;
}

/**
 * One AdamW step in float64, step by step (the values a trace shows) and its
 * output; with `variant`, the way a learner might get it wrong.
 */
export function adamwSteps(params: number[], grads: number[], state: AdamState, hp: AdamHp, variant: Variant = {}) {
  const { lr, beta1, beta2, eps, weightDecay } = hp;
  const t = state.t + 1;
  const count = variant.oldCount ? state.t : t;
  const decay = variant.decay ?? 'decoupled';
  const g = decay === 'l2' ? grads.map((x, i) => x + weightDecay * params[i]) : grads;
  const shrink = decay === 'decoupled' ? 1 - lr * weightDecay : decay === 'without-lr' ? 1 - weightDecay : 1;
  const decayed = params.map((p) => p * shrink);
  const m = state.m.map((mi, i) => beta1 * mi + (1 - beta1) * g[i]);
  const v = state.v.map((vi, i) => beta2 * vi + (1 - beta2) * g[i] * g[i]);
  const corrected = variant.biasCorrection ?? true;
  const c1 = corrected ? 1 - beta1 ** count : 1;
  const c2 = corrected ? 1 - beta2 ** count : 1;
  const mHat = m.map((x) => x / c1);
  const vHat = v.map((x) => x / c2);
  const placement = variant.eps ?? 'outside';
  const update = mHat.map((mh, i) => {
    if (placement === 'inside') return mh / Math.sqrt(vHat[i] + eps);
    if (placement === 'uncorrected') return ((Math.sqrt(c2) / c1) * m[i]) / (Math.sqrt(v[i]) + eps);
    return mh / (Math.sqrt(vHat[i]) + eps);
  });
  const output: AdamOut = { params: decayed.map((p, i) => p - lr * update[i]), state: { m, v, t: variant.countKept ? state.t : t } };
  return { steps: { t, decayed, m, v, mHat, vHat, update }, output };
}

/** PyTorch's defaults, as `torch.optim.AdamW()` has them. */
export const torchDefaults: AdamHp = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 1e-2 };

/** The lesson example: three parameters, lr 0.01, weight decay 0.1, three steps from a fresh state. */
export const lessonHp: AdamHp = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1 };
export const lessonParams = [0.5, -1, 2];
export const lessonGrads = [
  [0.1, -0.02, 0],
  [0.3, 0.01, 0],
  [-0.1, -0.03, 0],
];

const fresh = (n: number): AdamState => ({ m: new Array(n).fill(0), v: new Array(n).fill(0), t: 0 });

/** A run's steps: the first from `params` and `state`, the later ones carrying both (the case's are placeholders). */
function run(params: number[], grads: number[][], hp: AdamHp, state = fresh(params.length)): Args[] {
  const [first, ...rest] = grads;
  return [[params, first, state, hp], ...rest.map((g): Args => [[], g, fresh(0), hp])];
}

/** `steps` gradients of `n` entries: a steady direction plus noise, all times `scale` (a noisy loss surface). */
function noisyGrads(rng: Rng, n: number, steps: number, scale: number): number[][] {
  const direction = randomVector(rng, n);
  return Array.from({ length: steps }, () => direction.map((d) => tidy(scale * (d + rng.normal(0, 1)), 6)));
}

/** A state as a run leaves it after `t` steps: m near the gradients' mean, v near their mean square. */
function midRun(rng: Rng, n: number, t: number, scale: number): AdamState {
  const m = randomVector(rng, n).map((x) => tidy(0.3 * scale * x, 6));
  return { m, v: m.map((x) => tidy(x * x + scale * scale * (0.5 + rng.next()), 9)), t };
}

function runs(rng: Rng): { name: string; steps: Args[] }[] {
  const params = (n: number) => randomVector(rng, n).map((x) => tidy(x, 4));
  const cases = [{ name: 'the lesson example (3 parameters, lr 0.01, weight decay 0.1, 3 steps from a fresh state)', steps: run(lessonParams, lessonGrads, lessonHp) }];
  cases.push({ name: "50 steps with PyTorch's defaults (lr 1e-3, weight decay 0.01), 6 parameters", steps: run(params(6), noisyGrads(rng, 6, 50, 1), torchDefaults) });
  cases.push({ name: '50 steps, lr 0.05, weight decay 0.1, β2 0.99, 4 parameters', steps: run(params(4), noisyGrads(rng, 4, 50, 0.5), { ...torchDefaults, lr: 0.05, weightDecay: 0.1, beta2: 0.99 }) });
  {
    const t = rng.int(90, 110);
    cases.push({ name: `resumed from a checkpoint at t = ${t} (m and v from earlier steps), 10 steps`, steps: run(params(5), noisyGrads(rng, 5, 10, 0.1), { ...torchDefaults, lr: 0.01, weightDecay: 0.05 }, midRun(rng, 5, t, 0.1)) });
  }
  cases.push({ name: 'tiny gradients (about 1e-6), where ε matters, 20 steps', steps: run(params(4), noisyGrads(rng, 4, 20, 1e-6), { ...torchDefaults, lr: 0.01 }) });
  cases.push({ name: 'no weight decay (λ = 0: Adam itself), 20 steps', steps: run(params(3), noisyGrads(rng, 3, 20, 2), { ...torchDefaults, lr: 0.02, weightDecay: 0 }) });
  cases.push({ name: 'large gradients (about 1e3): the step is still about lr, 10 steps', steps: run(params(3), noisyGrads(rng, 3, 10, 1000), { ...torchDefaults, lr: 0.01, weightDecay: 0.1 }) });
  return cases;
}

/** How far the learner's step moved each parameter, decay aside: θ·(1 − lr·λ) − θ′. */
const moves = (params: number[], out: number[], hp: AdamHp) => params.map((p, i) => p * (1 - hp.lr * hp.weightDecay) - out[i]);
const paramsOf = (out: unknown): number[] | undefined => {
  const params = (out as AdamOut | undefined)?.params;
  return isVector(params) ? params : undefined;
};

export default defineExercise<Args, AdamOut>({
  entry: 'adamwStep',
  signature: 'adamwStep(params: Vector, grads: Vector, state: { m: Vector; v: Vector; t: number }, hp: { lr: number; beta1: number; beta2: number; eps: number; weightDecay: number }): { params: Vector; state: { m: Vector; v: Vector; t: number } }',
  inputsReadOnly: true,
  cases: runs,
  stepwise: {
    carry: [
      { from: ['params'], to: [0] },
      { from: ['state'], to: [2] },
    ],
  },
  reference: (_ctx, params, grads, state, hp) => adamwSteps(params, grads, state, hp).output,
  trace: (_ctx, params, grads, state, hp) => adamwSteps(params, grads, state, hp).steps,
  properties: [
    {
      name: 'from a fresh state, the first step moves every parameter by lr (decay aside), whatever the gradient\'s scale',
      cases: (rng) =>
        [1e-2, 1e2].map((scale) => ({
          name: `gradients of size about ${show(scale)}`,
          calls: [[randomVector(rng, 5).map((x) => tidy(x, 4)), randomVector(rng, 5, scale).map((x) => tidy(x, 6)), fresh(5), lessonHp]] as Args[],
        })),
      holds: ([out], [[params, grads, , hp]]) => {
        const got = paramsOf(out);
        if (!got || got.length !== params.length) return `adamwStep must return { params, state } with ${params.length} parameters; it returned ${JSON.stringify(out)?.slice(0, 80)}.`;
        const moved = moves(params, got, hp);
        const i = moved.findIndex((d, k) => Math.abs(d - hp.lr * Math.sign(grads[k])) > 1e-3 * hp.lr);
        if (i < 0) return undefined;
        return (
          `On the first step, parameter ${i} (gradient ${show(grads[i])}) moved by ${show(moved[i])} besides its decay, not ±lr = ${show(Math.sign(grads[i]) * hp.lr)}. ` +
          'From m = v = 0 the corrected moments are m̂ = g and v̂ = g², so the step is lr·g/(|g| + ε): lr times the sign of g, whatever its size.'
        );
      },
    },
    {
      name: 'multiplying the gradients (and m by the same factor, v by its square) by 100 leaves the step unchanged',
      cases: (rng) => {
        // Gradients smaller than λ·θ, so that decay added to them would weigh differently once they are scaled.
        const state = midRun(rng, 4, 7, 0.05);
        const grads = randomVector(rng, 4, 0.05).map((x) => tidy(x, 6));
        const scaled: AdamState = { m: state.m.map((x) => 100 * x), v: state.v.map((x) => 1e4 * x), t: state.t };
        const params = randomVector(rng, 4).map((x) => tidy(x, 4));
        return [{ name: 'at t = 7, 4 parameters', calls: [[params, grads, state, lessonHp], [params, grads.map((g) => 100 * g), scaled, lessonHp]] as Args[] }];
      },
      holds: ([first, second]) => {
        const [a, b] = [paramsOf(first), paramsOf(second)];
        if (!a || !b) return 'adamwStep must return { params, state }, params a list of numbers.';
        const i = a.findIndex((x, k) => !close(x, b[k]));
        if (i < 0) return undefined;
        return (
          `Parameter ${i} comes out ${show(a[i])} with the gradients as given and ${show(b[i])} with them (and the moments) scaled by 100. ` +
          'Adam divides m̂ by √v̂: a factor c on the gradients multiplies both by c and cancels. Weight decay is applied to θ, not added to the gradient, so it does not spoil this.'
        );
      },
    },
  ],
  misconceptions: [
    {
      id: 'l2-in-gradient',
      title: { en: 'weight decay added to the gradient (Adam with L2), not decoupled', 'zh-CN': '权重衰减加到了梯度上（带 L2 的 Adam），而不是解耦的' },
      message: {
        en:
          'Your step adds λ·θ to the gradient and runs Adam on that, as torch.optim.Adam(weight_decay=λ) does: the decay then goes through m̂/√v̂ and is rescaled away. ' +
          'AdamW decays the parameters directly, θ ← θ − lr·λ·θ, before the Adam update of the plain gradient (in the lesson, 0.5 → 0.4995 first).',
        'zh-CN':
          '你的这一步把 λ·θ 加到梯度上，再对它运行 Adam，就像 torch.optim.Adam(weight_decay=λ) 那样：这样衰减会经过 m̂/√v̂，被重新缩放抵消掉。' +
          'AdamW 直接衰减参数，θ ← θ − lr·λ·θ，然后再用原本的梯度做 Adam 更新（在课程中，先是 0.5 → 0.4995）。',
      },
      hint: {
        en: 'Does λ·θ ever enter your m and v? In AdamW it should not: find where the lesson applies the decay.',
        'zh-CN': 'λ·θ 有没有进入你的 m 和 v？在 AdamW 中它不应该进入：找一找课程是在哪里施加衰减的。',
      },
      wrong: (_ctx, params, grads, state, hp) => adamwSteps(params, grads, state, hp, { decay: 'l2' }).output,
    },
    {
      id: 'no-bias-correction',
      title: { en: 'm and v used without the bias correction', 'zh-CN': 'm 和 v 没有做偏差修正就直接使用' },
      message: {
        en:
          'Your step uses m and v as they are. Both start at 0, so early on they are far too small: on the first step m = 0.1·g and √v = 0.0316·|g|, a step of 3.162·lr instead of lr. ' +
          'Divide by 1 − β1ᵗ and 1 − β2ᵗ (with t counted from 1): m̂ = m/(1 − β1ᵗ), v̂ = v/(1 − β2ᵗ).',
        'zh-CN':
          '你的这一步直接使用 m 和 v。两者都从 0 开始，所以前期它们都太小：第一步时 m = 0.1·g，√v = 0.0316·|g|，步长是 3.162·lr 而不是 lr。' +
          '请除以 1 − β1ᵗ 和 1 − β2ᵗ（t 从 1 开始计数）：m̂ = m/(1 − β1ᵗ)，v̂ = v/(1 − β2ᵗ)。',
      },
      hint: {
        en: 'On the lesson\'s first step, how far does your parameter 0 move? It should be about lr = 0.01 (plus the decay).',
        'zh-CN': '在课程的第一步中，你的参数 0 移动了多远？它应该大约是 lr = 0.01（再加上衰减）。',
      },
      wrong: (_ctx, params, grads, state, hp) => adamwSteps(params, grads, state, hp, { biasCorrection: false }).output,
    },
    {
      id: 'eps-inside-sqrt',
      title: { en: 'ε under the square root, √(v̂ + ε)', 'zh-CN': 'ε 放在了平方根里，√(v̂ + ε)' },
      message: {
        en: 'Your step divides by √(v̂ + ε). PyTorch adds ε after the root: m̂/(√v̂ + ε). With ε = 1e-8 the two differ where gradients are small: for |g| = 1e-6, √(v̂ + ε) is 1e-4, and the step is 100 times too small.',
        'zh-CN': '你的这一步除以 √(v̂ + ε)。PyTorch 在开根号之后才加 ε：m̂/(√v̂ + ε)。当 ε = 1e-8 时，两者在梯度很小的地方不同：|g| = 1e-6 时，√(v̂ + ε) 为 1e-4，步长小了 100 倍。',
      },
      hint: {
        en: 'Take one gradient of 1e-6 on a fresh state: what are √v̂ and ε, and where does ε go in the lesson\'s formula?',
        'zh-CN': '在新状态下取一个 1e-6 的梯度：√v̂ 和 ε 各是多少？在课程的公式中 ε 放在哪里？',
      },
      wrong: (_ctx, params, grads, state, hp) => adamwSteps(params, grads, state, hp, { eps: 'inside' }).output,
    },
    {
      id: 'eps-on-uncorrected-v',
      title: { en: 'ε added to √v before the bias correction (TensorFlow\'s form)', 'zh-CN': 'ε 在偏差修正之前加到了 √v 上（TensorFlow 的形式）' },
      message: {
        en:
          'Your step is lr·√(1 − β2ᵗ)/(1 − β1ᵗ)·m/(√v + ε), the form of TensorFlow\'s Adam: ε then sits next to the uncorrected √v, which early on is √(1 − β2ᵗ) times smaller, so ε weighs about 32 times more at t = 1. ' +
          'PyTorch corrects first and adds ε last: m̂/(√v̂ + ε).',
        'zh-CN':
          '你的这一步是 lr·√(1 − β2ᵗ)/(1 − β1ᵗ)·m/(√v + ε)，即 TensorFlow 中 Adam 的形式：这时 ε 与未修正的 √v 相加，而前期 √v 要小 √(1 − β2ᵗ) 倍，所以在 t = 1 时 ε 的分量大了约 32 倍。' +
          'PyTorch 先做修正，最后才加 ε：m̂/(√v̂ + ε)。',
      },
      hint: {
        en: 'Write out where ε is added relative to the division by 1 − β2ᵗ, and compare with the lesson on a gradient of 1e-6.',
        'zh-CN': '写清楚 ε 相对于除以 1 − β2ᵗ 是在哪一步加上的，再用 1e-6 的梯度与课程对比。',
      },
      wrong: (_ctx, params, grads, state, hp) => adamwSteps(params, grads, state, hp, { eps: 'uncorrected' }).output,
    },
    {
      id: 't-from-0',
      title: { en: 'the bias correction uses the step count before it is incremented', 'zh-CN': '偏差修正用的是递增之前的步数' },
      message: {
        en:
          'Your bias correction uses t as it was given, before adding 1: on a fresh state 1 − β⁰ = 0 and m/0 turns every parameter into NaN; later the correction is one step behind. ' +
          'Increment first, t ← t + 1, then use that t in 1 − β1ᵗ and 1 − β2ᵗ (the lesson\'s first step uses t = 1).',
        'zh-CN':
          '你的偏差修正用的是传入时的 t，还没加 1：在新状态下 1 − β⁰ = 0，m/0 让每个参数都变成 NaN；之后修正也总是慢一步。' +
          '先递增，t ← t + 1，再把这个 t 用于 1 − β1ᵗ 和 1 − β2ᵗ（课程的第一步用的是 t = 1）。',
      },
      hint: {
        en: 'On the lesson\'s first step, what is 1 − 0.9ᵗ with the t you use? If it is 0, something divides by zero.',
        'zh-CN': '在课程的第一步中，用你所用的 t 算出的 1 − 0.9ᵗ 是多少？如果是 0，就有地方在除以零。',
      },
      wrong: (_ctx, params, grads, state, hp) => adamwSteps(params, grads, state, hp, { oldCount: true }).output,
    },
    {
      id: 'count-not-returned',
      title: { en: 'the state returned with the step count it was given', 'zh-CN': '返回的状态中步数还是传入时的值' },
      message: {
        en: 'Your parameters are right, but the state you return keeps t as it was: the next step then corrects with the same t again. Return t + 1, the count of steps taken, with m and v.',
        'zh-CN': '你的参数是对的，但你返回的状态中 t 保持不变：下一步就会再用同一个 t 做修正。请连同 m 和 v 一起返回 t + 1，即已走过的步数。',
      },
      hint: {
        en: 'Compare the t in the state you return with the t you were given: how many steps have now been taken?',
        'zh-CN': '把你返回的状态中的 t 与传入的 t 比较一下：现在一共走了几步？',
      },
      wrong: (_ctx, params, grads, state, hp) => adamwSteps(params, grads, state, hp, { countKept: true }).output,
    },
    {
      id: 'decay-without-lr',
      title: { en: 'the decay not multiplied by lr (θ ← θ − λ·θ)', 'zh-CN': '衰减没有乘以 lr（θ ← θ − λ·θ）' },
      message: {
        en: 'Your step shrinks the parameters by λ·θ, not lr·λ·θ: with λ = 0.1 the lesson\'s 0.5 becomes 0.45 before the update instead of 0.4995. PyTorch\'s AdamW multiplies the decay by the learning rate: θ ← θ·(1 − lr·λ).',
        'zh-CN':
          '你的这一步把参数收缩了 λ·θ，而不是 lr·λ·θ：当 λ = 0.1 时，课程中的 0.5 在更新前变成了 0.45，而不是 0.4995。' +
          'PyTorch 的 AdamW 会把衰减乘以学习率：θ ← θ·(1 − lr·λ)。',
      },
      hint: {
        en: 'How much does a parameter with a zero gradient shrink per step in your code? The lesson\'s third parameter goes from 2 to 1.998.',
        'zh-CN': '在你的代码里，一个梯度为零的参数每一步收缩多少？课程中的第三个参数从 2 变为 1.998。',
      },
      wrong: (_ctx, params, grads, state, hp) => adamwSteps(params, grads, state, hp, { decay: 'without-lr' }).output,
    },
  ],
  hints: [
    {
      en: 'Work the lesson\'s first step by hand for parameter 0: the decay, then m and v, then the corrections, then the update. Each line of the formula is one line of code.',
      'zh-CN': '手算课程中参数 0 的第一步：先衰减，再算 m 和 v，然后修正，最后更新。公式的每一行对应一行代码。',
    },
    {
      en: 'Keep the order: t ← t + 1; θ ← θ·(1 − lr·λ); m ← β1·m + (1 − β1)·g; v ← β2·v + (1 − β2)·g²; then correct both with that t.',
      'zh-CN': '保持顺序：t ← t + 1；θ ← θ·(1 − lr·λ)；m ← β1·m + (1 − β1)·g；v ← β2·v + (1 − β2)·g²；然后用这个 t 修正两者。',
    },
    {
      en: 'The key idea: the update is lr·m̂/(√v̂ + ε) with ε outside the root, and the decay touches θ only, never m or v. Return new m, v and t with the parameters.',
      'zh-CN': '关键思路：更新量为 lr·m̂/(√v̂ + ε)，ε 在根号之外；衰减只作用于 θ，绝不影响 m 或 v。连同参数一起返回新的 m、v 和 t。',
    },
  ],
});
