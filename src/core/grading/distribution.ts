/**
 * The stochastic kind's distribution checks, graded as property cases: each
 * scenario calls the learner's function `draws` times with fresh uniforms and
 * tests the observed frequency of every outcome against its probability.
 */
import { defaultDraws, hoeffdingMargin, maxFalseFailureRate, type DistributionCheck, type DistributionScenario } from '../authoring/kinds.js';
import type { Rng } from '../authoring/rng.js';
import { t } from '../../i18n/i18n.js';
import { sentences } from '../common/words.js';

/** The calls of one scenario, and the test of their outputs. */
export interface DistributionCase {
  name: string;
  calls: unknown[][];
  holds: (outputs: unknown[], calls: unknown[][]) => string | undefined;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/**
 * Turns a distribution check into property cases. A correct function fails
 * one with probability below `falseFailureRate` (Hoeffding's inequality for
 * each outcome's frequency, a union bound over the outcomes).
 */
export function distributionCases(check: DistributionCheck, rng: Rng): DistributionCase[] {
  const draws = check.draws ?? defaultDraws;
  const delta = Math.min(check.falseFailureRate ?? maxFalseFailureRate, maxFalseFailureRate);
  return check.scenarios(rng).map((scenario: DistributionScenario) => {
    const calls = Array.from({ length: draws }, () => scenario.draw(rng));
    const labels = scenario.labels ?? scenario.expected.map((_, i) => String(i));
    const margin = hoeffdingMargin(draws, scenario.expected.length, delta);
    return {
      name: `${check.name}: ${scenario.name}`,
      calls,
      holds: (outputs: unknown[], args: unknown[][]) => {
        const counts = new Array<number>(scenario.expected.length).fill(0);
        for (let i = 0; i < outputs.length; i++) {
          let k: number;
          try {
            k = check.outcome(outputs[i], args[i]);
          } catch {
            k = -1;
          }
          if (!Number.isInteger(k) || k < 0 || k >= counts.length) {
            return t`Call ${i + 1} of ${outputs.length} returned ${JSON.stringify(outputs[i])?.slice(0, 80) ?? String(outputs[i])}, which is none of the possible outcomes (${labels.join(', ')}).`;
          }
          counts[k]++;
        }
        const observed = counts.map((c) => c / outputs.length);
        let worst = -1;
        for (let k = 0; k < counts.length; k++) {
          const gap = Math.abs(observed[k] - scenario.expected[k]);
          if (gap > margin && (worst < 0 || gap > Math.abs(observed[worst] - scenario.expected[worst]))) worst = k;
        }
        if (worst < 0) return undefined;
        // Each outcome after the first says its own separator, so that a language may use its own.
        const table = labels.map((label, k) => (k === 0 ? t`${label}: ${pct(observed[k])} (expected ${pct(scenario.expected[k])})` : t`, ${label}: ${pct(observed[k])} (expected ${pct(scenario.expected[k])})`)).join('');
        const [draws, label, got, want] = [outputs.length, labels[worst], pct(observed[worst]), pct(scenario.expected[worst])];
        const found =
          observed[worst] > scenario.expected[worst]
            ? t`Over ${draws} draws your function's outputs are not distributed as they should be: ${label} comes out too often, ${got} of the time instead of ${want}.`
            : t`Over ${draws} draws your function's outputs are not distributed as they should be: ${label} comes out too rarely, ${got} of the time instead of ${want}.`;
        return sentences([
          found,
          t`All outcomes: ${table}.`,
          t`A correct function strays more than ${(100 * margin).toFixed(1)} points from any probability less than once in ${Math.round(1 / delta).toLocaleString('en-US')} gradings.`,
        ]);
      },
    };
  });
}
