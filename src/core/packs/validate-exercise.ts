/**
 * The checks of one exercise that `pack validate` runs beyond its files: a
 * learner simulated for each misconception, what only some kinds need (a
 * gradient against central differences, a plan against its own check), and
 * the pack's own solution and starter graded like a learner's file.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BackendName } from '../../reference/backend.js';
import { contextFor, defaultTolerance, type ExerciseDefinition, type ReferenceContext } from '../authoring/exercise.js';
import { compareOutputs } from '../grading/compare.js';
import { diagnose, wrongOutcome, type GradedCase, type WrongOutputCache } from '../grading/diagnose.js';
import { buildCases, computeExpected, gradeExercise } from '../grading/grade.js';
import { checkGradientNumerically } from '../grading/gradient.js';
import { describeDefinitionThrow, expectedFor, type PreparedCase } from '../grading/prepare.js';
import { traceValues } from '../grading/trace.js';
import { defaultLocale } from '../authoring/locale-tags.js';
import { Rng } from '../authoring/rng.js';
import { parseSignature } from '../authoring/signature.js';
import { onlyNotImplemented } from '../grading/explain.js';
import type { Verdict } from '../grading/verdict.js';
import { applyCarry } from '../../sandbox/wire.js';
import { exercisesRootOf, learnerFileOf } from '../workspace/workspace.js';
import { exerciseFiles, type ExerciseRef } from './packs.js';
import { t } from '../../i18n/i18n.js';
import { sentences } from '../common/words.js';

export interface MisconceptionCheck {
  id: string;
  /** Cases where the wrong variant's output fails the reference. */
  failingCases: number;
  /** What a learner whose outputs equal the wrong variant's is diagnosed as. */
  diagnosed?: string;
  /** Another misconception whose outputs are identical on every case. */
  sameAs?: string;
  /** The first case where its wrong() threw, and what it threw (with where in exercise.ts when known). */
  thrown?: { caseName: string; message: string; everyCase: boolean };
}

/**
 * Simulates, for each misconception, a learner whose function returns the
 * wrong variant's output: does it fail the reference somewhere (reachable), is
 * it diagnosed as itself, and is it told apart from the others (distinct)?
 */
export async function checkMisconceptions(ref: ExerciseRef, definition: ExerciseDefinition, seed: number, ctx: ReferenceContext): Promise<MisconceptionCheck[]> {
  const cases = buildCases(ref, definition, seed);
  const expected = await computeExpected(ref, definition, cases, ctx);
  const tolerance = definition.compare ?? defaultTolerance;
  const misconceptions = definition.misconceptions ?? [];
  const firstOutputs: (unknown | undefined)[][] = [];
  const out: MisconceptionCheck[] = [];
  // A schedule passes when its plan checks out, whichever plan it is.
  const passes = (i: number, got: unknown) => {
    if (!definition.schedule) return compareOutputs(expected[i], got, tolerance).ok;
    try {
      return definition.schedule.check(got, ...cases[i].args) === undefined;
    } catch {
      return false;
    }
  };
  // Every variant runs once per case: diagnosing each simulated learner reads the others' outputs from this cache, as grading does.
  const cache: WrongOutputCache = new Map();
  const outcomes: ({ outputs: unknown[] } | { thrown: unknown })[][] = [];
  for (const m of misconceptions) {
    const row: ({ outputs: unknown[] } | { thrown: unknown })[] = [];
    for (let i = 0; i < cases.length; i++) {
      const outcome = await wrongOutcome(m, contextFor(ctx, cases[i].entry), cases[i].args);
      cache.set(`${m.id}#${i}`, 'outputs' in outcome ? outcome.outputs : undefined);
      row.push(outcome);
    }
    outcomes.push(row);
  }
  for (const [k, m] of misconceptions.entries()) {
    const graded: GradedCase[] = [];
    const outputs: (unknown | undefined)[] = [];
    let thrown: MisconceptionCheck['thrown'];
    for (let i = 0; i < cases.length; i++) {
      // Where the variant throws, grading reports an error and diagnosis skips the case.
      const outcome = outcomes[k][i];
      if ('thrown' in outcome) {
        thrown ??= { caseName: cases[i].name, message: describeDefinitionThrow(ref, outcome.thrown), everyCase: false };
        outputs.push(undefined);
        continue;
      }
      outputs.push(outcome.outputs[0]);
      graded.push({ args: cases[i].args, expected: expected[i], got: outcome.outputs[0], passed: passes(i, outcome.outputs[0]), index: i, ...(cases[i].entry ? { entry: cases[i].entry } : {}) });
    }
    // As grading diagnoses: a schedule's plan that breaks the same property as a wrong plan counts too.
    const diagnosis = await diagnose(misconceptions, graded, tolerance, ctx, cache, defaultLocale, definition.schedule);
    const sameIndex = firstOutputs.findIndex((other) => other.every((o, i) => (o === undefined) === (outputs[i] === undefined) && (o === undefined || compareOutputs(o, outputs[i], tolerance).ok)));
    firstOutputs.push(outputs);
    if (thrown && graded.length === 0) thrown.everyCase = true;
    out.push({ id: m.id, failingCases: graded.filter((g) => !g.passed).length, diagnosed: diagnosis?.misconceptionId, sameAs: sameIndex >= 0 ? misconceptions[sameIndex].id : undefined, thrown });
  }
  return out;
}

