/**
 * The gradient kind's reference: TensorFlow.js autodiff of the definition's
 * forward pass, and a finite-difference check of that reference for
 * `pack validate` (a loss that does not compute what its lesson says shows
 * up there, before any learner is graded against it).
 */
import type { ReferenceContext } from '../authoring/exercise.js';
import type { GradientSpec, Tensor } from '../authoring/kinds.js';
import { registerGradients } from '../../reference/backend.js';
import { t } from '../../i18n/i18n.js';

type Loss = (...vars: Tensor[]) => Tensor;

function lossOf(spec: GradientSpec, ctx: ReferenceContext, names: string[], args: unknown[]): Loss {
  return (...vars) => {
    const out = spec.loss(ctx, Object.fromEntries(names.map((n, i) => [n, vars[i]])), ...args);
    return out.rank === 0 ? out : ctx.tf.sum(out);
  };
}

/** The reference of a gradient exercise: `{ name: ∂loss/∂value }` for each value `wrt` names (or the one gradient, when `single`). */
export function gradientReference(spec: GradientSpec) {
  return (ctx: ReferenceContext, ...args: unknown[]): Tensor | Record<string, Tensor> => {
    registerGradients();
    const named = spec.wrt(...args);
    const names = Object.keys(named);
    if (names.length === 0) throw new Error(t('gradient.wrt returned no values to differentiate'));
    if (spec.single && names.length !== 1) throw new Error(t`gradient.single needs exactly one value in wrt, got ${names.join(', ')}`);
    const vars = names.map((n) => ctx.tf.tensor(named[n] as number[]));
    const grads = ctx.tf.grads(lossOf(spec, ctx, names, args))(vars);
    return spec.single ? grads[0] : Object.fromEntries(names.map((n, i) => [n, grads[i]]));
  };
}

/** One entry where autodiff and central differences disagree. */
export interface GradientDisagreement {
  name: string;
  index: number;
  autodiff: number;
  numeric: number;
}

/**
 * Checks autodiff against central differences of the loss, on up to
 * `perValue` entries of each differentiated value (spread over the value).
 * The loss is float32, so the step is 1e-2 (relative to the entry) and the
 * tolerance 2e-2·(1 + |gradient|): enough to catch a wrong sign, a missing
 * factor or a loss of the wrong thing, not float32's rounding.
 */
export async function checkGradientNumerically(spec: GradientSpec, ctx: ReferenceContext, args: unknown[], perValue = 6): Promise<GradientDisagreement | undefined> {
  const { tf } = ctx;
  registerGradients();
  const named = spec.wrt(...args);
  const names = Object.keys(named);
  const flat = names.map((n) => ctx.tf.tensor(named[n] as number[]));
  try {
    const loss = lossOf(spec, ctx, names, args);
    const grads = tf.grads(loss)(flat).map((g) => g.dataSync());
    const values = flat.map((t) => Float64Array.from(t.dataSync()));
    for (let v = 0; v < names.length; v++) {
      const size = values[v].length;
      const picks = new Set<number>();
      for (let k = 0; k < Math.min(perValue, size); k++) picks.add(Math.floor((k * size) / Math.min(perValue, size)));
      for (const i of picks) {
        const at = (delta: number) =>
          tf.tidy(() => {
            const shifted = Float64Array.from(values[v]);
            shifted[i] += delta;
            const vars = flat.map((t, j) => (j === v ? tf.tensor(Array.from(shifted), t.shape) : t));
            return loss(...vars).dataSync()[0];
          });
        const h = 1e-2 * Math.max(1, Math.abs(values[v][i]));
        const numeric = (at(h) - at(-h)) / (2 * h);
        const autodiff = grads[v][i];
        if (!(Math.abs(numeric - autodiff) <= 2e-2 * (1 + Math.abs(autodiff)))) return { name: names[v], index: i, autodiff, numeric };
      }
    }
    return undefined;
  } finally {
    for (const t of flat) t.dispose();
  }
}
