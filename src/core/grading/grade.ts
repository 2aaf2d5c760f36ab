import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../errors.js';
import type { BackendName } from '../../reference/backend.js';
import { compareOutputs, describeType } from './compare.js';
import { diagnose, toPlainOutput, type GradedCase, type WrongOutputCache } from './diagnose.js';
import { defaultTolerance, type CaseInput, type Comparison, type ExerciseDefinition, type ReferenceContext } from '../authoring/exercise.js';
import type { ExerciseRef } from '../packs/packs.js';
import { deriveSeed, Rng } from '../authoring/rng.js';
import { readLimits, readRegularFile } from '../common/safe-read.js';
import type { CaseResult, SourceLocation, Verdict, VerdictError } from './verdict.js';
import { isMarker, isReadOnceArg, materializeArgs, type WireError } from '../../sandbox/wire.js';
import type { SandboxRun, SandboxSlot } from '../../sandbox/run-child.js';

export interface GradeRequest {
  ref: ExerciseRef;
  definition: ExerciseDefinition;
  learnerFile: string;
  /** The learner's exercises folder: the only place their file may import from. */
  allowedRoot: string;
  seed: number;
  backend?: BackendName;
  /** Overrides the exercise's time limit (milliseconds). */
  timeoutMs?: number;
  /** Tells which exercise an imported learner file belongs to, and whether it passes. */
  describeImport?: (file: string) => { key: string; passed: boolean } | undefined;
  onEvent?: (event: GradeEvent) => void;
}

export type GradeEvent =
  | { type: 'stage'; stage: 'cases' | 'reference' | 'bundle' | 'sandbox' | 'diagnose' }
  | { type: 'verdict'; verdict: Verdict };

/** Builds the cases of an exercise for a seed; an error here is the pack author's. */
export function buildCases(ref: ExerciseRef, definition: ExerciseDefinition, seed: number): CaseInput[] {
  let cases: CaseInput[];
  try {
    cases = definition.cases(new Rng(deriveSeed(seed, ref.key)), { exerciseDir: ref.dir });
  } catch (error) {
    throw new UserError(`${path.join(ref.dir, 'exercise.ts')}: cases() threw: ${(error as Error).message}`, { next: 'Fix the exercise definition, then run `llm-tutor pack validate`.' });
  }
  if (!Array.isArray(cases) || cases.length === 0 || cases.some((c) => typeof c?.name !== 'string' || !Array.isArray(c.args))) {
    throw new UserError(`${path.join(ref.dir, 'exercise.ts')}: cases() must return a non-empty list of { name, args: [...] }.`);
  }
  // Frozen, so that the reference and the wrong variants can share one copy of each input
  // (a 50k-entry vocabulary is not copied for every call) and none can change it for the others.
  for (const c of cases) deepFreeze(c.args);
  return cases;
}

/** Freezes a value and everything reachable from it but typed arrays (which cannot be frozen); returns it. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !ArrayBuffer.isView(value) && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

/** Runs the trusted reference on every case, in this process. */
export async function computeExpected(ref: ExerciseRef, definition: ExerciseDefinition, cases: CaseInput[], ctx: ReferenceContext): Promise<unknown[]> {
  const expected: unknown[] = [];
  for (const c of cases) {
    try {
      expected.push(await toPlainOutput(ctx, () => definition.reference(ctx, ...materializeArgs(c.args))));
    } catch (error) {
      throw new UserError(`${path.join(ref.dir, 'exercise.ts')}: the reference threw on case "${c.name}": ${(error as Error).message}`, {
        next: 'This is a bug in the exercise pack; run `llm-tutor pack validate` on it.',
      });
    }
  }
  return expected;
}

/** The arguments of a case as one short line: `[1, 2, 3], 4`; stops building once past `limit` characters. */
export function previewArgs(args: unknown[], limit = 160): string {
  let out = '';
  const put = (text: string) => {
    out += text;
    return out.length <= limit;
  };
  const show = (v: unknown): boolean => {
    if (typeof v === 'number') return put(Number.isNaN(v) ? 'NaN' : v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : String(v));
    if (Array.isArray(v)) {
      if (!put('[')) return false;
      for (let i = 0; i < v.length; i++) if ((i > 0 && !put(', ')) || !show(v[i])) return false;
      return put(']');
    }
    if (isReadOnceArg(v)) return put('(read once) ') && show(v.items);
    if (v && typeof v === 'object') {
      if (!put('{ ')) return false;
      let first = true;
      for (const [k, x] of Object.entries(v)) {
        if ((!first && !put(', ')) || !put(`${k}: `) || !show(x)) return false;
        first = false;
      }
      return put(' }');
    }
    return put(JSON.stringify(v) ?? String(v));
  };
  args.every((a, i) => (i === 0 || put(', ')) && show(a));
  return out.length > limit ? `${out.slice(0, limit - 1)}…` : out;
}