export type Problem = (file: string, field: string, message: string, fix: string) => void;

/**
 * What only some kinds need checked: a gradient reference against central
 * differences of its loss, a schedule's reference plan against its own check,
 * a stepwise trajectory's carries on the reference's own outputs, a
 * distribution's probabilities. Returns false when the definition is wrong.
 */
export async function checkKind(
  ref: ExerciseRef,
  definition: ExerciseDefinition,
  file: string,
  ctx: ReferenceContext,
  seed: number,
  { cases, expected }: { cases: PreparedCase[]; expected: unknown[] },
  problem: Problem,
): Promise<boolean> {
  if (definition.gradient) {
    for (const c of cases.slice(0, 4)) {
      const off = await checkGradientNumerically(definition.gradient, ctx, c.args);
      if (off) {
        const at = `${off.name}, entry ${off.index}`;
        problem(file, 'gradient.loss', t`autodiff and central differences disagree on case "${c.name}" (${at}: ${off.autodiff} vs ${off.numeric})`, t('Move the case off a kink of the loss (max, abs or a step at 0 has no gradient there), or write the loss with ops whose tfjs gradient is right (tf.customGrad gradients are not checked otherwise).'));
        return false;
      }
    }
  }
  if (definition.schedule) {
    for (const [i, c] of cases.entries()) {
      let violation;
      try {
        violation = definition.schedule.check(expected[i], ...c.args);
      } catch (error) {
        violation = { property: 'check', message: t`threw ${(error as Error).message}` };
      }
      if (violation) {
        problem(file, 'schedule.check', t`the reference's plan fails its own check on case "${c.name}": ${violation.property}: ${violation.message}`, t('Fix the reference or the check so that the reference plan passes.'));
        return false;
      }
    }
  }
  if (definition.stepwise) {
    // The reference fed its own outputs: every carry must find its value, or no learner could get past step 1.
    const carry = definition.stepwise.carry;
    for (const c of cases) {
      let args = c.args;
      for (let k = 1; k < (c.steps?.length ?? 0); k++) {
        const out = await expectedFor(ref, definition, c.name, args, ctx);
        const built = applyCarry(c.steps![k], out, carry);
        if (!built.ok) {
          problem(file, 'stepwise.carry', t`on case "${c.name}", step ${k + 1} cannot be built from the reference's own step ${k}: ${built.missing}`, t('Make each carry\'s `from` a path in the reference\'s output and its `to` a place in the step\'s arguments.'));
          return false;
        }
        args = built.args;
      }
    }
  }
  for (const check of definition.distributions ?? []) {
    let scenarios;
    try {
      scenarios = check.scenarios(new Rng(seed));
    } catch (error) {
      problem(file, `distributions "${check.name}"`, t`scenarios() threw: ${(error as Error).message}`, t('Fix the scenarios so that they build from any seed.'));
      return false;
    }
    for (const scenario of scenarios) {
      const p = scenario.expected;
      const sum = p.reduce((a, b) => a + b, 0);
      const bad = !Array.isArray(p) || p.length < 2 || p.some((x) => !(x >= 0)) || Math.abs(sum - 1) > 1e-9 ? t('its probabilities must be two or more numbers ≥ 0 that sum to 1') : scenario.labels && scenario.labels.length !== p.length ? t`it has ${scenario.labels.length} labels for ${p.length} outcomes` : undefined;
      if (bad) {
        problem(file, `distributions "${check.name}"`, t`scenario "${scenario.name}": ${bad} (got [${p.join(', ')}])`, t('Give `expected` as the probability of each outcome, in the order `outcome` numbers them.'));
        return false;
      }
    }
  }
  return true;
}

