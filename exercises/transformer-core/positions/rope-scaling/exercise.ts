import { defineExercise, type ReferenceContext } from 'llm-tutor/pack';
import { frequencies, ropeFrequenciesTf } from '../rope-math.js';

type Method = 'linear' | 'ntk';
type Args = [d: number, base: number, factor: number, method: Method];

/** The NTK-aware base: base · factor^(d/(d−2)). */
function ntkBase(d: number, base: number, factor: number): number {
  return base * factor ** (d / (d - 2));
}

/** The scaled frequencies in float64; the wrong variants reuse it for the method they get right. */
function scaled(d: number, base: number, factor: number, method: Method): number[] {
  return method === 'linear' ? frequencies(d, base).map((t) => t / factor) : frequencies(d, ntkBase(d, base, factor));
}

export default defineExercise<Args, number[]>({
  entry: 'scaledRopeFrequencies',
  signature: 'scaledRopeFrequencies(d: number, base: number, factor: number, method: "linear" | "ntk"): Vector',
  // The frequencies span many orders of magnitude, so they are compared relatively.
  compare: { atol: 1e-12, rtol: 1e-5 },
  cases: (rng) => {
    const d = 2 * rng.int(3, 32);
    const base = rng.pick([10000, 500000]);
    const factor = rng.pick([1.5, 2.5, 3, 6]);
    return [
      { name: 'the lesson example, linear (d=8, base 10000, factor 4)', args: [8, 10000, 4, 'linear'] },
      { name: 'the lesson example, NTK (d=8, base 10000, factor 4)', args: [8, 10000, 4, 'ntk'] },
      { name: 'factor 1, linear: nothing changes', args: [16, 10000, 1, 'linear'] },
      { name: 'factor 1, NTK: nothing changes', args: [16, 10000, 1, 'ntk'] },
      { name: 'Position Interpolation, LLaMA 2048 → 32768 (d=128, factor 16, linear)', args: [128, 10000, 16, 'linear'] },
      { name: 'NTK-aware, alpha 8 (d=128, base 10000, factor 8)', args: [128, 10000, 8, 'ntk'] },
      { name: 'NTK with d=4 (base · factor²)', args: [4, 10000, 3, 'ntk'] },
      { name: `random, linear (d=${d}, base ${base}, factor ${factor})`, args: [d, base, factor, 'linear'] },
      { name: `random, NTK (d=${d}, base ${base}, factor ${factor})`, args: [d, base, factor, 'ntk'] },
      { name: 'one pair, linear (d=2, factor 2)', args: [2, 10000, 2, 'linear'] },
    ];
  },
  reference: ({ tf }: ReferenceContext, d, base, factor, method) =>
    method === 'linear' ? tf.div(ropeFrequenciesTf(tf, d, base), factor) : ropeFrequenciesTf(tf, d, ntkBase(d, base, factor)),
  misconceptions: [
    {
      id: 'linear-multiplies',
      title: 'linear scaling multiplies the frequencies by the factor',
      message:
        'Your linear frequencies are θ_i · factor: every pair turns faster, so a long context looks even longer. ' +
        'Position Interpolation squeezes positions: position p is rotated as if it were p / factor, which is the same as dividing every θ_i by the factor.',
      hint: 'Scaling for a longer context should make the rotations slower, so every θ smaller. Does yours grow?',
      wrong: (_ctx, d, base, factor, method) => (method === 'linear' ? frequencies(d, base).map((t) => t * factor) : scaled(d, base, factor, method)),
    },
    {
      id: 'ntk-base-times-factor',
      title: 'NTK base = base · factor (exponent d/(d−2) missing)',
      message:
        'Your NTK base is base · factor. The NTK-aware rule is base\' = base · factor^(d/(d−2)): the exponent d/(d−2) is chosen so that the slowest pair, ' +
        'θ_(d/2−1) = base\'^(−(d−2)/d), is divided by exactly the factor, as linear scaling would, while θ_0 = 1 stays the same.',
      hint: 'With NTK, the slowest frequency should come out divided by exactly the factor. Check it for your base: what exponent on the factor makes that true?',
      wrong: (_ctx, d, base, factor, method) => (method === 'ntk' ? frequencies(d, base * factor) : scaled(d, base, factor, method)),
    },
    {
      id: 'ntk-exponent-inverted',
      title: 'NTK base = base · factor^((d−2)/d): the exponent upside down',
      message:
        'Your NTK base is base · factor^((d−2)/d), an exponent below 1 where the rule has d/(d−2), above 1. ' +
        'base\' = base · factor^(d/(d−2)) is what divides the slowest pair, θ_(d/2−1) = base\'^(−(d−2)/d), by exactly the factor. ' +
        'In the lesson example (d = 8, factor 4) your base is 28284.27 instead of 63496.04, and the slowest pair is slowed by 4^(9/16) ≈ 2.18 instead of 4.',
      hint: 'Print your NTK base for d = 8, factor 4: the lesson gets 63496.04. Is the exponent on your factor above 1 or below it?',
      wrong: (_ctx, d, base, factor, method) => (method === 'ntk' ? frequencies(d, base * factor ** ((d - 2) / d)) : scaled(d, base, factor, method)),
    },
    {
      id: 'ntk-as-linear',
      title: 'NTK computed like linear scaling (every θ_i divided by the factor)',
      message:
        'For "ntk" you divided every frequency by the factor, which is linear scaling. NTK-aware scaling changes the base instead: ' +
        'base\' = base · factor^(d/(d−2)), then θ_i = base\'^(−2i/d). The fast pairs (small i) barely change and only the slow ones are stretched, so nearby tokens keep their resolution.',
      hint: 'Compare your NTK frequencies with your linear ones: they should differ. NTK leaves the fast pairs almost alone; what does it change instead of dividing?',
      wrong: (_ctx, d, base, factor, method) => (method === 'ntk' ? frequencies(d, base).map((t) => t / factor) : scaled(d, base, factor, method)),
    },
    {
      id: 'ntk-base-divided',
      title: 'NTK base divided by factor^(d/(d−2)) instead of multiplied',
      message:
        'Your NTK base is base / factor^(d/(d−2)): a smaller base makes every pair turn faster, the opposite of what a longer context needs. ' +
        'Multiply: base\' = base · factor^(d/(d−2)). A larger base means slower rotations, so positions beyond the training length stay within angles the model has seen.',
      hint: 'A bigger base means slower rotations. Should the new base be larger or smaller than the old one?',
      wrong: (_ctx, d, base, factor, method) => (method === 'ntk' ? frequencies(d, base / factor ** (d / (d - 2))) : scaled(d, base, factor, method)),
    },
  ],
  hints: [
    'Start from the plain frequencies of positions/rope-frequencies, θ_i = base^(−2i/d) for i = 0 … d/2 − 1. Both methods make every θ_i smaller (or equal): the rotations slow down.',
    'Linear (Position Interpolation): θ_i / factor, the same as rotating position p as if it were p / factor.',
    'NTK-aware: keep the formula and change the base: base\' = base · factor^(d/(d−2)), then θ_i = base\'^(−2i/d). You may import your own ropeFrequencies from \'./rope-frequencies.js\'.',
  ],
});