function toPath(file: string): string {
  return file.startsWith('file://') ? fileURLToPath(file) : file;
}

/** What ended the sandbox process before its run was done, in a sentence; `during` says when ("during case …"). */
function describeCrash(c: NonNullable<SandboxRun['crashed']>, during: string, memoryMb: number): string {
  if (c.reason) return `The sandbox stopped your code ${during}: it ${c.reason}.`;
  if (c.outOfMemory) return `Ran out of memory ${during} (the limit is ${memoryMb} MiB).`;
  if (c.signal === 'SIGXFSZ') return `The sandbox stopped your code ${during}: it tried to write a file, which exercises may not do.`;
  if (c.signal === 'SIGXCPU') return `The sandbox stopped your code ${during}: it used up the CPU time the sandbox allows.`;
  return `The process running your code ended ${during} (${c.signal ? `signal ${c.signal}` : `exit code ${c.code}`}): did your code call process.exit() or kill itself?`;
}

/** The first stack frame in one of the learner's files. */
export function locateInStack(stack: string | undefined, learnerFiles: readonly string[]): SourceLocation | undefined {
  if (!stack) return undefined;
  const frame = /(?:\(|at )((?:file:\/\/)?\/[^():]+):(\d+):(\d+)\)?/g;
  for (const match of stack.matchAll(frame)) {
    const file = toPath(match[1]);
    if (learnerFiles.includes(file)) return { file, line: Number(match[2]), column: Number(match[3]) };
  }
  return undefined;
}

function describeThrown(error: WireError): string {
  if (error.thrownType) {
    return error.thrownType === 'string' ? `threw a string, not an Error: "${error.message}"` : `threw a ${error.thrownType}, not an Error: ${error.message}`;
  }
  return `threw ${error.name}: ${error.message}`;
}

async function addLineText(location: SourceLocation | undefined): Promise<SourceLocation | undefined> {
  if (!location || location.lineText !== undefined) return location;
  try {
    // The learner's file: a regular file only, never a FIFO that would hang the grader.
    const text = await readRegularFile(location.file, { maxBytes: readLimits.learnerFile, fix: 'replace it with a regular file' });
    return text === undefined ? location : { ...location, lineText: text.split('\n')[location.line - 1] };
  } catch {
    return location;
  }
}

/** One property check: its calls, and the test of their outputs. */
export interface PreparedProperty {
  name: string;
  calls: unknown[][];
  holds: (outputs: unknown[], calls: unknown[][]) => string | undefined;
}

/** Builds the property cases of an exercise for a seed. */
export function buildPropertyCases(ref: ExerciseRef, definition: ExerciseDefinition, seed: number): PreparedProperty[] {
  const out: PreparedProperty[] = [];
  for (const property of definition.properties ?? []) {
    let cases;
    try {
      cases = property.cases(new Rng(deriveSeed(seed, `${ref.key}#${property.name}`)));
    } catch (error) {
      throw new UserError(`${path.join(ref.dir, 'exercise.ts')}: properties "${property.name}" cases() threw: ${(error as Error).message}`);
    }
    for (const c of cases) out.push({ name: `${property.name}: ${c.name}`, calls: deepFreeze(c.calls), holds: property.holds as PreparedProperty['holds'] });
  }
  return out;
}

/** An exercise ready to grade files against: its cases, and expected outputs being computed. */
export interface PreparedExercise {
  ref: ExerciseRef;
  definition: ExerciseDefinition;
  seed: number;
  cases: CaseInput[];
  /** Checks of properties of the learner's own function, graded after the cases. */
  propertyCases: PreparedProperty[];
  tolerance: Comparison;
  timeoutMs: number;
  /** Wrong outputs of the misconceptions, computed once per case. */
  wrongCache: WrongOutputCache;
  /** The reference run, started by {@link prepareExercise}. */
  reference: Promise<{ expected: unknown[]; ctx: ReferenceContext; backend: string; referenceMs: number }>;
}

/**
 * Builds an exercise's cases and starts computing their expected outputs with
 * the reference, in this (trusted) process. Watch mode keeps the result and
 * grades every save against it.
 */
