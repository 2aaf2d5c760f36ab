import { describe, expect, test } from 'vitest';
import { hoeffdingMargin } from '../../src/core/authoring/kinds.js';
import { Rng } from '../../src/core/authoring/rng.js';
import { distributionCases } from '../../src/core/grading/distribution.js';

const weights = [1, 2, 3, 2];
const expected = [1 / 8, 2 / 8, 3 / 8, 2 / 8];
const check = {
  name: 'follows the weights',
  scenarios: () => [{ name: 'w', expected, labels: ['a', 'b', 'c', 'd'], draw: (rng: Rng) => [weights, rng.next()] }],
  outcome: (k: unknown) => k as number,
  draws: 4000,
};
const sample = (u: number) => {
  let c = 0;
  for (let i = 0; i < weights.length; i++) if (u * 8 < (c += weights[i])) return i;
  return weights.length - 1;
};

describe('distribution checks', () => {
  test('the margin is Hoeffding with a union bound: √(ln(2K/δ) / 2n)', () => {
    expect(hoeffdingMargin(4000, 4, 1e-6)).toBeCloseTo(Math.sqrt(Math.log(8e6) / 8000), 12);
    expect(hoeffdingMargin(4000, 4, 1e-6)).toBeCloseTo(0.04457, 5);
  });

  test('a correct sampler passes on every one of 300 seeds', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const [c] = distributionCases(check, new Rng(seed));
      expect(c.holds(c.calls.map((args) => sample(args[1] as number)), c.calls)).toBeUndefined();
    }
  });

  test('a skewed sampler fails, saying which outcome comes out too often and every frequency', () => {
    const [c] = distributionCases(check, new Rng(7));
    const skewed = c.calls.map((args) => ((args[1] as number) < 0.2 ? 0 : sample(args[1] as number)));
    const message = c.holds(skewed, c.calls)!;
    expect(message).toMatch(/^Over 4000 draws your function's outputs are not distributed as they should be: a comes out too often, 2\d\.\d% of the time instead of 12\.5%\./);
    expect(message).toMatch(/All outcomes: a: 2\d\.\d% \(expected 12\.5%\), b: \d+\.\d% \(expected 25\.0%\), c: \d+\.\d% \(expected 37\.5%\), d: \d+\.\d% \(expected 25\.0%\)\./);
    expect(message).toContain('strays more than 4.5 points from any probability less than once in 1,000,000 gradings.');
  });

  test('an output that is no outcome is named', () => {
    const [c] = distributionCases(check, new Rng(1));
    const outs = c.calls.map(() => 0);
    outs[10] = 9;
    expect(c.holds(outs, c.calls)).toBe('Call 11 of 4000 returned 9, which is none of the possible outcomes (a, b, c, d).');
  });
});