/**
 * A definition's trace run on every case: it must not throw, must return an
 * object of named values, and each must read back as data. Returns false when it does not.
 */
export async function checkTrace(definition: ExerciseDefinition, file: string, ctx: ReferenceContext, cases: readonly PreparedCase[], problem: Problem): Promise<boolean> {
  if (!definition.trace) return true;
  for (const c of cases) {
    let values;
    try {
      values = await traceValues(definition, ctx, c.args);
    } catch (error) {
      problem(file, 'trace', t`threw on case "${c.name}": ${(error as Error).message}`, t('Fix the trace so that it runs on every case; share one step function with the reference.'));
      return false;
    }
    const odd = values?.find(([, value]) => value === undefined || typeof value === 'function');
    if (odd) {
      problem(file, 'trace', t`its value "${odd[0]}" is ${typeof odd[1]} on case "${c.name}"`, t('Return Tensors or plain data (numbers, arrays, objects, strings) for every value named.'));
      return false;
    }
  }
  return true;
}

export async function gradeOwnFile(ref: ExerciseRef, definition: ExerciseDefinition, which: 'solution' | 'starter', seed: number, backend?: BackendName) {
  // A throwaway workspace holding only this file, laid out as a learner's.
  const workspace = { dir: await fs.mkdtemp(path.join(os.tmpdir(), 'llm-tutor-validate-')) };
  try {
    const learnerFile = learnerFileOf(workspace, ref);
    await fs.mkdir(path.dirname(learnerFile), { recursive: true });
    await fs.copyFile(path.join(ref.dir, exerciseFiles[which]), learnerFile);
    return await gradeExercise({ ref, definition, learnerFile, allowedRoot: exercisesRootOf(workspace), seed, backend });
  } finally {
    await fs.rm(workspace.dir, { recursive: true, force: true });
  }
}


/** What makes a misconception useless to learners, from its check on one seed; undefined when it works. */
export function misconceptionProblem(check: MisconceptionCheck, seed: number): { message: string; fix: string } | undefined {
  if (check.thrown?.everyCase) {
    return { message: t`throws on every case (seed ${seed}); on case "${check.thrown.caseName}": ${check.thrown.message}`, fix: t('Fix its wrong() so that it returns what the mistaken function would return.') };
  }
  if (check.sameAs) return { message: t`gives the same outputs as "${check.sameAs}" on every case (seed ${seed}): the two cannot be told apart`, fix: t('Merge them, or add a case where they differ.') };
  if (check.failingCases === 0) return { message: t`unreachable: its wrong output passes the reference on every case (seed ${seed})`, fix: t('Add a case where this mistake gives a wrong output, or fix its wrong().') };
  if (check.diagnosed !== check.id) {
    return {
      message: check.diagnosed ? t`a learner making this mistake is diagnosed as "${check.diagnosed}" instead (seed ${seed})` : t`a learner making this mistake is not diagnosed (seed ${seed})`,
      fix: t('Add cases that tell it apart from the others.'),
    };
  }
  return undefined;
}

/**
 * A wrong() that throws on some cases: diagnosis leaves those cases out. Said
 * unless the error's message begins "not applicable", the way to say that a
 * case tells nothing about this mistake.
 */
