import { anyOf, defineExercise, type Rng } from 'llm-tutor/pack';
import { show } from '../optim-math.js';

export interface ScalerState {
  scale: number;
  goodSteps: number;
}
export interface ScalerConfig {
  growthFactor: number;
  backoffFactor: number;
  growthInterval: number;
}
export interface ScalerOut extends ScalerState {
  skipStep: boolean;
}
type Args = [state: ScalerState, gradsFinite: boolean, cfg: ScalerConfig];

/** How a learner's update may differ from GradScaler's; the empty object is the right one. */
interface Variant {
  /** An overflowing step still taken. */
  stepTaken?: boolean;
  /** The scale left as it was on an overflow. */
  keepScaleOnOverflow?: boolean;
  /** Where the counter is not reset to 0: after an overflow, after a growth. */
  keepCount?: { onOverflow: boolean; onGrowth: boolean };
  /** The count compared with growthInterval before it is incremented (growth one step late). */
  compareBeforeIncrement?: boolean;
  /** The scale grown even when the product is Infinity. */
  growPastFinite?: boolean;
}

/** torch's `_amp_update_scale_` and GradScaler's skip, in float64; with `variant`, as a learner might get it wrong. */
export function updateScale({ scale, goodSteps }: ScalerState, gradsFinite: boolean, cfg: ScalerConfig, variant: Variant = {}): ScalerOut {
  if (!gradsFinite) {
    return {
      scale: variant.keepScaleOnOverflow ? scale : scale * cfg.backoffFactor,
      goodSteps: variant.keepCount?.onOverflow ? goodSteps : 0,
      skipStep: !variant.stepTaken,
    };
  }
  const counted = variant.compareBeforeIncrement ? goodSteps : goodSteps + 1;
  if (counted < cfg.growthInterval) return { scale, goodSteps: goodSteps + 1, skipStep: false };
  const grown = scale * cfg.growthFactor;
  return { scale: Number.isFinite(grown) || variant.growPastFinite ? grown : scale, goodSteps: variant.keepCount?.onGrowth ? goodSteps + 1 : 0, skipStep: false };
}

/** PyTorch's GradScaler defaults: ×2 every 2000 finite steps, ×0.5 on an overflow, from 2¹⁶. */
export const torchScaler: ScalerConfig = { growthFactor: 2, backoffFactor: 0.5, growthInterval: 2000 };

/** The lesson's run: growth every 3 finite steps, from 65536; two overflows. */
export const lessonConfig: ScalerConfig = { growthFactor: 2, backoffFactor: 0.5, growthInterval: 3 };
export const lessonStart: ScalerState = { scale: 65536, goodSteps: 0 };
export const lessonFinite = [true, true, true, false, true, true, false, true, true, true];

/** A run's steps: the first from `start`, the later ones carrying the state (the case's is a placeholder). */
function run(start: ScalerState, finite: boolean[], cfg: ScalerConfig): Args[] {
  return finite.map((f, t): Args => [t === 0 ? start : { scale: 0, goodSteps: 0 }, f, cfg]);
}

/** `n` steps, each overflowing with probability `rate`. */
const flags = (rng: Rng, n: number, rate: number) => Array.from({ length: n }, () => rng.next() >= rate);

