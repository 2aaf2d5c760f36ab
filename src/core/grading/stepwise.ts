/**
 * The stepwise kind, on the parent's side: rebuilding the arguments each step
 * of a trajectory received (the case's, with the carried places taken from
 * the learner's own previous output, exactly as the sandbox built them), and
 * the reference's output on those arguments, so each step is judged from the
 * learner's own state.
 */
import type { ReferenceContext } from '../authoring/exercise.js';
import type { Carry } from '../authoring/kinds.js';
import { applyCarry } from '../../sandbox/wire.js';
import type { SandboxRun } from '../../sandbox/run-child.js';
import { expectedFor, type PreparedExercise } from './prepare.js';

/** The arguments each step received, up to the first step that could not be built. */
export interface StepInputs {
  args: unknown[][];
  /** The first step whose arguments could not be built, and what the previous output lacked. */
  broken?: { step: number; missing: string };
}

/** Rebuilds a trajectory's arguments from its steps and the learner's outputs (calls `first`, `first + 1`, …). */
export function stepInputs(steps: readonly unknown[][], carry: readonly Carry[], first: number, outcomes: SandboxRun['outcomes']): StepInputs {
  const args: unknown[][] = [steps[0]];
  for (let t = 1; t < steps.length; t++) {
    const previous = outcomes[first + t - 1];
    if (!previous?.ok) break;
    const built = applyCarry(steps[t], previous.value, carry as Carry[]);
    if (!built.ok) return { args, broken: { step: t, missing: built.missing } };
    args.push(built.args);
  }
  return { args };
}

/** For each stepwise case: its steps' arguments and the reference's output on each (the first from the prepared expectations). */
export async function expectSteps(prepared: PreparedExercise, expected: readonly unknown[], ctx: ReferenceContext, outcomes: SandboxRun['outcomes']): Promise<Map<number, StepInputs & { expected: unknown[] }>> {
  const out = new Map<number, StepInputs & { expected: unknown[] }>();
  const carry = prepared.definition.stepwise?.carry;
  if (!carry) return out;
  for (let i = 0; i < prepared.cases.length; i++) {
    const kase = prepared.cases[i];
    if (!kase.steps) continue;
    const inputs = stepInputs(kase.steps, carry, prepared.firstCall[i], outcomes);
    const values = [expected[i]];
    for (let t = 1; t < inputs.args.length; t++) values.push(await expectedFor(prepared.ref, prepared.definition, `${kase.name}, step ${t + 1}`, inputs.args[t], ctx));
    out.set(i, { ...inputs, expected: values });
  }
  return out;
}
