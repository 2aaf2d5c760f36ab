import { defineExercise, type ReferenceContext } from 'llm-tutor/pack';
import { angleTable, frequencies, overwrittenPairs, ropeCases, ropeTrace, rotateHalvesTf, rotateRows } from '../rope-math.js';
import { ropeNormProperties } from '../rope-properties.js';

type Args = [x: number[][], positions: number[], base: number];

/**
 * Hugging Face's x·cos + rotate_half(x)·sin, but with cos and sin laid out for
 * neighbour pairs (each angle repeated twice in a row, GPT-J's repeat_interleave)
 * instead of repeated over the two halves. The result is not a rotation.
 */
function mixedLayouts(x: number[][], positions: number[], base: number): number[][] {
  const freqs = frequencies(x[0].length, base);
  return x.map((row, r) => {
    const d = row.length;
    const half = d / 2;
    return row.map((v, j) => {
      const angle = positions[r] * freqs[Math.floor(j / 2)];
      const rotated = j < half ? -row[j + half] : row[j - half];
      return v * Math.cos(angle) + rotated * Math.sin(angle);
    });
  });
}

export default defineExercise<Args, number[][]>({
  entry: 'applyRopeHalf',
  signature: 'applyRopeHalf(x: Matrix, positions: number[], base: number): Matrix',
  cases: ropeCases,
  reference: ({ tf }: ReferenceContext, x, positions, base) => rotateHalvesTf(tf, x, angleTable(positions, frequencies(x[0].length, base))),
  trace: (_ctx, x, positions, base) => ropeTrace(x, positions, base),
  properties: ropeNormProperties('applyRopeHalf', 'halves'),
  misconceptions: [
    {
      id: 'neighbour-layout',
      title: 'neighbour pairs (2i, 2i+1) instead of (i, i + d/2)',
      message:
        'You rotated neighbours (2i, 2i+1) together: that is the layout of RoFormer and Meta\'s LLaMA (the previous exercise). ' +
        'Here pair i is dimension i of the first half with dimension i + d/2 of the second half, as in GPT-NeoX and Hugging Face LLaMA. ' +
        'The two layouts give the same result only after permuting the dimensions (even ones first, then odd ones).',
      hint: 'Which two dimensions form pair 0 in your code? In this layout a dimension of the first half is paired with one of the second half.',
      wrong: (_ctx, x, positions, base) => rotateRows(x, positions, frequencies(x[0].length, base), 'neighbours'),
    },
    {
      id: 'sign-flipped',
      title: 'rotation the wrong way (rotate_half as [x2, −x1])',
      message:
        'Your pairs turn by −angle. rotate_half(x) is [−x2, x1] (the second half negated and moved first), so that ' +
        'out_first = x1·cos − x2·sin and out_second = x2·cos + x1·sin: the rotation (x, y) → (x cos − y sin, x sin + y cos) with x from the first half and y from the second.',
      hint: 'Rotate (1, 0) by a quarter turn by hand: it should land on (0, 1). Check the sign in front of each sin term.',
      wrong: (_ctx, x, positions, base) => rotateRows(x, positions, frequencies(x[0].length, base), 'halves', -1),
    },
    {
      id: 'mixed-layouts',
      title: 'rotate_half with cos and sin laid out for neighbour pairs',
      message:
        'You combined rotate_half (the half-split layout) with cos and sin repeated per neighbour pair: [cos θ_0·p, cos θ_0·p, cos θ_1·p, ...]. ' +
        'Dimension j and dimension j + d/2 then turn by different angles, so the result is not a rotation (the length of the pair changes). ' +
        'In the half-split layout dimension j uses angle index j mod d/2: cos and sin are [c_0 … c_{d/2−1}, c_0 … c_{d/2−1}], the table repeated over the two halves.',
      hint: 'Check which angle dimension j and dimension j + d/2 each use: the two members of a pair must turn by the same angle.',
      wrong: (_ctx, x, positions, base) => mixedLayouts(x, positions, base),
    },
    {
      id: 'pair-overwritten-in-place',
      title: 'a pair overwritten before its partner is computed',
      message:
        'The second number of each pair is computed from the first one\'s new value: you wrote out[r][i] (or x[r][i] in place) and then used it for out[r][i + d/2], or the other way round. ' +
        'Both must come from the old pair: with x = x[r][i] and y = x[r][i + d/2] read before either is written, (x cos a − y sin a, x sin a + y cos a). ' +
        'In the lesson example, position 1 comes out [−1.984111, 1.959901, −0.048665, 4.019399] instead of [−1.984111, 1.959901, 2.462378, 4.019800]: pair 0 shrinks from length √10 ≈ 3.162 to 1.985, so it is no longer a rotation.',
      hint: 'A rotation keeps the length of every pair: |(x[0], x[2])| = |(1, 3)| = √10 at every position. Does yours? When you compute x[i + d/2], is x[i] still the old value?',
      wrong: (_ctx, x, positions, base) => overwrittenPairs(x, positions, base, 'halves'),
    },
  ],
  hints: [
    'Split each row into two halves, x1 = row[0 … d/2−1] and x2 = row[d/2 … d−1]. Pair i is (x1[i], x2[i]).',
    'Pair i turns by the angle positions[r]·θ_i with θ_i = base^(−2i/d), the same frequencies as in positions/rope; only which two dimensions form a pair changes.',
    'With a = positions[r]·θ_i: out[r][i] = x1[i]·cos a − x2[i]·sin a and out[r][i + d/2] = x1[i]·sin a + x2[i]·cos a.',
  ],
});
