import { anyOf, defineExercise, type ReferenceContext } from 'llm-tutor/pack';
import { frequencies, ropeFrequenciesTf } from '../rope-math.js';
import { close, isVector, show, wrongKind } from '../../properties.js';

type Args = [d: number, base: number];

const frequencyCases = () => [
  { name: 'd=8, base 10000', calls: [[8, 10000]] as Args[] },
  { name: 'd=12, base 100', calls: [[12, 100]] as Args[] },
  { name: 'd=128, base 500000', calls: [[128, 500000]] as Args[] },
];

export default defineExercise<Args, number[]>({
  entry: 'ropeFrequencies',
  signature: 'ropeFrequencies(d: number, base: number): Vector',
  // The frequencies span many orders of magnitude (down to 1e-6 and below), so they are compared relatively.
  compare: { atol: 1e-12, rtol: 1e-5 },
  cases: (rng) => {
    const d = 2 * rng.int(3, 16);
    const base = 100 * rng.int(2, 200);
    return [
      { name: 'the lesson example (d=8, base 10000): [1, 0.1, 0.01, 0.001]', args: [8, 10000] },
      { name: 'one pair (d=2)', args: [2, 10000] },
      { name: 'd=4, base 100', args: [4, 100] },
      { name: `random (d=${d}, base ${base})`, args: [d, base] },
      { name: 'GPT-NeoX / LLaMA 2 heads (d=128, base 10000)', args: [128, 10000] },
      { name: 'LLaMA 3 (d=128, base 500000)', args: [128, 500000] },
      { name: 'Code Llama (d=128, base 1000000)', args: [128, 1_000_000] },
      { name: 'a small head (d=16, base 10000)', args: [16, 10000] },
    ];
  },
  reference: ({ tf }: ReferenceContext, d, base) => ropeFrequenciesTf(tf, d, base),
  properties: [
    {
      name: 'the frequencies start at θ_0 = 1 and strictly decrease',
      cases: frequencyCases,
      holds: (outputs) => {
        const odd = wrongKind('ropeFrequencies', 'a list of numbers', outputs, isVector);
        if (odd) return odd;
        const theta = outputs[0];
        if (!close(1, theta[0], { atol: 1e-12, rtol: 0 })) return `Your θ_0 is ${show(theta[0])}. The first pair turns fastest, at base^0 = 1 radian per position.`;
        const i = theta.findIndex((t, k) => k > 0 && !(t < theta[k - 1]));
        if (i < 0) return undefined;
        return `Your θ_${i} = ${show(theta[i])} is not below θ_${i - 1} = ${show(theta[i - 1])}. θ_i = base^(−2i/d) with base > 1 shrinks as i grows: each pair turns more slowly than the one before.`;
      },
    },
    {
      name: 'each frequency is the previous one times base^(−2/d)',
      cases: frequencyCases,
      holds: (outputs, calls) => {
        const odd = wrongKind('ropeFrequencies', 'a list of numbers', outputs, isVector);
        if (odd) return odd;
        const [d, base] = calls[0];
        const ratio = base ** (-2 / d);
        const theta = outputs[0];
        const i = theta.findIndex((t, k) => k > 0 && !close(ratio, t / theta[k - 1], { atol: 0, rtol: 2e-5 }));
        if (i < 0) return undefined;
        return (
          `Your θ_${i} / θ_${i - 1} is ${show(theta[i] / theta[i - 1])}, but with d = ${d} and base ${base} every ratio is base^(−2/d) = ${show(ratio)}. ` +
          'The frequencies form a geometric sequence: going from pair i to pair i + 1 adds −2/d to the exponent.'
        );
      },
    },
  ],
  misconceptions: [
    {
      id: 'exponent-i-over-d',
      title: 'θ_i = base^(−i/d) instead of base^(−2i/d)',
      message:
        'Your exponent is −i/d, half of what it should be, so the frequencies fall too slowly: the last one is about base^(−1/2) instead of about 1/base. ' +
        'The exponent is −2i/d: 2i is the index of the first dimension of pair i (Meta\'s LLaMA writes arange(0, d, 2) / d). For d = 8: [1, 0.1, 0.01, 0.001].',
      hint: 'For d = 8 and base 10000 you should get [1, 0.1, 0.01, 0.001]. Compare your exponent with the one in the lesson\'s formula.',
      wrong: (_ctx, d, base) => frequencies(d, base, 1),
    },
    {
      id: 'd-entries',
      title: 'd frequencies instead of d/2',
      message:
        'You returned d numbers. RoPE turns the d dimensions two at a time, so there are d/2 pairs and d/2 frequencies, θ_0 … θ_(d/2−1). ' +
        'Common causes: looping i over 0 … d − 1 (or arange(0, d) instead of arange(0, d, 2)), or repeating each frequency for the two members of its pair; ' +
        'that repetition belongs to applying the rotation, not to the frequency list.',
      hint: 'How many numbers does your function return? RoPE turns the dimensions two at a time.',
      wrong: (_ctx, d, base) => {
        const half = frequencies(d, base);
        return anyOf(
          Array.from({ length: d }, (_, i) => base ** ((-2 * i) / d)), // i = 0 … d−1 with exponent −2i/d
          Array.from({ length: d }, (_, j) => base ** (-j / d)), // arange(0, d) / d
          half.flatMap((t) => [t, t]), // repeat_interleave, for neighbour pairs
          [...half, ...half], // cat(freqs, freqs), for the half-split layout
        );
      },
    },
    {
      id: 'positive-exponent',
      title: 'base^(+2i/d): wavelengths instead of frequencies',
      message:
        'Your numbers grow with i: base^(2i/d) is 1/θ_i, the number of positions pair i needs to turn by one radian (its wavelength divided by 2π). ' +
        'θ_i = base^(−2i/d) = 1 / base^(2i/d): the first pair turns fastest (θ_0 = 1 radian per position) and the last slowest.',
      hint: 'Your numbers grow with i, but the first pair should turn fastest. Check the sign of the exponent.',
      wrong: (_ctx, d, base) => frequencies(d, base, -2),
    },
    {
      id: 'index-from-one',
      title: 'i counted from 1 (θ_0 is not 1)',
      message:
        'Your first frequency is base^(−2/d) instead of 1: the pairs are numbered from i = 0, so θ_0 = base^0 = 1 and the last is θ_(d/2−1) = base^(−(d−2)/d).',
      hint: 'What is your first frequency? Pair 0 has exponent 0.',
      wrong: (_ctx, d, base) => Array.from({ length: d / 2 }, (_, i) => base ** ((-2 * (i + 1)) / d)),
    },
  ],
  hints: [
    'How many numbers? One per pair of dimensions: d/2 of them, for i = 0 … d/2 − 1.',
    'θ_i = base^(−2i/d). The first is always 1; each next one is smaller by the same factor, base^(−2/d).',
    'The exponent is negative and counts pairs, not dimensions: entry i uses 2i/d, so the last one (i = d/2 − 1) is base^(−(d−2)/d), just above 1/base, never 1/base itself.',
  ],
});
