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
      title: 'the optimiser step taken on an overflow',
      message:
        'Your scale and count are right, but you return skipStep: false when the gradients hold an Infinity or NaN. Those gradients would put Infinity or NaN into every parameter they touch; GradScaler skips optimizer.step() on such a step (step 4 of the lesson). Return skipStep: true whenever gradsFinite is false.',
      hint: 'What would one Infinity in a gradient do to a parameter after an AdamW step? What should your function tell the training loop then?',
      wrong: (_ctx, state, finite, cfg) => updateScale(state, finite, cfg, { stepTaken: true }),
    },
    {
      id: 'counter-not-reset',
      title: 'the count of finite steps not reset to 0',
      message:
        'The goodSteps you return keeps counting where it should restart at 0: after an overflow (the finite steps before it no longer show the scale is safe) and after a growth (the new scale has yet to prove itself). ' +
        'In the lesson it is 0 after step 3 (growth) and after step 4 (overflow), and the next growth comes 3 finite steps later, at step 10.',
      hint: 'After the lesson\'s step 3 (a growth) and step 4 (an overflow), what is your goodSteps? From when should the next 3 finite steps be counted?',
      wrong: (_ctx, state, finite, cfg) =>
        anyOf(
          updateScale(state, finite, cfg, { keepCount: { onOverflow: true, onGrowth: true } }),
          updateScale(state, finite, cfg, { keepCount: { onOverflow: true, onGrowth: false } }),
          updateScale(state, finite, cfg, { keepCount: { onOverflow: false, onGrowth: true } }),
        ),
    },
    {
      id: 'growth-one-step-late',
      title: 'the count compared before it is incremented: growth one step late',
      message:
        'You compare goodSteps with growthInterval before adding this step, so the scale grows after growthInterval + 1 finite steps. torch counts this step first: successful = goodSteps + 1, and when that equals growthInterval the scale grows and the count restarts (in the lesson, at step 3, the third finite step).',
      hint: 'From goodSteps 2 with growthInterval 3, a finite step is the third in a row. Does your scale grow on it?',
      wrong: (_ctx, state, finite, cfg) => updateScale(state, finite, cfg, { compareBeforeIncrement: true }),
    },
    {
      id: 'no-backoff',
      title: 'the scale not lowered on an overflow',
      message: 'You skip the step on an overflow but keep the scale, so the next step overflows again, and again. Multiply the scale by backoffFactor (0.5): in the lesson, 131072 becomes 65536 at step 4.',
      hint: 'If the scaled gradients overflowed at this scale, will they at the next step, with the same scale?',
      wrong: (_ctx, state, finite, cfg) => updateScale(state, finite, cfg, { keepScaleOnOverflow: true }),
    },
    {
      id: 'grows-to-infinity',
      title: 'the scale grown to Infinity',
      message: 'Your scale became Infinity: 2¹⁰²³ × 2 does not fit in a float64. torch grows the scale only if the product is finite, and otherwise keeps it (the count still restarts at 0). With an infinite scale every loss would overflow.',
      hint: 'What is 2 ** 1023 * 2 in JavaScript? Check the product before you keep it.',
      wrong: (_ctx, state, finite, cfg) => updateScale(state, finite, cfg, { growPastFinite: true }),
    },
  ],
  hints: [
    'Two branches: the gradients overflowed, or they did not. Walk the lesson\'s table step by step and write down what each branch does to scale, goodSteps and skipStep.',
    'On a finite step, count it first (goodSteps + 1); if that reaches growthInterval, grow the scale (if the product is finite) and restart the count.',
    'The key idea: an overflow always skips, backs the scale off and restarts the count; a finite step is never skipped, counts itself, and the one that completes the interval grows the scale (if the result is finite) and restarts the count.',
  ],
});