function runs(rng: Rng): { name: string; steps: Args[] }[] {
  const interval = rng.int(3, 6);
  const custom: ScalerConfig = { growthFactor: 4, backoffFactor: 0.25, growthInterval: 2 };
  return [
    { name: 'the lesson example (from 65536, growth every 3 finite steps, 10 steps with 2 overflows)', steps: run(lessonStart, lessonFinite, lessonConfig) },
    { name: "PyTorch's defaults, resumed 3 steps before a growth (goodSteps 1997 of 2000), 6 steps", steps: run({ scale: 65536, goodSteps: 1997 }, [true, true, true, true, false, true], torchScaler) },
    { name: `random: 30 steps, growth every ${interval} finite steps, about 1 overflow in 5`, steps: run({ scale: 2 ** rng.int(8, 16), goodSteps: 0 }, flags(rng, 30, 0.2), { ...torchScaler, growthInterval: interval }) },
    { name: 'an overflow first, with 5 finite steps already counted, then 4 finite steps', steps: run({ scale: 1024, goodSteps: 5 }, [false, true, true, true, true], { ...torchScaler, growthInterval: 8 }) },
    { name: 'the first step completes the interval (goodSteps 3 of 4), then 8 finite steps', steps: run({ scale: 512, goodSteps: 3 }, new Array(9).fill(true), { ...torchScaler, growthInterval: 4 }) },
    { name: 'overflow after overflow: 5 in a row from 65536, then 2 finite steps', steps: run({ scale: 65536, goodSteps: 1 }, [false, false, false, false, false, true, true], torchScaler) },
    { name: 'growth ×4 every 2 finite steps, backoff ×0.25: 12 steps', steps: run({ scale: 16, goodSteps: 0 }, flags(rng, 12, 0.3), custom) },
    { name: 'the scale kept where doubling it would overflow to Infinity (scale 2¹⁰²³)', steps: run({ scale: 2 ** 1023, goodSteps: 1 }, [true, true, false], { ...torchScaler, growthInterval: 2 }) },
  ];
}

/** A property's calls: one state per count 0 … growthInterval − 1, all at one scale, each a finite step. */
function countCalls(scale: number, cfg: ScalerConfig): Args[] {
  return Array.from({ length: cfg.growthInterval }, (_, k): Args => [{ scale, goodSteps: k }, true, cfg]);
}

const isOut = (x: unknown): x is ScalerOut => typeof x === 'object' && x !== null && typeof (x as ScalerOut).scale === 'number' && typeof (x as ScalerOut).goodSteps === 'number' && typeof (x as ScalerOut).skipStep === 'boolean';
const wrongKind = (outputs: unknown[]) => {
  const odd = outputs.find((o) => !isOut(o));
  return odd === undefined ? undefined : `updateLossScale must return { scale, goodSteps, skipStep }: two numbers and a boolean; it returned ${JSON.stringify(odd)?.slice(0, 80)}.`;
};
const showOut = (o: ScalerOut) => `{ scale: ${show(o.scale)}, goodSteps: ${o.goodSteps}, skipStep: ${o.skipStep} }`;

