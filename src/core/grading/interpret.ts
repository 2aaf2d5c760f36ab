/**
 * Interpreting a finished sandbox run: outcomes → case results. Pure: no
 * child, no files, no reference calls (a stepwise case's expected outputs
 * are computed before, from the learner's own outputs); unit-tested with
 * synthetic runs in test/core/interpret.test.ts.
 */
import { isMarker } from '../../sandbox/wire.js';
import type { SandboxRun } from '../../sandbox/run-child.js';
import { signatureOf, type Comparison, type ExerciseDefinition } from '../authoring/exercise.js';
import type { PlanDrawing } from '../authoring/kinds.js';
import { compareOutputs } from './compare.js';
import { describeType } from './wording.js';
import type { GradedCase } from './diagnose.js';
import { argumentNames } from '../authoring/signature.js';
import { crashedWhile, describeCallError, describeCrash, describeThrown, locateInStack, previewArgs } from './explain.js';
import { t } from '../../i18n/i18n.js';
import { tidySpaces } from '../common/words.js';
import type { PreparedCase, PreparedProperty } from './prepare.js';
import type { StepInputs } from './stepwise.js';
import type { CaseResult, VerdictError } from './verdict.js';
import { previewNamed } from './value-preview.js';

/** What interpretation needs of a prepared exercise. */
export interface InterpretInput {
  definition: Pick<ExerciseDefinition, 'entry' | 'signature' | 'otherExports' | 'inputsReadOnly' | 'schedule' | 'stepwise'>;
  cases: readonly PreparedCase[];
  propertyCases: readonly PreparedProperty[];
  firstCall: readonly number[];
  tolerance: Comparison;
  timeoutMs: number;
  memoryMb: number;
  /** Expected output of each case (of a stepwise case, of its first step). */
  expected: readonly unknown[];
  /** For each stepwise case: the arguments each step received and the reference's output on them. */
  steps?: ReadonlyMap<number, StepInputs & { expected: unknown[] }>;
  /** The learner's files in the bundle, for locating stack frames. */
  learnerFiles: readonly string[];
}

/** A run that ended before any case: the verdict is this error. */
export interface StoppedRun {
  stopped: true;
  error: VerdictError;
  results: CaseResult[];
  notes: string[];
}

function asyncNotes(run: SandboxRun): string[] {
  return run.asyncErrors.map((e) => t`Code that ran later (a timer or a promise) ${describeThrown(e)}.`);
}

/** A run whose cases were (at least partly) made. */
export interface InterpretedRun {
  stopped: false;
  results: CaseResult[];
  /** The cases diagnosis looks at: every case with an output. */
  graded: GradedCase[];
  firstError?: VerdictError;
  notes: string[];
  /** The arguments of the first case that did not pass (of its failing step), for the reference's trace; unset when a property check fails first. */
  firstFailureArgs?: unknown[];
  /** The export the first failing case calls, when it is not the entry (its trace is the reference's for that export). */
  firstFailureEntry?: string;
}

/** The calls' outcomes, with what ended the run attributed to the call it ended in. */
type Call =
  | { kind: 'value'; value: unknown; mutated?: string; durationMs: number }
  | { kind: 'threw'; message: string; error: VerdictError; durationMs: number }
  | { kind: 'stopped'; message: string; error: VerdictError }
  | { kind: 'not-run' };

/** Every case and property check as not run: the results of a run that never started one. */
export function notRunResults(input: Pick<InterpretInput, 'cases' | 'propertyCases'>): CaseResult[] {
  return [...input.cases.map((c) => c.name), ...input.propertyCases.map((p) => p.name)].map((name, index) => ({ index, name, status: 'not-run' }));
}