export function prepareExercise(ref: ExerciseRef, definition: ExerciseDefinition, seed: number, options: { backend?: BackendName; timeoutMs?: number } = {}): PreparedExercise {
  const cases = buildCases(ref, definition, seed);
  const propertyCases = buildPropertyCases(ref, definition, seed);
  const reference = (async () => {
    const started = performance.now();
    const { loadTf } = await import('../../reference/backend.js');
    const { tf, report } = await loadTf(options.backend);
    const ctx: ReferenceContext = { tf, exerciseDir: ref.dir };
    const expected = await computeExpected(ref, definition, cases, ctx);
    return { expected, ctx, backend: report.active, referenceMs: performance.now() - started };
  })();
  // Awaited by every grading; this only keeps an early failure from being reported as unhandled.
  reference.catch(() => {});
  return {
    ref,
    definition,
    seed,
    cases,
    propertyCases,
    tolerance: definition.compare ?? defaultTolerance,
    timeoutMs: options.timeoutMs ?? definition.timeoutMs ?? 5000,
    wrongCache: new Map(),
    reference,
  };
}

/**
 * Grades one learner file: builds the seeded cases, computes expected outputs
 * with the reference (here, in the trusted process), bundles and runs the
 * learner's code in the sandbox, compares, diagnoses and returns the verdict.
 * The learner's code is never loaded into this process.
 */
export async function gradeExercise(request: GradeRequest): Promise<Verdict> {
  const prepared = prepareExercise(request.ref, request.definition, request.seed, { backend: request.backend, timeoutMs: request.timeoutMs });
  return gradePrepared(prepared, request);
}

/** Where the learner's file is, and how to run it. */
export interface GradeTarget {
  learnerFile: string;
  allowedRoot: string;
  describeImport?: GradeRequest['describeImport'];
  onEvent?: GradeRequest['onEvent'];
  /** A sandbox provider with a child started ahead of time (watch mode); default: a cold child. */
  sandbox?: { acquire(): Promise<SandboxSlot> };
}

