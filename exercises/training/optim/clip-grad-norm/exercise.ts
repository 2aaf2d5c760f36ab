import { anyOf, defineExercise, randomVector, tidy, type Rng } from 'llm-tutor/pack';
import { isVector, show, totalNorm } from '../optim-math.js';

type Args = [grads: number[][], maxNorm: number];
export interface Clipped {
  grads: number[][];
  norm: number;
}

/** torch's clip_grad_norm_: every tensor times min(1, maxNorm/(norm + 1e-6)). */
const scaleAll = (grads: number[][], maxNorm: number, norm: number, always = false): number[][] => {
  const coefficient = maxNorm / (norm + 1e-6);
  return always || coefficient < 1 ? grads.map((g) => g.map((x) => x * coefficient)) : grads.map((g) => [...g]);
};

/** The norm of each tensor, the total, the coefficient and whether it applies (what a trace shows), and the output. */
export function clipSteps(grads: number[][], maxNorm: number) {
  const norms = grads.map((g) => totalNorm([g]));
  const norm = totalNorm(grads);
  const coefficient = maxNorm / (norm + 1e-6);
  return { steps: { norms, norm, coefficient, clipped: coefficient < 1 }, output: { grads: scaleAll(grads, maxNorm, norm), norm } };
}

/** Each tensor clipped by its own norm. */
function perTensor(grads: number[][], maxNorm: number) {
  const clipped = grads.map((g) => scaleAll([g], maxNorm, totalNorm([g]))[0]);
  const largest = Math.max(0, ...grads.map((g) => totalNorm([g])));
  return anyOf({ grads: clipped, norm: totalNorm(grads) }, { grads: clipped, norm: largest });
}

/** The lesson example: two tensors of norms 5 and 12, so 13 in all. */
export const lessonGrads = [[3, 4], [12]];

const tensors = (rng: Rng, sizes: number[], std: number) => sizes.map((n) => randomVector(rng, n, std).map((x) => tidy(x, 4)));

function cases(rng: Rng): { name: string; args: Args }[] {
  const big = tensors(rng, [4, 6, 2], 1);
  const small = tensors(rng, [3, 5], 0.1);
  // Each of 4 tensors has norm about 0.8 (below 1), yet the total is about 1.6.
  const spread = [4, 4, 4, 4].map((n) => {
    const g = randomVector(rng, n).map((x) => tidy(x, 4));
    const k = 0.8 / totalNorm([g]);
    return g.map((x) => tidy(x * k, 4));
  });
  return [
    { name: 'the lesson example: norms 5 and 12, maxNorm 1', args: [lessonGrads, 1] },
    { name: 'the lesson example with maxNorm 20: already within, unchanged', args: [lessonGrads, 20] },
    { name: 'random: 3 tensors (4, 6 and 2 entries), total norm above maxNorm 1', args: [big, 1] },
    { name: `random: 2 small tensors, total norm ${show(totalNorm(small))} below maxNorm 1`, args: [small, 1] },
    { name: 'random: 4 tensors each of norm 0.8, below maxNorm 1, though their total is 1.6', args: [spread, 1] },
    { name: 'a single tensor of norm 10, maxNorm 0.5', args: [[[6, 8]], 0.5] },
    { name: 'all-zero gradients: norm 0, nothing to clip', args: [[[0, 0, 0], [0]], 1] },
    { name: 'an empty tensor among them (a parameter without a gradient entry)', args: [[[], [1, -2, 2], [0.5]], 1.5] },
    { name: 'random: 8 tensors of a small model, maxNorm 1 (GPT-2 and LLaMA clip at 1.0)', args: [tensors(rng, [5, 5, 3, 3, 2, 4, 4, 1], 0.3), 1] },
  ];
}

const isClipped = (x: unknown): x is Clipped => typeof x === 'object' && x !== null && Array.isArray((x as Clipped).grads) && (x as Clipped).grads.every(isVector) && typeof (x as Clipped).norm === 'number';
const wrongKind = (out: unknown) => (isClipped(out) ? undefined : `clipGradNorm must return { grads, norm }, grads a list of lists of numbers and norm a number; it returned ${JSON.stringify(out)?.slice(0, 80)}.`);