export function misconceptionWarning(check: MisconceptionCheck, seed: number): { message: string; fix: string } | undefined {
  if (!check.thrown || check.thrown.everyCase || /^not applicable\b/.test(check.thrown.message)) return undefined;
  return {
    message: t`throws on case "${check.thrown.caseName}" (seed ${seed}): ${check.thrown.message}; diagnosis leaves out the cases where it throws`,
    fix: t("Fix its wrong() if the case should show this mistake; if it tells nothing about it, throw new Error('not applicable: …')."),
  };
}

/** The signature must read as one and be named after `entry`: it is what learners are told to export. */
export function checkSignature(definition: ExerciseDefinition, file: string, problem: Problem): void {
  const parsed = parseSignature(definition.signature);
  if (!parsed) {
    problem(file, 'signature', t`"${definition.signature}" does not read as a function signature`, t('Write it as TypeScript, `name(param: Type, …): Result`, named after entry.'));
  } else if (parsed.entry !== definition.entry) {
    problem(file, 'signature', t`the signature names ${parsed.entry} but entry is ${definition.entry}: change one`, t('Learners are told to export the function the signature names, and the grader calls entry: make them the same name.'));
  }
}

/**
 * Where the reference's outputs disagree with the outputs pinned by the cases
 * (`expected`), compared as a learner's output is compared with the
 * reference's: the pinned value is the one expected, the reference's the one
 * got. One problem per such case, naming it and quoting the comparison.
 */
export function pinnedProblems(definition: ExerciseDefinition, cases: readonly PreparedCase[], expected: readonly unknown[], seed: number): { message: string; fix: string }[] {
  const tolerance = definition.compare ?? defaultTolerance;
  return cases.flatMap((c, i) => {
    if (c.pinned === undefined) return [];
    if (definition.schedule) {
      return [{ message: t`case "${c.name}" pins an expected output, but a schedule exercise passes any plan its check accepts`, fix: t('Remove `expected`: the check, not one plan, is what a schedule exercise grades.') }];
    }
    const result = compareOutputs(c.pinned, expected[i], tolerance);
    if (result.ok) return [];
    const message = t`the reference's output is not the expected value pinned on case "${c.name}" (seed ${seed}): ${result.mismatch.message}`;
    return [{ message, fix: t('Fix the reference, or the pinned value if it was computed on other inputs or with another formula.') }];
  });
}

/** The name of a case that comes twice in `cases`, or undefined. */
export function duplicateCaseName(cases: readonly { name: string }[]): string | undefined {
  const seen = new Set<string>();
  for (const c of cases) {
    if (seen.has(c.name)) return c.name;
    seen.add(c.name);
  }
  return undefined;
}

/** "the solution exports Relu but entry is relu: change one" when the graded file does not export entry. */
export function wrongExport(verdict: Verdict, which: 'solution' | 'starter', entry: string): string | undefined {
  if (verdict.error?.kind !== 'missing-export') return undefined;
  const exported = verdict.error.exports?.length ? verdict.error.exports.join(', ') : 'nothing';
  return t`the ${which} exports ${exported} but entry is ${entry}: change one`;
}

/**
 * What is wrong with a starter graded as a learner's file: it must export
 * entry and fail every case with the not-implemented error alone, so that a
 * learner's first run says "Not implemented yet". Undefined when it does.
 */
export function starterProblem(verdict: Verdict, entry: string): { message: string; fix: string } | undefined {
  const keepBody = t("Leave the body as `throw new Error('not implemented')`.");
  if (verdict.status === 'pass') return { message: t('the starter already passes'), fix: t("A starter must fail: leave the body as `throw new Error('not implemented')`.") };
  const exported = wrongExport(verdict, 'starter', entry);
  if (exported) return { message: exported, fix: t('Rename the starter\'s function or the exercise\'s entry so that they agree: the grader calls entry.') };
  if (onlyNotImplemented(verdict.cases)) return undefined;
  const first = verdict.firstFailure !== undefined ? verdict.cases[verdict.firstFailure] : undefined;
  const how = first?.status === 'error' || first?.status === 'fail' ? t`case "${first.name}": ${first.message ?? first.status}` : verdict.summary;
  return { message: t`the starter fails otherwise than "not implemented": ${how}`, fix: sentences([keepBody, t('A learner\'s first run then says "Not implemented yet" and what to replace.')]) };
}