/** Grades a learner file against a prepared exercise. */
export async function gradePrepared(prepared: PreparedExercise, target: GradeTarget): Promise<Verdict> {
  const started = performance.now();
  const { ref, definition, seed, cases, propertyCases, tolerance, timeoutMs } = prepared;
  const calls = [...cases.map((c) => c.args), ...propertyCases.flatMap((p) => p.calls)];
  const { learnerFile } = target;
  const emit = target.onEvent ?? (() => {});
  const { coldSlot, defaultLimits } = await import('../../sandbox/run-child.js');
  const slot = await (target.sandbox ? target.sandbox.acquire() : coldSlot(timeoutMs));
  try {
    emit({ type: 'stage', stage: 'bundle' });
    // Bundling and running the sandbox overlap with the reference run when it is still going.
    const bundling = slot.bundle(learnerFile, target.allowedRoot, timeoutMs);
    // Bundling counts in the time limit: the run gets what is left of it.
    const sandboxRun = bundling.then((bundle) =>
      bundle.ok ? slot.run(definition.entry, calls, { ...defaultLimits, timeoutMs: Math.max(1, timeoutMs - bundle.durationMs), readOnlyInputs: definition.inputsReadOnly }) : undefined,
    );
    emit({ type: 'stage', stage: 'reference' });
    const { expected, ctx, backend, referenceMs } = await prepared.reference;
    const bundle = await bundling;
    emit({ type: 'stage', stage: 'sandbox' });
    const run = await sandboxRun;

    const base = {
      exerciseKey: ref.key,
      exerciseId: ref.id,
      packId: ref.packId,
      learnerFile,
      seed,
      tolerance,
      backend,
    };
    const notes: string[] = [];
    const verdictOf = (partial: Omit<Verdict, keyof typeof base | 'durationMs' | 'timings' | 'notes' | 'output' | 'learnerFiles'> & { output?: Verdict['output'] }): Verdict => ({
      ...base,
      learnerFiles: bundle.ok ? bundle.inputs : [learnerFile],
      output: { stdout: '', stderr: '', droppedBytes: 0 },
      ...partial,
      notes,
      durationMs: performance.now() - started,
      timings: { referenceMs, bundleMs: bundle.durationMs, sandboxMs: run?.durationMs ?? 0 },
    });
    const notRun = (): CaseResult[] => [...cases.map((c) => c.name), ...propertyCases.map((p) => p.name)].map((name, index) => ({ index, name, status: 'not-run' }));

    if (!bundle.ok && bundle.timedOut) {
      const message = `Timed out after ${(timeoutMs / 1000).toFixed(1)} s while bundling your files: make them smaller or less deeply nested.`;
      return verdictOf({ status: 'error', summary: message, cases: notRun(), error: { kind: 'timeout', message } });
    }
    if (!bundle.ok) {
      const p = bundle.problem;
      const location = p.file && p.line ? { file: p.file, line: p.line, column: p.column ?? 1, lineText: p.lineText } : undefined;
      const where = location ? `${path.basename(location.file)}:${location.line}:${location.column}: ` : '';
      return verdictOf({ status: 'error', summary: `Your file could not be compiled: ${where}${p.message}`, cases: notRun(), error: { kind: 'bundle', message: p.message, location } });
    }
    const learnerFiles = bundle.inputs;
    for (const file of learnerFiles) {
      if (file === learnerFile) continue;
      const imported = target.describeImport?.(file);
      if (imported && !imported.passed) notes.push(`This file imports ${path.basename(file)} (${imported.key}), which does not pass yet: if its code is wrong, this exercise fails too. Check it with \`llm-tutor check ${imported.key}\`.`);
    }
    const output = { stdout: run!.stdout, stderr: run!.stderr, droppedBytes: run!.droppedBytes };
    for (const asyncError of run!.asyncErrors) notes.push(`Code that ran later (a timer or a promise) ${describeThrown(asyncError)}.`);

    if (run!.loadError) {
      const location = await addLineText(locateInStack(run!.loadError.stack, learnerFiles));
      const message = `Loading your file ${describeThrown(run!.loadError)}`;
      return verdictOf({ status: 'error', summary: message, cases: notRun(), output, error: { kind: 'load', message, location } });
    }
    const seconds = (timeoutMs / 1000).toFixed(1);
    const crashText = (c: NonNullable<SandboxRun['crashed']>, during: string) => describeCrash(c, during, defaultLimits.memoryMb);
    if (run!.exports === undefined && (run!.timedOut || run!.crashed)) {
      // The learner module never finished loading: its top-level code hung or crashed.
      const error: VerdictError = run!.timedOut
        ? { kind: 'timeout', message: `Timed out after ${seconds} s while loading your file (its top-level code never finished).` }
        : { kind: run!.crashed!.outOfMemory ? 'memory' : 'crash', message: crashText(run!.crashed!, 'while loading your file') };
      return verdictOf({ status: 'error', summary: error.message, cases: notRun(), output, error });
    }
    if (run!.exports && !run!.exports.includes(definition.entry)) {
      const found = run!.exports.length ? `It exports: ${run!.exports.join(', ')}.` : 'It exports nothing.';
      const message = `Your file does not export a function named ${definition.entry}. ${found} Expected: export function ${definition.signature}`;
      return verdictOf({ status: 'error', summary: message, cases: notRun(), output, error: { kind: 'missing-export', message } });
    }

    const results: CaseResult[] = [];
    const graded: GradedCase[] = [];
    let firstError: VerdictError | undefined;
    for (let i = 0; i < cases.length; i++) {
      const outcome = run!.outcomes[i];
      const name = cases[i].name;
      if (!outcome) {
        // The run stopped here: during this case, or between cases (a timer that fired after the last result).
        const stoppedHere = !results.some((r) => r.status === 'not-run' || (r.status === 'error' && !r.durationMs));
        const at = run!.timedOut?.caseIndex ?? run!.crashed?.caseIndex;
        if (run!.timedOut && (at === i || (at === undefined && stoppedHere))) {
          const message = `Timed out after ${seconds} s on case "${name}" (an infinite loop, or far too much work).`;
          results.push({ index: i, name, status: 'error', message });
          firstError ??= { kind: 'timeout', message };
        } else if (run!.crashed && (at === i || (at === undefined && stoppedHere))) {
          const message = crashText(run!.crashed, `during case "${name}"`);
          results.push({ index: i, name, status: 'error', message });
          firstError ??= { kind: run!.crashed.outOfMemory ? 'memory' : 'crash', message };
        } else {
          results.push({ index: i, name, status: 'not-run' });
        }
        continue;
      }
      if (!outcome.ok) {
        const location = await addLineText(locateInStack(outcome.error.stack, learnerFiles));
        const where = location ? ` (${path.basename(location.file)}:${location.line})` : '';
        const wroteInput = definition.inputsReadOnly && outcome.error.name === 'TypeError' && /read[- ]only|not extensible|Cannot (add|assign|delete|define)/i.test(outcome.error.message);
        const message = wroteInput
          ? `Your function tried to change its input in place${where} (${outcome.error.message}). This exercise's inputs must stay unchanged: copy them before modifying.`
          : `Your function ${describeThrown(outcome.error)}${where}.`;
        results.push({ index: i, name, status: 'error', message, durationMs: outcome.durationMs });
        firstError ??= { kind: 'throw', message, location };
        continue;
      }
      const comparison = compareOutputs(expected[i], outcome.value, tolerance);
      const mutatedMessage = outcome.mutated ? `Your function changed its input in place (${outcome.mutated}).` : undefined;
      if (comparison.ok) {
        if (outcome.mutated && definition.inputsReadOnly) {
          results.push({ index: i, name, status: 'fail', message: `${mutatedMessage} This exercise's inputs must stay unchanged: copy before modifying.`, mutated: outcome.mutated, durationMs: outcome.durationMs });
        } else {
          results.push({ index: i, name, status: 'pass', mutated: outcome.mutated, durationMs: outcome.durationMs });
        }
        graded.push({ args: cases[i].args, expected: expected[i], got: outcome.value, passed: true, index: i });
        continue;
      }
      const mismatch = comparison.mismatch;
      if (mismatch.kind === 'type') {
        results.push({ index: i, name, status: 'error', message: mismatch.message, mismatch, durationMs: outcome.durationMs });
        firstError ??= { kind: 'type', message: `Wrong return type: ${mismatch.message}` };
        continue;
      }
      results.push({ index: i, name, status: 'fail', message: mismatch.message, mismatch, mutated: outcome.mutated, durationMs: outcome.durationMs });
      graded.push({ args: cases[i].args, expected: expected[i], got: outcome.value, passed: false, index: i });
    }
    for (const r of results) r.input = previewArgs(cases[r.index].args);
    let offset = cases.length;
    for (const property of propertyCases) {
      const index = results.length;
      const outcomes = property.calls.map((_, j) => run!.outcomes[offset + j]);
      offset += property.calls.length;
      const input = previewArgs(property.calls[0] ?? []);
      const thrown = outcomes.find((o) => o && !o.ok);
      if (outcomes.some((o) => !o)) {
        results.push({ index, name: property.name, status: 'not-run', input });
      } else if (thrown && !thrown.ok) {
        results.push({ index, name: property.name, status: 'error', input, message: `Your function ${describeThrown(thrown.error)}.` });
      } else {
        const values = outcomes.map((o) => (o as { value: unknown }).value);
        const odd = values.find((v) => isMarker(v));
        let failure: string | undefined;
        try {
          failure = odd !== undefined ? `Your function returned ${describeType(odd)}.` : property.holds(values, property.calls);
        } catch (error) {
          failure = `The property could not be checked on your outputs (${(error as Error).message}).`;
        }
        results.push({ index, name: property.name, status: failure ? 'fail' : 'pass', input, message: failure });
      }
    }
    if (results.some((r) => r.mutated) && !definition.inputsReadOnly) {
      const r = results.find((x) => x.mutated)!;
      notes.push(`Your function changes its input in place (${r.mutated}, case "${r.name}"); callers may not expect that.`);
    }

    emit({ type: 'stage', stage: 'diagnose' });
    const diagnosis = await diagnose(definition.misconceptions ?? [], graded, tolerance, ctx, prepared.wrongCache);
    const passed = results.filter((r) => r.status === 'pass').length;
    const firstFailure = results.findIndex((r) => r.status !== 'pass');
    const status = firstError ? 'error' : firstFailure >= 0 ? 'fail' : 'pass';
    const first = results[firstFailure];
    const notImplemented = results.length > 0 && results.every((r) => r.status === 'error' && / threw Error: not implemented\b/.test(r.message ?? ''));
    const summary = notImplemented
      ? `Not implemented yet: replace \`throw new Error('not implemented')\` in ${path.basename(learnerFile)} with your code.`
      : status === 'pass'
        ? `All ${results.length} cases pass.`
        : firstError && first?.status !== 'fail'
          ? firstError.message
          : `${passed} of ${results.length} cases pass; first failing: "${first.name}". ${first.message ?? ''}`.trim();
    const verdict = verdictOf({ status, summary, cases: results, firstFailure: firstFailure >= 0 ? firstFailure : undefined, diagnosis, error: firstError, output });
    emit({ type: 'verdict', verdict });
    return verdict;
  } finally {
    await slot.dispose();
  }
}
