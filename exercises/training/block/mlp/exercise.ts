import { defineExercise, randomMatrix, type ReferenceContext, type Rng } from 'llm-tutor/pack';
import { matricesAgree } from '../../../transformer-core/properties.js';
import { geluErf, mlp64, mlpSteps, randomMlp, type MlpParams } from '../block-math.js';

type Args = [x: number[][], p: MlpParams];

/**
 * The lesson example: T = 2, C = 2, hidden 4C = 8. w2 sums hidden units 0–3
 * into output 0 and units 4–7 into output 1.
 */
export const lessonMlp: Args = [
  [
    [1, 2],
    [0, -1],
  ],
  {
    w1: [
      [1, -1, 0.5, 0, 2, -2, 1, 0],
      [0, 1, 0.5, 1, -1, 1, 1, -1],
    ],
    b1: [0, 0, 0, 0, 0.5, -0.5, 0, 0],
    w2: [
      [1, 0],
      [1, 0],
      [1, 0],
      [1, 0],
      [0, 1],
      [0, 1],
      [0, 1],
      [0, 1],
    ],
    b2: [0.5, -0.5],
  },
];

/** Random x [T, C] with entries of standard deviation `std` and MLP parameters of hidden 4C: pre-activations spread over the range where the GELUs differ. */
const randomInput = (rng: Rng, T: number, C: number, std = 1): Args => [randomMatrix(rng, T, C, std), randomMlp(rng, C)];

/** The calls of the row-independence property: x, then each of its rows alone. */
function rowCalls(rng: Rng, T: number, C: number): { name: string; calls: Args[] } {
  const [x, p] = randomInput(rng, T, C);
  return { name: `T = ${T}, C = ${C}`, calls: [[x, p], ...x.map((row): Args => [[row], p])] };
}

export default defineExercise<Args, number[][]>({
  entry: 'mlp',
  signature: 'mlp(x: Matrix, p: { w1: Matrix; b1: Vector; w2: Matrix; b2: Vector }): Matrix',
  cases: (rng) => [
    { name: 'the lesson example (T = 2, C = 2, hidden 8)', args: lessonMlp },
    { name: 'random, T = 3, C = 4, hidden 16', args: randomInput(rng, 3, 4) },
    { name: 'random, T = 5, C = 6, hidden 24', args: randomInput(rng, 5, 6) },
    { name: 'one token (T = 1, C = 8, hidden 32)', args: randomInput(rng, 1, 8) },
    { name: 'large pre-activations (x × 4: GELU is almost ReLU there)', args: randomInput(rng, 3, 4, 4) },
  ],
  // Exact and tanh GELU differ by up to 4.7e-4 per unit: tight enough that the wrong one shows, loose enough for a float32 reference.
  compare: { atol: 1e-5, rtol: 1e-5 },
  reference: ({ tf }: ReferenceContext, x, p) => mlpSteps(tf, tf.tensor2d(x), p).output,
  trace: ({ tf }: ReferenceContext, x, p) => mlpSteps(tf, tf.tensor2d(x), p).steps,
  properties: [
    {
      name: 'each token goes through on its own: a row alone gives the same row',
      cases: (rng) => [rowCalls(rng, 3, 2), rowCalls(rng, 2, 4)],
      holds: matricesAgree<Args>(
        'mlp',
        ([whole, ...rows]) => [whole, rows.map((r) => r[0])],
        (difference) =>
          `mlp(x) and the rows of mlp([x[t]]), one token at a time, differ (the whole first): ${difference}. ` +
          'The MLP works on each position by itself; nothing in it mixes tokens (only attention does).',
      ),
    },
  ],
  misconceptions: [
    {
      id: 'exact-gelu',
      title: 'the exact (erf) GELU where GPT-2 uses the tanh approximation',
      message:
        'Your MLP uses GELU(z) = z·Φ(z) with erf, PyTorch\'s default. GPT-2 was trained with the tanh approximation, 0.5·z·(1 + tanh(√(2/π)·(z + 0.044715·z³))) (its gelu_new), and its weights expect it. ' +
        'The two differ by at most 4.7e-4 per unit, but it adds up: the lesson\'s output [0, 0] should be 5.536553 and yours is 5.536978.',
      hint: 'Which GELU did GPT-2 train with? Compute GELU(3) both ways: 2.996363 and 2.995950. This exercise grades to 1e-5.',
      wrong: (_ctx, x, p) => mlp64(x, p, { activation: geluErf }),
    },
    {
      id: 'bias-after-activation',
      title: 'b1 added after the activation',
      message:
        'Your hidden units are gelu(x·w1) + b1: the bias comes after the nonlinearity. A linear layer is x·w1 + b1, and the GELU takes the whole of it: gelu(x·w1 + b1). ' +
        'In the lesson example output [0, 1] should be 2.642388 and yours is 2.45096.',
      hint: 'Write the first layer as a linear layer, then the activation of its output. Where does b1 sit?',
      wrong: (_ctx, x, p) => mlp64(x, p, { biasAfterActivation: true }),
    },
    {
      id: 'relu',
      title: 'ReLU instead of GELU',
      message:
        'Your activation is max(0, z), the original Transformer\'s ReLU. GPT-2 uses GELU (tanh form): a smooth curve that lets small negative values through (GELU(−0.5) = −0.154286). ' +
        'In the lesson example output [0, 0] should be 5.536553 and yours is 6.',
      hint: 'What is the activation at z = −0.5 in the lesson\'s table? ReLU would give 0.',
      wrong: (_ctx, x, p) => mlp64(x, p, { activation: (v) => Math.max(0, v) }),
    },
  ],
  hints: [
    'Two linear layers with an activation between them, applied to each row of x: widen to 4C, activate, narrow back to C.',
    'The activation is GELU\'s tanh form, 0.5·z·(1 + tanh(√(2/π)·(z + 0.044715·z³))), applied to the whole of x·w1 + b1.',
    { text: 'The exact GELU, with erf, is 4.7e-4 away at most, and the tolerance here is 1e-5: use the tanh form GPT-2 trained with.', misconception: 'exact-gelu' },
  ],
});
