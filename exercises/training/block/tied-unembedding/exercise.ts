import { anyOf, defineExercise, matmul, randomMatrix, transpose, type ReferenceContext, type Rng } from 'llm-tutor/pack';
import { matricesAgree } from '../../../transformer-core/properties.js';

type Args = [h: number[][], wte: number[][]];

/** The lesson example: T = 2 hidden states of width C = 2, a vocabulary of V = 3. */
export const lessonUnembedding: Args = [
  [
    [2, 1],
    [0, -1],
  ],
  [
    [1, 0],
    [0, 1],
    [1, 1],
  ],
];

/** Softmax of each row (stable). */
const softmaxRows = (m: number[][]) =>
  m.map((row) => {
    const exps = row.map((v) => Math.exp(v - Math.max(...row)));
    const sum = exps.reduce((a, b) => a + b, 0);
    return exps.map((e) => e / sum);
  });

/** h·wteᵀ in float64: logits[t][v] = h[t]·wte[v]. */
const logits64 = (h: number[][], wte: number[][]) => matmul(h, transpose(wte));

/** Random hidden states [T, C] (after the final LayerNorm: entries near unit size) and wte [V, C]. */
function randomHeads(rng: Rng, T: number, C: number, V: number): Args {
  return [randomMatrix(rng, T, C), randomMatrix(rng, V, C, 0.5)];
}

/** The calls of the linearity property: h, then 2·h, with one wte. */
function doubledCalls(rng: Rng, T: number, C: number, V: number): { name: string; calls: Args[] } {
  const [h, wte] = randomHeads(rng, T, C, V);
  return { name: `T = ${T}, C = ${C}, V = ${V}`, calls: [[h, wte], [h.map((row) => row.map((v) => 2 * v)), wte]] };
}

export default defineExercise<Args, number[][]>({
  entry: 'unembed',
  signature: 'unembed(h: Matrix, wte: Matrix): Matrix',
  cases: (rng) => [
    { name: 'the lesson example (T = 2, C = 2, V = 3)', args: lessonUnembedding },
    { name: 'random, T = 4, C = 4, V = 10', args: randomHeads(rng, 4, 4, 10) },
    { name: 'random, T = 6, C = 8, V = 16', args: randomHeads(rng, 6, 8, 16) },
    { name: 'one position (T = 1, C = 3, V = 7)', args: randomHeads(rng, 1, 3, 7) },
    { name: 'V = C = 4 (a square wte: h·wte fits too, without its transpose)', args: randomHeads(rng, 3, 4, 4) },
  ],
  reference: ({ tf }: ReferenceContext, h, wte) => tf.matMul(tf.tensor2d(h), tf.tensor2d(wte), false, true),
  properties: [
    {
      name: 'the logits are linear in h: doubling h doubles them',
      cases: (rng) => [doubledCalls(rng, 2, 3, 5), doubledCalls(rng, 3, 4, 6)],
      holds: matricesAgree<Args>(
        'unembed',
        ([once, twice]) => [once.map((row) => row.map((v) => 2 * v)), twice],
        (difference) =>
          `2·unembed(h, wte) and unembed(2·h, wte) differ (the first, then the second): ${difference}. ` +
          'Logits are dot products h[t]·wte[v], linear in h; a softmax or any other function on top breaks it.',
      ),
    },
  ],
  misconceptions: [
    {
      id: 'softmax-applied',
      title: 'a softmax applied (probabilities, not logits)',
      message:
        'Your rows add up to 1: you returned probabilities. The output layer returns logits, h·wteᵀ, unnormalised scores of any sign; the loss (or sampling) applies the softmax itself, in log-sum-exp form. ' +
        'In the lesson example row 0 should be [2, 1, 3] and yours is [0.245, 0.090, 0.665].',
      hint: 'Do the lesson\'s logits [2, 1, 3] add up to 1? What does cross-entropy do with its input first?',
      wrong: (_ctx, h, wte) => {
        const probs = softmaxRows(logits64(h, wte));
        return anyOf(probs, probs.map((row) => row.map(Math.log)));
      },
    },
    {
      id: 'not-transposed',
      title: 'h·wte instead of h·wteᵀ',
      message:
        'Your logits are h·wte, which only fits when V = C (a square wte) and then gives wrong numbers. wte is [V, C]: logit v is the dot product of h[t] with ROW v of wte, so logits = h·wteᵀ, [T, V].',
      hint: 'wte is [V, C] and h is [T, C]. Which product of the two has shape [T, V], and which of wte\'s indices runs over the features?',
      wrong: (_ctx, h, wte) => {
        if (wte.length !== h[0].length) throw new Error('not applicable: h·wte does not fit unless V = C');
        return matmul(h, wte);
      },
    },
    {
      id: 'scaled-by-sqrt-c',
      title: 'the logits scaled by 1/√C (T5\'s tied head)',
      message:
        'Your logits are h·wteᵀ divided by √C. T5 rescales its tied output by d_model^−0.5, but GPT-2 does not: its lm_head is h·wteᵀ as it is. ' +
        'In the lesson example (C = 2) row 0 should be [2, 1, 3] and yours is [1.414, 0.707, 2.121].',
      hint: 'The lesson\'s row 0 is [2, 1, 3]: is there any factor in front of h·wteᵀ in GPT-2\'s lm_head?',
      wrong: (_ctx, h, wte) => logits64(h, wte).map((row) => row.map((v) => v / Math.sqrt(h[0].length))),
    },
  ],
  hints: [
    'Each logit is a score of one token of the vocabulary for one position: a dot product of two vectors of width C.',
    'logits[t][v] = h[t] · wte[v]: row t of h with ROW v of wte (the same row the token\'s embedding came from).',
    'The output is [T, V]: one row per position, one column per token of the vocabulary, returned as raw scores.',
  ],
});