/** Why the run produced no case at all, or undefined when it did. */
function stoppedBeforeCases(input: InterpretInput, run: SandboxRun): VerdictError | undefined {
  if (run.loadError) {
    return { kind: 'load', message: t`Loading your file ${describeThrown(run.loadError)}`, location: locateInStack(run.loadError.stack, input.learnerFiles) };
  }
  const seconds = (input.timeoutMs / 1000).toFixed(1);
  if (run.exports === undefined && (run.timedOut || run.crashed)) {
    // The learner module never finished loading: its top-level code hung or crashed.
    return run.timedOut
      ? { kind: 'timeout', message: t`Timed out after ${seconds} s while loading your file (its top-level code never finished).` }
      : { kind: run.crashed!.outOfMemory ? 'memory' : 'crash', message: describeCrash(run.crashed!, crashedWhile.loading(), input.memoryMb) };
  }
  // An exercise of two functions needs both: the first the file lacks is named, with its signature.
  const wanted = [{ entry: input.definition.entry, signature: input.definition.signature }, ...(input.definition.otherExports ?? [])];
  const missing = run.exports && wanted.find((w) => !run.exports!.includes(w.entry));
  if (run.exports && missing) {
    const message = run.exports.length
      ? t`Your file does not export a function named ${missing.entry}. It exports: ${run.exports.join(', ')}. Expected: export function ${missing.signature}`
      : t`Your file does not export a function named ${missing.entry}. It exports nothing. Expected: export function ${missing.signature}`;
    return { kind: 'missing-export', message, exports: run.exports };
  }
  return undefined;
}

/** Reads each call's outcome; a missing one is where the run stopped (time-out or crash) or a call never made. */
function readCalls(input: InterpretInput, run: SandboxRun, names: (call: number) => string): (call: number) => Call {
  const at = run.timedOut?.caseIndex ?? run.crashed?.caseIndex;
  const seconds = (input.timeoutMs / 1000).toFixed(1);
  let sawMissing = false;
  const memo = new Map<number, Call>();
  const read = (call: number): Call => {
    const outcome = run.outcomes[call];
    if (outcome?.ok) return { kind: 'value', value: outcome.value, mutated: outcome.mutated, durationMs: outcome.durationMs };
    if (outcome) {
      const location = locateInStack(outcome.error.stack, input.learnerFiles);
      const message = describeCallError(outcome.error, location, input.definition.inputsReadOnly);
      return { kind: 'threw', message, error: { kind: 'throw', message, location }, durationMs: outcome.durationMs };
    }
    // The run stopped here: during this call, or between calls (a timer that fired after the last result).
    const here = at === call || (at === undefined && !sawMissing);
    sawMissing = true;
    if (run.timedOut && here) {
      const message = t`Timed out after ${seconds} s on case "${names(call)}" (an infinite loop, or far too much work).`;
      return { kind: 'stopped', message, error: { kind: 'timeout', message } };
    }
    if (run.crashed && here) {
      const message = describeCrash(run.crashed, crashedWhile.during(names(call)), input.memoryMb);
      return { kind: 'stopped', message, error: { kind: run.crashed.outOfMemory ? 'memory' : 'crash', message } };
    }
    return { kind: 'not-run' };
  };
  return (call) => {
    if (!memo.has(call)) memo.set(call, read(call));
    return memo.get(call)!;
  };
}

/**
 * Turns a finished run into case results: each case compared with the
 * reference (or its plan checked, or its steps followed), then the property
 * checks, with the first error and the notes a learner should read.
 */
