import { anyOf, defineExercise, randomVector, tidy, type ReferenceContext } from 'llm-tutor/pack';
import { isVector, listDifference, show, wrongKind } from '../../properties.js';

type Args = [x: number[]];

function naiveSoftmax(x: number[]): number[] {
  const exps = x.map((v) => Math.exp(v));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

/** exp(x_i − max) over Σ_j exp(x_j): the shift made in the numerator only. */
function shiftedNumeratorOnly(x: number[]): number[] {
  const max = Math.max(...x);
  const sum = x.reduce((acc, v) => acc + Math.exp(v), 0);
  return x.map((v) => Math.exp(v - max) / sum);
}
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

export default defineExercise<Args, number[]>({
  entry: 'softmax',
  signature: 'softmax(x: Vector): Vector',
  cases: (rng) => [
    { name: 'the lesson example [1, 2, 3]', args: [[1, 2, 3]] },
    { name: 'a single logit', args: [[tidy(rng.normal(0, 3))]] },
    { name: 'random logits (8 values)', args: [randomVector(rng, 8, 2)] },
    { name: 'random logits (33 values, wide spread)', args: [randomVector(rng, 33, 6)] },
    { name: 'equal logits', args: [[0.5, 0.5, 0.5, 0.5]] },
    { name: 'large logits (±1000)', args: [[1000, 1001.5, -1000, 999]] },
    { name: 'very negative logits (all near −1000)', args: [[-1000, -1002, -1001]] },
    { name: 'masked entries (−Infinity)', args: [[2, -Infinity, 0.5, -Infinity, 1]] },
    { name: 'fully masked row (all −Infinity)', args: [[-Infinity, -Infinity, -Infinity]] },
  ],
  reference: ({ tf }: ReferenceContext, x) => {
    if (x.every((v) => v === -Infinity)) return tf.zeros([x.length]);
    return tf.softmax(tf.tensor1d(x, 'float32'));
  },
  // A fully masked row stops at its max: −Infinity, where the reference returns zeros.
  trace: ({ tf }: ReferenceContext, x) => {
    const max = Math.max(...x);
    if (max === -Infinity) return { max };
    const shifted = tf.sub(tf.tensor1d(x, 'float32'), max);
    const exp = tf.exp(shifted);
    return { max, shifted, exp, sum: tf.sum(exp) };
  },
  properties: [
    {
      name: 'adding the same number to every logit leaves the output unchanged',
      cases: (rng) => {
        const shifted = (x: number[], c: number) => ({ name: `x of ${x.length} logits, then x + ${c}`, calls: [[x], [x.map((v) => v + c)]] as Args[] });
        return [shifted(randomVector(rng, 6, 2), 10), shifted(randomVector(rng, 5, 3), -50)];
      },
      holds: (outputs, calls) => {
        const odd = wrongKind('softmax', 'a list of numbers', outputs, isVector);
        if (odd) return odd;
        const difference = listDifference(outputs[0], outputs[1]);
        if (!difference) return undefined;
        const c = calls[1][0][0] - calls[0][0][0];
        return (
          `softmax(x) and softmax(x + ${show(c)}) differ: ${difference}. ` +
          `exp(x_i + c) / Σ_j exp(x_j + c) = exp(x_i) / Σ_j exp(x_j): the factor exp(c) cancels, so only the differences between logits matter.`
        );
      },
    },
    {
      name: 'the outputs are between 0 and 1 and add up to 1',
      cases: (rng) => [
        { name: '8 random logits', calls: [[randomVector(rng, 8, 2)]] },
        { name: '20 random logits, wide spread', calls: [[randomVector(rng, 20, 6)]] },
      ],
      holds: (outputs) => {
        const odd = wrongKind('softmax', 'a list of numbers', outputs, isVector);
        if (odd) return odd;
        const p = outputs[0];
        const total = sum(p);
        const outside = p.findIndex((v) => !(v >= 0 && v <= 1));
        if (outside < 0 && Math.abs(total - 1) <= 1e-6) return undefined;
        const entry = outside < 0 ? '' : `Entry ${outside} of your output is ${show(p[outside])}, and `;
        return `${entry}${entry ? 'your' : 'Your'} ${p.length} outputs add up to ${show(total)}. A softmax is a probability distribution: every entry is exp(x_i − m) / Σ_j exp(x_j − m), between 0 and 1, and together they add up to 1.`;
      },
    },
  ],
  misconceptions: [
    {
      id: 'no-max-subtraction',
      title: 'exponentiating without subtracting the max',
      message:
        'Math.exp(1000) is Infinity and Math.exp(-1000) is 0 in float64, so Infinity/Infinity or 0/0 gives NaN. ' +
        'Subtract max(x) from every entry first: softmax is unchanged by a constant shift, and the largest exponent becomes exp(0) = 1.',
      hint: 'Evaluate Math.exp(1000) and Math.exp(-1000) in Node. Softmax gives the same result if you shift every entry by one constant: pick the constant that keeps every exponent at or below 0.',
      wrong: (_ctx, x) => naiveSoftmax(x),
    },
    {
      id: 'nan-on-fully-masked-row',
      title: 'no special case for a row that is all −Infinity',
      message:
        'When every entry is −Infinity the max is −Infinity too, and −Infinity − (−Infinity) is NaN. ' +
        'A fully masked row has nothing to attend to: by the FlashAttention convention it is all zeros. Check for it before subtracting.',
      hint: 'Follow your code on [−Infinity, −Infinity, −Infinity] step by step: which operation first turns it into NaN? Such a row should come out as all zeros, so decide before that step.',
      wrong: (_ctx, x) => {
        const max = Math.max(...x);
        const exps = x.map((v) => Math.exp(v - max));
        const sum = exps.reduce((a, b) => a + b, 0);
        return exps.map((e) => e / sum);
      },
    },
    {
      id: 'not-normalised',
      title: 'exponentials not divided by their sum',
      message: 'exp(x − max) alone is not a distribution: divide every entry by the sum of the exponentials so they add up to 1.',
      hint: 'Add up your outputs for [1, 2, 3]: a distribution sums to 1. What do you still need to divide by?',
      wrong: (_ctx, x) => {
        const max = Math.max(...x);
        return max === -Infinity ? x.map(() => 0) : x.map((v) => Math.exp(v - max));
      },
    },
    {
      id: 'max-subtracted-in-numerator-only',
      title: 'the max subtracted in the numerator only',
      message:
        'Your outputs are exp(x_i − m) / Σ_j exp(x_j): the numerator is shifted by the max m and the sum is not, so every output is exp(−m) times too small ' +
        '(for [1, 2, 3] they add up to e^−3 = 0.049787, not 1), and the unshifted sum still overflows on large logits. ' +
        'Shift both by the same m: softmax(x)_i = exp(x_i − m) / Σ_j exp(x_j − m).',
      hint: 'Add up your outputs for [1, 2, 3]: they should sum to 1. The shift cancels only when the numerator and every term of the sum are shifted alike.',
      // With or without a guard for a fully masked row: the mistake is the same.
      wrong: (_ctx, x) => anyOf(shiftedNumeratorOnly(x), x.every((v) => v === -Infinity) ? x.map(() => 0) : shiftedNumeratorOnly(x)),
    },
  ],
  hints: [
    'Start from the worked example of the lesson, x = [1, 2, 3]: exponentiate every entry, add them up, divide each by the sum. Then read the names of the cases: what kinds of logits must the same code survive?',
    {
      text: 'Subtracting the same constant c from every entry leaves softmax unchanged (the exp(−c) factors cancel). Which c keeps every exponent ≤ 0?',
      misconception: 'no-max-subtraction',
    },
    'The key idea: take m, the largest entry; a row whose m is −Infinity is fully masked and returns zeros; otherwise exponentiate x_i − m and divide each by the sum of those.',
  ],
});
