/**
 * The kinds of exercise beyond "return the reference's value": gradient,
 * stepwise, schedule and stochastic (docs/authoring.md has a section on each).
 * Only types and the checks' arithmetic live here; grading them is in
 * core/grading.
 */
import type { Rng } from './rng.js';
import type { ReferenceContext, Tf } from './exercise.js';

/** A tfjs tensor, as a gradient exercise's loss receives and returns them. */
export type Tensor = ReturnType<Tf['tensor']>;

/** Plain numeric data a tensor is built from: a number or nested arrays of numbers. */
export type NumericData = number | number[] | number[][] | number[][][] | number[][][][];

/**
 * Gradient kind: the reference is TensorFlow.js autodiff of a forward pass,
 * not a hand-written formula. The learner returns the gradients of `loss`
 * with respect to the values `wrt` names, by those names (`{ dx, dw, db }`).
 */
export interface GradientSpec<Args extends unknown[] = any[]> {
  /** The values to differentiate with respect to, built from a case's arguments, named as the learner's output names them. */
  wrt: (...args: Args) => Record<string, NumericData>;
  /**
   * The scalar whose gradient is taken: the forward pass of the `wrt` values
   * (given as tensors), contracted with the upstream gradient where the
   * exercise has one (for `y = x·w + b` with upstream `dy`: `sum(dy ⊙ y)`).
   * A tensor that is not a scalar is summed.
   */
  loss: (ctx: ReferenceContext, vars: Record<string, Tensor>, ...args: Args) => Tensor;
  /** The learner returns the single gradient itself rather than a record (`wrt` then names exactly one value). */
  single?: boolean;
}

/** Where a step's argument comes from in the previous step's output: `{ from: ['params'], to: [0] }` makes argument 0 the previous output's `params`. */
export type { Carry } from '../../sandbox/wire.js';
import type { Carry } from '../../sandbox/wire.js';

/** Stepwise kind: the learner's function is called for each step on its own previous output. */
export interface StepwiseSpec {
  /** How each step after the first takes values from the previous step's output; the rest of its arguments are the case's. */
  carry: Carry[];
}

/** One case of a stepwise exercise: the arguments of each step (from step 2 on, the carried places are overwritten). */
export interface StepwiseCase<Args extends unknown[] = unknown[]> {
  name: string;
  steps: Args[];
}

/** A plan drawn as a grid, for example ranks × steps or stages × time; marked cells show where a property breaks. */
export interface PlanDrawing {
  /** What a row and a column are: `rank`, `step`. */
  rowTitle: string;
  colTitle: string;
  rows: string[];
  cols: string[];
  /** cells[row][col], a few characters each (`F3`, `c2`, ``). */
  cells: string[][];
  /** Cells to highlight: [row, col]. */
  marks?: [number, number][];
}

/** The first property of a plan that does not hold. */
export interface PlanViolation {
  /** The property, in a few words: "every rank ends with the full sum". */
  property: string;
  /** What happened, for the learner: which rank, which step, which value. */
  message: string;
  drawing?: PlanDrawing;
}

/** Schedule kind: the learner returns a plan, which `check` simulates and checks by its properties. */
export interface ScheduleSpec<Args extends unknown[] = any[], Out = unknown> {
  /** Returns undefined when every property holds, else the first that does not. Receives the learner's output as plain data. */
  check: (plan: Out, ...args: Args) => PlanViolation | undefined;
}

/** Fixed inputs whose output distribution is known, and how to draw the random part of each call. */
export interface DistributionScenario<Args extends unknown[] = unknown[]> {
  name: string;
  /** The probability of each outcome (they sum to 1). */
  expected: number[];
  /** Names of the outcomes, for messages (default: their indices). */
  labels?: string[];
  /** The arguments of one call: the fixed inputs and fresh uniforms from `rng`. */
  draw: (rng: Rng) => Args;
}

/**
 * Stochastic kind: randomness enters as given uniforms, so each call is
 * deterministic; a distribution check calls the learner's function `draws`
 * times per scenario and tests that its outcomes follow `expected`.
 */
export interface DistributionCheck<Args extends unknown[] = any[], Out = unknown> {
  name: string;
  scenarios: (rng: Rng) => DistributionScenario<Args>[];
  /** Which outcome (an index into `expected`) an output is; throw or return -1 for an output that is none. */
  outcome: (output: Out, args: Args) => number;
  /** Calls per scenario (default 10 000). */
  draws?: number;
  /** The chance that a correct function fails the check (default and most 1e-6). */
  falseFailureRate?: number;
}

export const defaultDraws = 10_000;
export const maxFalseFailureRate = 1e-6;

/**
 * The largest deviation of an observed frequency from its probability that
 * a correct function shows with probability below `delta`, over all `k`
 * outcomes together: Hoeffding's inequality, P(|f̂ − p| > ε) ≤ 2·exp(−2nε²)
 * per outcome, and a union bound over the outcomes.
 */
export function hoeffdingMargin(draws: number, outcomes: number, delta: number): number {
  return Math.sqrt(Math.log((2 * outcomes) / delta) / (2 * draws));
}