export function interpretRun(input: InterpretInput, run: SandboxRun): StoppedRun | InterpretedRun {
  const stop = stoppedBeforeCases(input, run);
  if (stop) return { stopped: true, error: stop, results: notRunResults(input), notes: asyncNotes(run) };

  const caseOfCall: number[] = [];
  input.cases.forEach((c, i) => {
    for (let k = 0; k < (c.steps?.length ?? 1); k++) caseOfCall[input.firstCall[i] + k] = i;
  });
  const call = readCalls(input, run, (k) => input.cases[caseOfCall[k]]?.name ?? t('a property check'));
  const results: CaseResult[] = [];
  /** Per result: the arguments its input shows. */
  const shownArgs: unknown[][] = [];
  const graded: GradedCase[] = [];
  let firstError: VerdictError | undefined;
  const { tolerance } = input;
  const readOnly = input.definition.inputsReadOnly;

  /** Grades one call's output against what was expected of it; pushes nothing for diagnosis. */
  const judge = (index: number, name: string, c: Extract<Call, { kind: 'value' }>, expected: unknown, args: unknown[]): CaseResult => {
    const timing = { durationMs: c.durationMs };
    const check = input.definition.schedule?.check;
    if (check && !isMarker(c.value)) {
      let violation;
      try {
        violation = check(c.value, ...args);
      } catch (error) {
        return { index, name, status: 'fail', message: t`Your plan could not be simulated: ${(error as Error).message}`, ...timing };
      }
      if (violation) return { index, name, status: 'fail', message: `${String(violation.property)}: ${String(violation.message)}`, plan: cleanDrawing(violation.drawing), ...timing };
      return { index, name, status: 'pass', ...timing };
    }
    const comparison = compareOutputs(expected, c.value, tolerance);
    if (comparison.ok) {
      if (c.mutated && readOnly) {
        return { index, name, status: 'fail', message: t`Your function changed its input in place (${c.mutated}). This exercise's inputs must stay unchanged: copy before modifying.`, mutated: c.mutated, ...timing };
      }
      return { index, name, status: 'pass', mutated: c.mutated, ...timing };
    }
    const mismatch = comparison.mismatch;
    if (mismatch.kind === 'type') return { index, name, status: 'error', message: mismatch.message, mismatch, ...timing };
    return { index, name, status: 'fail', message: mismatch.message, mismatch, mutated: c.mutated, ...timing };
  };
  const errorOf = (r: CaseResult): VerdictError | undefined => (r.status === 'error' && r.mismatch?.kind === 'type' ? { kind: 'type', message: t`Wrong return type: ${r.mismatch.message}` } : undefined);

  input.cases.forEach((kase, i) => {
    const { name } = kase;
    const steps = input.steps?.get(i);
    if (kase.steps && steps) {
      const result = followSteps(i, kase, steps, input.firstCall[i], call, judge);
      results.push(result.result);
      shownArgs[i] = result.args;
      firstError ??= result.error ?? errorOf(result.result);
      if (result.graded) graded.push(result.graded);
      return;
    }
    const c = call(input.firstCall[i]);
    if (c.kind === 'not-run') return void results.push({ index: i, name, status: 'not-run' });
    if (c.kind === 'stopped' || c.kind === 'threw') {
      results.push({ index: i, name, status: 'error', message: c.message, ...(c.kind === 'threw' ? { durationMs: c.durationMs } : {}) });
      firstError ??= c.error;
      return;
    }
    const result = judge(i, name, c, input.expected[i], kase.args);
    results.push(result);
    firstError ??= errorOf(result);
    if (result.status !== 'error') graded.push({ args: kase.args, expected: input.expected[i], got: c.value, passed: result.status === 'pass', index: i, ...(kase.entry ? { entry: kase.entry } : {}) });
  });
  for (const r of results) {
    shownArgs[r.index] ??= input.cases[r.index].args;
    r.input ??= previewArgs(shownArgs[r.index]);
  }

  let offset = input.cases.reduce((n, c) => n + (c.steps?.length ?? 1), 0);
  for (const property of input.propertyCases) {
    shownArgs.push(property.calls[0] ?? []);
    results.push(judgeProperty(results.length, property, property.calls.map((_, j) => run.outcomes[offset + j])));
    offset += property.calls.length;
  }
  const { args: firstFailureArgs, entry: firstFailureEntry } = nameFirstFailure(results, shownArgs, input.definition, input.cases);
  const notes = asyncNotes(run);
  const mutated = results.find((x) => x.mutated);
  if (mutated && !readOnly) notes.push(t`Your function changes its input in place (${mutated.mutated}, case "${mutated.name}"); callers may not expect that.`);
  return { stopped: false, results, graded, firstError, notes, ...(firstFailureArgs ? { firstFailureArgs } : {}), ...(firstFailureEntry ? { firstFailureEntry } : {}) };
}

/**
 * Gives the first result that failed or errored its arguments by name (from
 * the signature of the export it called), previewed; returns those arguments
 * and that export for the reference's trace when that result is a case, not a
 * property check.
 */
function nameFirstFailure(results: CaseResult[], shownArgs: unknown[][], definition: InterpretInput['definition'], cases: readonly PreparedCase[]): { args?: unknown[]; entry?: string } {
  const first = results.find((r) => r.status === 'fail' || r.status === 'error');
  if (!first) return {};
  const args = shownArgs[first.index];
  const entry = cases[first.index]?.entry;
  first.args = previewNamed(argumentNames(signatureOf(definition, entry), args.length), args);
  return first.index < cases.length ? { args, entry } : {};
}

type Judge = (index: number, name: string, c: Extract<Call, { kind: 'value' }>, expected: unknown, args: unknown[]) => CaseResult;

