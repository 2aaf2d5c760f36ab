import { defineExercise, type ReferenceContext } from 'llm-tutor/pack';
import { angleTable, frequencies, overwrittenPairs, ropeCases, ropeTrace, rotateNeighboursTf, rotateRows } from '../rope-math.js';
import { ropeNormProperties } from '../rope-properties.js';

type Args = [x: number[][], positions: number[], base: number];

export default defineExercise<Args, number[][]>({
  entry: 'applyRope',
  signature: 'applyRope(x: Matrix, positions: number[], base: number): Matrix',
  cases: ropeCases,
  reference: ({ tf }: ReferenceContext, x, positions, base) => rotateNeighboursTf(tf, x, angleTable(positions, frequencies(x[0].length, base))),
  trace: (_ctx, x, positions, base) => ropeTrace(x, positions, base),
  properties: ropeNormProperties('applyRope', 'neighbours'),
  misconceptions: [
    {
      id: 'half-split-layout',
      title: 'pairs (i, i + d/2) instead of neighbours (2i, 2i+1)',
      message:
        'You rotated dimension i together with dimension i + d/2: that is the half-split layout of GPT-NeoX and Hugging Face LLaMA (the next exercise). ' +
        'This exercise follows RoFormer and Meta\'s LLaMA: pair i is the neighbours (2i, 2i+1), rotated by positions[r]·θ_i. ' +
        'Both are valid RoPEs, but a model only works with the layout it was trained with.',
      hint: 'Which two dimensions form pair 0 in your code? This exercise pairs each dimension with its neighbour.',
      wrong: (_ctx, x, positions, base) => rotateRows(x, positions, frequencies(x[0].length, base), 'halves'),
    },
    {
      id: 'sign-flipped',
      title: 'rotation the wrong way (sin with the opposite sign)',
      message:
        'Your pairs turn by −angle: (x cos + y sin, −x sin + y cos). The rotation by +angle is (x, y) → (x cos − y sin, x sin + y cos), ' +
        'which is multiplying x + iy by e^(i·angle). The attention scores would still depend only on the distance between tokens, ' +
        'but with the sign of that distance reversed, so weights trained with the standard rotation would read positions backwards.',
      hint: 'Rotate (1, 0) by a quarter turn by hand: it should land on (0, 1). Does your formula do that?',
      wrong: (_ctx, x, positions, base) => rotateRows(x, positions, frequencies(x[0].length, base), 'neighbours', -1),
    },
    {
      id: 'exponent-i-over-d',
      title: 'θ_i = base^(−i/d) instead of base^(−2i/d)',
      message:
        'Your frequencies fall too slowly: θ_i = base^(−i/d) only reaches base^(−1/2) at the last pair, so the slowest pairs turn about 100 times too fast (base 10000). ' +
        'The exponent is −2i/d for pair i = 0 … d/2 − 1 (the 2i is the index of the pair\'s first dimension); for d = 8, θ = [1, 0.1, 0.01, 0.001].',
      hint: 'Print your θ for d = 8, base 10000: it should be [1, 0.1, 0.01, 0.001]. Check the exponent.',
      wrong: (_ctx, x, positions, base) => rotateRows(x, positions, frequencies(x[0].length, base, 1), 'neighbours'),
    },
    {
      id: 'row-index-as-position',
      title: 'the row index used instead of positions[r]',
      message:
        'You rotated row r by r·θ_i, ignoring the positions argument. The rows are tokens, but their positions are given separately: ' +
        'after a KV cache the new tokens sit at positions 17, 18, 19..., not 0, 1, 2. Use positions[r].',
      hint: 'Which argument says where each row is in the sequence? Your rows may not start at position 0.',
      wrong: (_ctx, x, _positions, base) => rotateRows(x, x.map((_, r) => r), frequencies(x[0].length, base), 'neighbours'),
    },
    {
      id: 'pair-overwritten-in-place',
      title: 'a pair overwritten before its partner is computed',
      message:
        'The second number of each pair is computed from the first one\'s new value: you wrote out[r][2i] (or x[r][2i] in place) and then used it for out[r][2i+1], or the other way round. ' +
        'Both must come from the old pair: with x = x[r][2i] and y = x[r][2i+1] read before either is written, (x cos a − y sin a, x sin a + y cos a). ' +
        'In the lesson example, position 1 comes out [−1.142640, 0.119106, 2.959851, 4.029398] instead of [−1.142640, 1.922076, 2.959851, 4.029800]: pair 0 shrinks from length √5 ≈ 2.236 to 1.149, so it is no longer a rotation.',
      hint: 'A rotation keeps the length of every pair: |(1, 2)| = √5 at every position. Does yours? When you compute a pair\'s second number, is its first number still the old one?',
      wrong: (_ctx, x, positions, base) => overwrittenPairs(x, positions, base, 'neighbours'),
    },
  ],
  hints: [
    'Work pair by pair: for row r and pair i, the two numbers (x[r][2i], x[r][2i+1]) are a point in the plane, turned by the angle positions[r]·θ_i.',
    'θ_i = base^(−2i/d) for i = 0 … d/2 − 1, with d = x[0].length. Position 0 leaves a row unchanged; that is a quick check.',
    'With a = positions[r]·θ_i, x = x[r][2i] and y = x[r][2i+1]: out[r][2i] = x·cos a − y·sin a and out[r][2i+1] = x·sin a + y·cos a. Build a new matrix: read x and y before writing.',
  ],
});
