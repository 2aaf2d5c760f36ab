// The speculative track's shared arithmetic: drawing a token with a given
// uniform, one step of speculative decoding (Leviathan et al. 2023, Alg. 1),
// its exact output distributions, and the expected tokens per step.
import { sampleSteps } from '../decoding/sampling-math.js';

/** A step's output: the accepted draft tokens then one token of the target's, and how many draft tokens were accepted. */
export interface SpeculativeOutput {
  tokens: number[];
  accepted: number;
}

/** decoding/sample's rule, the same function: the first i with u·Σw < Σ_{j≤i} w_j (weights may be unnormalised). */
export const sampleIndex = (weights: readonly number[], u: number): number => sampleSteps(weights, u).output;

/** max(0, p − q), entry by entry: the part of p that q does not cover. */
export const residual = (p: readonly number[], q: readonly number[]): number[] => p.map((x, j) => Math.max(0, x - q[j]));

/** How a step goes wrong, for the misconceptions' variants. */
export interface StepVariant {
  /** Accept with q_i(x)/p_i(x) and resample from max(0, q − p): the two models' roles swapped. */
  swapped?: boolean;
  /** At a rejection, draw from p_i itself instead of the residual. */
  resampleFromP?: boolean;
  /** When every draft token is accepted, return them without the target's bonus token. */
  noBonus?: boolean;
  /** Accept when u = the ratio too (u ≤ min(1, ratio)). */
  acceptOnEqual?: boolean;
}

/** One step, what a trace shows (ratios, the decision per draft token, the distribution drawn from) and the output. */
export function speculativeSteps(p: number[][], q: number[][], draft: number[], u: number[], uResample: number, variant: StepVariant = {}) {
  const gamma = draft.length;
  const ratios: number[] = [];
  const decisions: string[] = [];
  let accepted = 0;
  for (; accepted < gamma; accepted++) {
    const x = draft[accepted];
    const [target, drafted] = variant.swapped ? [q[accepted][x], p[accepted][x]] : [p[accepted][x], q[accepted][x]];
    const ratio = Math.min(1, target / drafted);
    ratios.push(ratio);
    const keep = variant.acceptOnEqual ? u[accepted] <= ratio : u[accepted] < ratio;
    decisions.push(keep ? `accept token ${x}` : `reject token ${x}`);
    if (!keep) break;
  }
  let drawnFrom: number[];
  if (accepted < gamma) {
    const [a, b] = variant.swapped ? [q[accepted], p[accepted]] : [p[accepted], q[accepted]];
    drawnFrom = variant.resampleFromP ? [...p[accepted]] : residual(a, b);
  } else {
    drawnFrom = [...p[gamma]];
  }
  const tokens = draft.slice(0, accepted);
  if (!(accepted === gamma && variant.noBonus)) tokens.push(sampleIndex(drawnFrom, uResample));
  return { steps: { ratios, decisions, accepted, drawnFrom }, output: { tokens, accepted } as SpeculativeOutput };
}

/**
 * The exact distribution of the first output token when the draft's first
 * token is drawn from q[0] and u, uResample are uniform: Σ_x q(x)·a(x) of
 * accepting plus the rejection mass times the normalised resampling weights.
 */
export function firstTokenDistribution(p0: readonly number[], q0: readonly number[], variant: StepVariant = {}): number[] {
  const [target, drafted] = variant.swapped ? [q0, p0] : [p0, q0];
  const accept = q0.map((qx, x) => qx * Math.min(1, target[x] / drafted[x]));
  const rejection = 1 - accept.reduce((s, a) => s + a, 0);
  const weights = variant.resampleFromP ? [...p0] : residual(target, drafted);
  const total = weights.reduce((s, w) => s + w, 0);
  return accept.map((a, x) => a + (total > 0 ? (rejection * weights[x]) / total : 0));
}

/** α = Σ_x min(p(x), q(x)): the probability that a token drawn from q is accepted. */
export const acceptanceRate = (p: readonly number[], q: readonly number[]): number => p.reduce((s, px, x) => s + Math.min(px, q[x]), 0);

/** E = 1 + α + … + α^γ, term by term: (1 − α^(γ+1))/(1 − α) without its 0/0 at α = 1. */
export function expectedTokens(alpha: number, gamma: number): number {
  let sum = 0;
  let power = 1;
  for (let i = 0; i <= gamma; i++) {
    sum += power;
    power *= alpha;
  }
  return sum;
}