/** A stepwise case: the first step that throws or diverges from the reference (on the learner's own state) fails the case. */
function followSteps(index: number, kase: PreparedCase, steps: StepInputs & { expected: unknown[] }, first: number, call: (k: number) => Call, judge: Judge) {
  const total = kase.steps!.length;
  for (let k = 0; k < total; k++) {
    const step = k + 1;
    const args = steps.args[k];
    if (args === undefined) {
      // The previous step's output could not be carried on (the comparison above has said why, unless it passed).
      const message = t`Step ${step} of ${total} was not run: ${steps.broken?.missing ?? t('the previous step gave nothing to carry')}.`;
      const shown = steps.args[k - 1] ?? kase.args;
      return { result: { index, name: kase.name, status: 'fail' as const, message, input: previewArgs(shown) }, args: shown };
    }
    const c = call(first + k);
    const input = previewArgs(args);
    if (c.kind === 'not-run') return { result: { index, name: kase.name, status: 'not-run' as const, input }, args };
    if (c.kind === 'stopped' || c.kind === 'threw') {
      const message = t`Step ${step} of ${total}: ${c.message}`;
      return { result: { index, name: kase.name, status: 'error' as const, message, input, step: { index: k, of: total } }, args, error: { ...c.error, message } };
    }
    const result = judge(index, kase.name, c, steps.expected[k], args);
    if (result.status === 'pass' && k < total - 1) continue;
    if (result.status === 'pass') {
      return { result: { ...result, input: previewArgs(kase.args) }, args: kase.args, graded: { args: kase.args, expected: steps.expected[0], got: (call(first) as { value: unknown }).value, passed: true, index } };
    }
    const said = result.message ?? '';
    const message = (k > 0 ? t`Step ${step} of ${total} diverges (fed your own step ${k} output): ${said}` : t`Step ${step} of ${total} diverges: ${said}`).trim();
    const failed: CaseResult = { ...result, message, input, step: { index: k, of: total } };
    return { result: failed, args, graded: result.status === 'fail' ? { args, expected: steps.expected[k], got: c.value, passed: false } : undefined };
  }
  throw new Error('unreachable: a stepwise case has at least one step');
}

const text = (v: unknown, max: number) => String(v ?? '').slice(0, max);

/**
 * A pack's drawing as the verdict keeps it: strings only, at most 64 rows ×
 * 256 columns of 12 characters (a check may copy learner values into it),
 * marks inside the grid. Undefined when it is not a grid at all.
 */
export function cleanDrawing(d: PlanDrawing | undefined): PlanDrawing | undefined {
  if (!d || !Array.isArray(d.rows) || !Array.isArray(d.cols) || !Array.isArray(d.cells)) return undefined;
  const rows = d.rows.slice(0, 64).map((r) => text(r, 24));
  const cols = d.cols.slice(0, 256).map((c) => text(c, 12));
  const cells = rows.map((_, r) => cols.map((_, c) => text(Array.isArray(d.cells[r]) ? d.cells[r][c] : '', 12)));
  const inside = (m: unknown): m is [number, number] => Array.isArray(m) && Number.isInteger(m[0]) && Number.isInteger(m[1]) && m[0] >= 0 && m[0] < rows.length && m[1] >= 0 && m[1] < cols.length;
  const marks = Array.isArray(d.marks) ? d.marks.filter(inside).slice(0, 256).map(([r, c]) => [r, c] as [number, number]) : [];
  return { rowTitle: text(d.rowTitle, 24), colTitle: text(d.colTitle, 24), rows, cols, cells, marks };
}

/** A property check over several calls of the learner's function. */
function judgeProperty(index: number, property: PreparedProperty, outcomes: SandboxRun['outcomes']): CaseResult {
  const input = previewArgs(property.calls[0] ?? []);
  const thrown = outcomes.find((o) => o && !o.ok);
  if (outcomes.some((o) => !o)) return { index, name: property.name, status: 'not-run', input };
  if (thrown && !thrown.ok) return { index, name: property.name, status: 'error', input, message: t`Your function ${describeThrown(thrown.error)}.` };
  const values = outcomes.map((o) => (o as { value: unknown }).value);
  const odd = values.find((v) => isMarker(v));
  let failure: string | undefined;
  try {
    failure = odd !== undefined ? tidySpaces(t`Your function returned ${describeType(odd)}.`) : property.holds(values, property.calls);
  } catch (error) {
    failure = t`The property could not be checked on your outputs (${(error as Error).message}).`;
  }
  return { index, name: property.name, status: failure ? 'fail' : 'pass', input, message: failure };
}