export default defineExercise<Args, ScalerOut>({
  entry: 'updateLossScale',
  signature: 'updateLossScale(state: { scale: number; goodSteps: number }, gradsFinite: boolean, cfg: { growthFactor: number; backoffFactor: number; growthInterval: number }): { scale: number; goodSteps: number; skipStep: boolean }',
  inputsReadOnly: true,
  cases: runs,
  stepwise: {
    carry: [
      { from: ['scale'], to: [0, 'scale'] },
      { from: ['goodSteps'], to: [0, 'goodSteps'] },
    ],
  },
  reference: (_ctx, state, finite, cfg) => updateScale(state, finite, cfg),
  properties: [
    {
      name: 'an overflow skips the step, multiplies the scale by backoffFactor and restarts the count, whatever the count was',
      cases: () => {
        const cfg = { ...torchScaler, growthInterval: 5 };
        return [{ name: 'counts 0, 2 and 4 of 5, scale 4096', calls: [0, 2, 4].map((k): Args => [{ scale: 4096, goodSteps: k }, false, cfg]) }];
      },
      holds: (outputs, calls) => {
        const odd = wrongKind(outputs);
        if (odd) return odd;
        const i = outputs.findIndex((o) => !(o.skipStep && o.goodSteps === 0 && o.scale === 2048));
        if (i < 0) return undefined;
        return `From { scale: 4096, goodSteps: ${calls[i][0].goodSteps} }, an overflow gave ${showOut(outputs[i])}. Gradients with an Infinity or NaN must not reach the optimiser (skipStep: true), the scale halves to 2048, and the count of finite steps starts again from 0.`;
      },
    },
    {
      name: 'over growthInterval finite steps in a row, the scale grows exactly once, at the last',
      cases: () => [{ name: 'growthInterval 4, scale 256, counts 0 … 3', calls: countCalls(256, { ...torchScaler, growthInterval: 4 }) }],
      holds: (outputs, calls) => {
        const odd = wrongKind(outputs);
        if (odd) return odd;
        const n = calls.length;
        const i = outputs.findIndex((o, k) => o.skipStep || o.scale !== (k === n - 1 ? 512 : 256) || o.goodSteps !== (k === n - 1 ? 0 : k + 1));
        if (i < 0) return undefined;
        return (
          `From { scale: 256, goodSteps: ${i} } with growthInterval ${n}, a finite step gave ${showOut(outputs[i])}. ` +
          `A finite step counts: goodSteps ${i} becomes ${i + 1}; when that reaches ${n}, the scale doubles to 512 and the count restarts at 0.`
        );
      },
    },
  ],
  misconceptions: [
    {
      id: 'step-not-skipped',
      title: { en: 'the optimiser step taken on an overflow', 'zh-CN': '上溢时仍执行了优化器更新' },
      message: {
        en:
          'Your scale and count are right, but you return skipStep: false when the gradients hold an Infinity or NaN. Those gradients would put Infinity or NaN into every parameter they touch; GradScaler skips optimizer.step() on such a step (step 4 of the lesson). Return skipStep: true whenever gradsFinite is false.',
        'zh-CN':
          '你的缩放值和计数都对，但在梯度含有 Infinity 或 NaN 时返回了 skipStep: false。这样的梯度会把 Infinity 或 NaN 写进它涉及的每个参数；' +
          'GradScaler 在这种步上会跳过 optimizer.step()（课程示例中的第 4 步）。只要 gradsFinite 为 false，' +
          '就返回 skipStep: true。',
      },
      hint: {
        en:
          'What would one Infinity in a gradient do to a parameter after an AdamW step? What should your function tell the training loop then?',
        'zh-CN':
          '梯度里只要有一个 Infinity，经过一次 AdamW 更新后参数会变成什么？这时你的函数应该告诉训练循环什么？',
      },
      wrong: (_ctx, state, finite, cfg) => updateScale(state, finite, cfg, { stepTaken: true }),
    },
    {
      id: 'counter-not-reset',
      title: { en: 'the count of finite steps not reset to 0', 'zh-CN': '有限步计数没有清零为 0' },
      message: {
        en:
          'The goodSteps you return keeps counting where it should restart at 0: after an overflow (the finite steps before it no longer show the scale is safe) and after a growth (the new scale has yet to prove itself). ' +
          'In the lesson it is 0 after step 3 (growth) and after step 4 (overflow), and the next growth comes 3 finite steps later, at step 10.',
        'zh-CN':
          '你返回的 goodSteps 在本该从 0 重新开始的地方继续往下数：上溢之后（之前的有限步已不能说明这个缩放值安全），以及增长之后（新的缩放值还有待验证）。' +
          '在课程示例中，第 3 步（增长）和第 4 步（上溢）之后它都是 0，下一次增长在 3 个有限步之后，即第 10 步。',
      },
      hint: {
        en:
          'After the lesson\'s step 3 (a growth) and step 4 (an overflow), what is your goodSteps? From when should the next 3 finite steps be counted?',
        'zh-CN':
          '在课程示例的第 3 步（增长）和第 4 步（上溢）之后，你的 goodSteps 是多少？接下来的 3 个有限步应该从什么时候开始数？',
      },
      wrong: (_ctx, state, finite, cfg) =>
        anyOf(
          updateScale(state, finite, cfg, { keepCount: { onOverflow: true, onGrowth: true } }),
          updateScale(state, finite, cfg, { keepCount: { onOverflow: true, onGrowth: false } }),
          updateScale(state, finite, cfg, { keepCount: { onOverflow: false, onGrowth: true } }),
        ),
    },
    {
      id: 'growth-one-step-late',
      title: { en: 'the count compared before it is incremented: growth one step late', 'zh-CN': '先比较后计数：增长晚了一步' },
      message: {
        en:
          'You compare goodSteps with growthInterval before adding this step, so the scale grows after growthInterval + 1 finite steps. torch counts this step first: successful = goodSteps + 1, and when that equals growthInterval the scale grows and the count restarts (in the lesson, at step 3, the third finite step).',
        'zh-CN':
          '你在计入这一步之前就拿 goodSteps 和 growthInterval 比较，于是缩放值要在 growthInterval + 1 个有限步之后才增长。' +
          'torch 先计入这一步：successful = goodSteps + 1，当它等于 growthInterval 时增长缩放值并清零计数（在课程示例中是第 3 步，' +
          '即第三个有限步）。',
      },
      hint: {
        en:
          'From goodSteps 2 with growthInterval 3, a finite step is the third in a row. Does your scale grow on it?',
        'zh-CN':
          '从 goodSteps 2、growthInterval 3 出发，下一个有限步是连续的第三个。你的缩放值在这一步增长了吗？',
      },
      wrong: (_ctx, state, finite, cfg) => updateScale(state, finite, cfg, { compareBeforeIncrement: true }),
    },
    {
      id: 'no-backoff',
      title: { en: 'the scale not lowered on an overflow', 'zh-CN': '上溢时没有降低缩放值' },
      message: {
        en:
          'You skip the step on an overflow but keep the scale, so the next step overflows again, and again. Multiply the scale by backoffFactor (0.5): in the lesson, 131072 becomes 65536 at step 4.',
        'zh-CN':
          '你在上溢时跳过了这一步，却保持缩放值不变，于是下一步又会上溢，一次又一次。应把缩放值乘以 backoffFactor（0.5）：在课程示例中，' +
          '第 4 步时 131072 变为 65536。',
      },
      hint: {
        en:
          'If the scaled gradients overflowed at this scale, will they at the next step, with the same scale?',
        'zh-CN':
          '如果缩放后的梯度在这个缩放值下上溢了，下一步用同样的缩放值，它们还会上溢吗？',
      },
      wrong: (_ctx, state, finite, cfg) => updateScale(state, finite, cfg, { keepScaleOnOverflow: true }),
    },
    {
      id: 'grows-to-infinity',
      title: { en: 'the scale grown to Infinity', 'zh-CN': '缩放值增长到了 Infinity' },
      message: {
        en:
          'Your scale became Infinity: 2¹⁰²³ × 2 does not fit in a float64. torch grows the scale only if the product is finite, and otherwise keeps it (the count still restarts at 0). With an infinite scale every loss would overflow.',
        'zh-CN':
          '你的缩放值变成了 Infinity：2¹⁰²³ × 2 超出了 float64 的范围。torch 只有在乘积有限时才增长缩放值，否则保持不变（计数仍清零为 0）。' +
          '缩放值为无穷大时，每个损失都会上溢。',
      },
      hint: { en: 'What is 2 ** 1023 * 2 in JavaScript? Check the product before you keep it.', 'zh-CN': '在 JavaScript 中 2 ** 1023 * 2 是多少？先检查乘积，再决定是否采用它。' },
      wrong: (_ctx, state, finite, cfg) => updateScale(state, finite, cfg, { growPastFinite: true }),
    },
  ],
  hints: [
    {
      en:
        'Two branches: the gradients overflowed, or they did not. Walk the lesson\'s table step by step and write down what each branch does to scale, goodSteps and skipStep.',
      'zh-CN':
        '分两个分支：梯度上溢了，或者没有。按课程中的表格一步步走，写下每个分支对 scale、goodSteps 和 skipStep 分别做了什么。',
    },
    {
      en:
        'On a finite step, count it first (goodSteps + 1); if that reaches growthInterval, grow the scale (if the product is finite) and restart the count.',
      'zh-CN':
        '在有限步上，先计入这一步（goodSteps + 1）；如果它达到 growthInterval，就增长缩放值（前提是乘积有限），并把计数清零。',
    },
    {
      en:
        'The key idea: an overflow always skips, backs the scale off and restarts the count; a finite step is never skipped, counts itself, and the one that completes the interval grows the scale (if the result is finite) and restarts the count.',
      'zh-CN':
        '关键：上溢时总是跳过这一步、回退缩放值并清零计数；有限步从不跳过，先计入自身，凑满间隔的那一步增长缩放值（前提是结果有限）并清零计数。',
    },
  ],
});
