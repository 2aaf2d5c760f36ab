import { defineExercise, type ReferenceContext } from 'llm-tutor/pack';
import { isVector, listDifference, show, showList, wrongKind } from '../../properties.js';
import { frequencies, ropeFrequenciesTf } from '../rope-math.js';

type Method = 'linear' | 'ntk';
type Args = [d: number, base: number, factor: number, method: Method];

/** The NTK-aware base: base · factor^(d/(d−2)). */
function ntkBase(d: number, base: number, factor: number): number {
  return base * factor ** (d / (d - 2));
}

/** Relative, as the cases compare: the frequencies span many orders of magnitude. */
const relative = { atol: 1e-12, rtol: 1e-5 };

/** A property's `holds` that first checks every output is a list of numbers. */
function lists(check: (outputs: number[][], calls: Args[]) => string | undefined) {
  return (outputs: unknown[], calls: Args[]) => wrongKind('scaledRopeFrequencies', 'a list of numbers', outputs, isVector) ?? check(outputs as number[][], calls);
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
  properties: [
    {
      name: 'factor 1 gives the plain frequencies, with either method',
      cases: () => [{ name: 'd=16, base 10000, "linear" then "ntk"', calls: [[16, 10000, 1, 'linear'], [16, 10000, 1, 'ntk']] as Args[] }],
      holds: lists((outputs, calls) => {
        const plain = (call: Args) => frequencies(call[0], call[1]);
        const i = outputs.findIndex((o, j) => listDifference(plain(calls[j]), o, relative) !== undefined);
        if (i < 0) return undefined;
        return (
          `With factor 1, your "${calls[i][3]}" frequencies differ from the plain θ_i = base^(−2i/d): ${listDifference(plain(calls[i]), outputs[i], relative)} (plain first, yours second). ` +
          'A factor of 1 stretches nothing: θ_i / 1 = θ_i, and base · 1^(d/(d−2)) = base.'
        );
      }),
    },
    {
      name: 'linear scaling divides every frequency by the factor',
      cases: (rng) => {
        const d = 2 * rng.int(3, 16);
        return [4, rng.pick([2.5, 6])].map((factor) => ({ name: `d=${d}, factor 1 then ${factor}`, calls: [[d, 10000, 1, 'linear'], [d, 10000, factor, 'linear']] as Args[] }));
      },
      holds: lists(([plain, scaledOut], calls) => {
        const factor = calls[1][2];
        const difference = listDifference(plain.map((t) => t / factor), scaledOut, relative);
        if (!difference) return undefined;
        return (
          `Your linear frequencies for factor ${show(factor)} are not your factor-1 frequencies divided by ${show(factor)}: ${difference} (divided first, yours second). ` +
          `Position Interpolation rotates position p as if it were p / factor, so every θ_i becomes θ_i / factor: [1, 0.1, 0.01, 0.001] becomes [0.25, 0.025, 0.0025, 0.00025] for factor 4.`
        );
      }),
    },
    {
      name: 'NTK leaves the fastest frequency at 1 and divides the slowest by the factor',
      cases: (rng) => {
        const d = 2 * rng.int(3, 32);
        return [{ name: 'd=8, factor 1 then 4', calls: [[8, 10000, 1, 'ntk'], [8, 10000, 4, 'ntk']] as Args[] },
          { name: `d=${d}, factor 1 then 3`, calls: [[d, 10000, 1, 'ntk'], [d, 10000, 3, 'ntk']] as Args[] }];
      },
      holds: lists(([plain, ntk], calls) => {
        const factor = calls[1][2];
        const last = ntk.length - 1;
        const fastest = listDifference([1], ntk.slice(0, 1), relative);
        const slowest = listDifference([plain[last] / factor], ntk.slice(last), relative);
        if (!fastest && !slowest) return undefined;
        const found = fastest ? `your θ'_0 is ${show(ntk[0])}, not 1` : `your slowest θ' is ${show(ntk[last])}, not ${show(plain[last])} / ${show(factor)} = ${show(plain[last] / factor)}`;
        return (
          `With NTK and factor ${show(factor)}, ${found}. base' = base · factor^(d/(d−2)) multiplies pair i's frequency by factor^(−2i/(d−2)): 1 for i = 0, 1/factor for the last pair. ` +
          `For d = 8 and factor 4: ${showList([1, 0.0629961, 0.00396850, 0.00025])}.`
        );
      }),
    },
  ],
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