export default defineExercise<Args, Clipped>({
  entry: 'clipGradNorm',
  signature: 'clipGradNorm(grads: Vector[], maxNorm: number): { grads: Vector[]; norm: number }',
  inputsReadOnly: true,
  cases,
  reference: (_ctx, grads, maxNorm) => clipSteps(grads, maxNorm).output,
  trace: (_ctx, grads, maxNorm) => clipSteps(grads, maxNorm).steps,
  properties: [
    {
      name: 'gradients above maxNorm come back with a total norm of maxNorm',
      cases: (rng) => [
        { name: '3 tensors, total norm about 5, maxNorm 1', calls: [[tensors(rng, [4, 3, 5], 1.4), 1]] },
        { name: '2 tensors, total norm about 1, maxNorm 0.25', calls: [[tensors(rng, [6, 2], 0.35), 0.25]] },
      ],
      holds: ([out], [[, maxNorm]]) => {
        const odd = wrongKind(out);
        if (odd) return odd;
        const after = totalNorm(out.grads);
        if (Math.abs(after - maxNorm) <= 1e-5 * maxNorm) return undefined;
        return `The gradients you return have a total norm of ${show(after)}, not maxNorm = ${show(maxNorm)}. Multiplying every entry of every tensor by maxNorm/(norm + 1e-6) brings the norm of all of them together down to maxNorm (to 1e-6).`;
      },
    },
    {
      name: 'gradients within maxNorm come back unchanged, with their norm',
      cases: (rng) => [{ name: '3 tensors, total norm about 0.5, maxNorm 1', calls: [[tensors(rng, [3, 3, 2], 0.2), 1]] }],
      holds: ([out], [[grads]]) => {
        const odd = wrongKind(out);
        if (odd) return odd;
        const norm = totalNorm(grads);
        const changed = grads.findIndex((g, i) => g.some((x, j) => !(Math.abs(out.grads[i]?.[j] - x) <= 1e-12)));
        if (changed >= 0) return `Tensor ${changed} came back changed, though the total norm ${show(norm)} is below maxNorm: the coefficient maxNorm/(norm + 1e-6) is then above 1 and is not applied. Clipping only ever shrinks.`;
        if (!(Math.abs(out.norm - norm) <= 1e-9 * norm)) return `You returned norm ${show(out.norm)}; the total norm of the gradients is ${show(norm)}.`;
        return undefined;
      },
    },
  ],
  misconceptions: [
    {
      id: 'per-tensor',
      title: 'each tensor clipped by its own norm',
      message:
        'You clip every tensor to maxNorm on its own, so together they can be far above it (in the lesson, [0.6, 0.8] and [1], a total of √2), and their directions change relative to one another. ' +
        'torch computes ONE norm over all tensors, √(Σ‖g_i‖²) = 13 in the lesson, and scales every tensor by the same maxNorm/(13 + 1e-6).',
      hint: 'In the lesson, what is the norm of all the gradients together, and by what factor does each tensor get multiplied?',
      wrong: (_ctx, grads, maxNorm) => perTensor(grads, maxNorm),
    },
    {
      id: 'scales-up-small-gradients',
      title: 'small gradients scaled up to maxNorm',
      message:
        'You multiply by maxNorm/(norm + 1e-6) even when it is above 1, so gradients below maxNorm are blown up to it (in the lesson with maxNorm 20, by 20/13). Apply the coefficient only when it is below 1: clipping only ever shrinks.',
      hint: 'Try the lesson with maxNorm 20: the norm 13 is already within it. What should happen to the gradients then?',
      wrong: (_ctx, grads, maxNorm) => {
        const norm = totalNorm(grads);
        return { grads: scaleAll(grads, maxNorm, norm, true), norm };
      },
    },
    {
      id: 'norm-after-clipping',
      title: 'the norm returned after clipping',
      message: 'Your gradients are right, but the norm you return is theirs after clipping (about maxNorm). torch returns the total norm BEFORE clipping, 13 in the lesson: that is the number a training log plots to spot a spike.',
      hint: 'In the lesson, your function should return norm 13. Which gradients did you measure: the ones you were given, or the ones you return?',
      wrong: (_ctx, grads, maxNorm) => {
        const clipped = clipSteps(grads, maxNorm).output.grads;
        return { grads: clipped, norm: totalNorm(clipped) };
      },
    },
    {
      id: 'sum-of-norms',
      title: 'the tensors\' norms added up, not combined as an L2 norm',
      message: 'Your total is ‖g_1‖ + ‖g_2‖ + … (17 in the lesson); the L2 norm of all entries together is √(‖g_1‖² + ‖g_2‖² + …) = √(25 + 144) = 13. Square the per-tensor norms before adding, then take the root.',
      hint: 'What total norm do you get for the lesson\'s tensors of norms 5 and 12? The norm of all 3 entries together is √(9 + 16 + 144).',
      wrong: (_ctx, grads, maxNorm) => {
        const norm = grads.reduce((acc, g) => acc + totalNorm([g]), 0);
        return { grads: scaleAll(grads, maxNorm, norm), norm };
      },
    },
    {
      id: 'squared-norm',
      title: 'the squared norm, without the square root',
      message: 'Your norm is Σ g² (169 in the lesson), the square of the L2 norm: the root is missing, so the coefficient and the returned norm are both wrong. The norm is √(Σ g²) = 13.',
      hint: 'For the lesson\'s [3, 4] and [12], is your norm 13 or 169?',
      wrong: (_ctx, grads, maxNorm) => {
        const norm = totalNorm(grads) ** 2;
        return { grads: scaleAll(grads, maxNorm, norm), norm };
      },
    },
  ],
  hints: [
    'First compute one number for all the tensors together: the square root of the sum of the squares of every entry. For the lesson it is 13.',
    'The coefficient is maxNorm/(norm + 1e-6). If it is below 1, multiply every entry of every tensor by it; otherwise return the gradients as they are.',
    'The key idea: one norm, one coefficient for all tensors, applied only when it shrinks them; return that norm as it was before clipping.',
  ],
});
