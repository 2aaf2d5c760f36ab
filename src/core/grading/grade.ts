/**
 * Grading one learner file: prepare (prepare.ts), bundle and run in the
 * sandbox, interpret the run (interpret.ts, pure), diagnose and explain
 * (explain.ts). The learner's code is never loaded into this process.
 */
import path from 'node:path';
import type { BackendName } from '../../reference/backend.js';
import type { BundleFailure, BundleResult } from '../../sandbox/bundle.js';
import type { SandboxRun, SandboxSlot } from '../../sandbox/run-child.js';
import { contextFor, type ExerciseDefinition } from '../authoring/exercise.js';
import type { ExerciseRef } from '../packs/packs.js';
import { diagnose } from './diagnose.js';
import { importNotes, summarise, withLineText } from './explain.js';
import { interpretRun, notRunResults } from './interpret.js';
import { prepareExercise, type PreparedExercise, type ReferenceRun } from './prepare.js';
import { expectSteps } from './stepwise.js';
import { traceFailure } from './trace.js';
import { compareLayers, layerNote } from './layers.js';
import type { ImportedExercise, Verdict, VerdictError } from './verdict.js';
import { t } from '../../i18n/i18n.js';

export { buildCases, buildPropertyCases, computeExpected, deepFreeze, prepareExercise, timeLimitOf, type PreparedCase, type PreparedExercise, type PreparedProperty } from './prepare.js';
export { locateInStack, previewArgs } from './explain.js';

export interface GradeRequest extends GradeTarget {
  ref: ExerciseRef;
  definition: ExerciseDefinition;
  seed: number;
  backend?: BackendName;
  /** Overrides the exercise's time limit (milliseconds). */
  timeoutMs?: number;
}

export type GradeEvent =
  | { type: 'stage'; stage: 'cases' | 'reference' | 'bundle' | 'sandbox' | 'diagnose' }
  | { type: 'verdict'; verdict: Verdict };

/** Where the learner's file is, and how to run it. */
export interface GradeTarget {
  learnerFile: string;
  /** The learner's exercises folder: the only place their file may import from. */
  allowedRoot: string;
  /**
   * Tells which exercise an imported learner file belongs to, and whether it
   * passes with the content graded now (`digests`: the SHA-256 of each file bundled).
   */
  describeImport?: (file: string, digests: Readonly<Record<string, string>>) => ImportedExercise | undefined;
  onEvent?: (event: GradeEvent) => void;
  /** A sandbox provider with a child started ahead of time (watch mode); default: a cold child. */
  sandbox?: { acquire(): Promise<SandboxSlot> };
  /**
   * Cancels the grading (watch mode, on a newer save): the sandbox child is
   * killed at once and the grading rejects with the signal's reason, giving no verdict.
   */
  signal?: AbortSignal;
}

/** What the sandbox gave back: a bundle that failed (so nothing ran), or a bundle and its run. */
type SandboxOutcome = { bundled: false; failure: BundleFailure } | { bundled: true; learnerFiles: string[]; digests: Record<string, string>; bundleMs: number; run: SandboxRun };

/**
 * Grades one learner file: builds the seeded cases, computes expected outputs
 * with the reference (here, in the trusted process), bundles and runs the
 * learner's code in the sandbox, compares, diagnoses and returns the verdict.
 */
export async function gradeExercise(request: GradeRequest): Promise<Verdict> {
  const prepared = prepareExercise(request.ref, request.definition, request.seed, { backend: request.backend, timeoutMs: request.timeoutMs });
  return gradePrepared(prepared, request);
}

/** Bundles and runs the learner's file; bundling and the run overlap with the reference run when it is still going. */
async function runInSandbox(prepared: PreparedExercise, target: GradeTarget, emit: (e: GradeEvent) => void): Promise<{ outcome: SandboxOutcome; reference: ReferenceRun; memoryMb: number }> {
  const { coldSlot, defaultLimits } = await import('../../sandbox/run-child.js');
  const { definition, timeoutMs } = prepared;
  const slot = await (target.sandbox ? target.sandbox.acquire() : coldSlot(timeoutMs));
  let bundling: Promise<BundleResult> | undefined;
  let running: Promise<SandboxRun | undefined> | undefined;
  try {
    emit({ type: 'stage', stage: 'bundle' });
    bundling = slot.bundle(target.learnerFile, target.allowedRoot, timeoutMs);
    // Bundling counts in the time limit: the run gets what is left of it.
    const limits = (bundleMs: number) => ({ ...defaultLimits, timeoutMs: Math.max(1, timeoutMs - bundleMs), readOnlyInputs: definition.inputsReadOnly, links: prepared.links, entries: prepared.entries, together: prepared.together });
    // A grading cancelled while bundling starts no run.
    running = bundling.then((bundle) =>
      bundle.ok && !target.signal?.aborted ? slot.run(definition.entry, prepared.calls, limits(bundle.durationMs), target.signal, prepared.startReference) : undefined,
    );
    // A deferred reference starts once the run's message is sent, or when there is no run.
    void running.then(prepared.startReference, prepared.startReference);
    emit({ type: 'stage', stage: 'reference' });
    const reference = await prepared.reference;
    const bundle = await bundling;
    emit({ type: 'stage', stage: 'sandbox' });
    const run = await running;
    // A cancelled grading gives no verdict, whatever its run saw.
    target.signal?.throwIfAborted();
    return { reference, memoryMb: defaultLimits.memoryMb, outcome: bundle.ok ? { bundled: true, learnerFiles: bundle.inputs, digests: bundle.digests, bundleMs: bundle.durationMs, run: run! } : { bundled: false, failure: bundle } };
  } finally {
    // When the reference failed, the bundle may still be writing into the slot's folder: let it finish before the folder goes.
    await bundling?.catch(() => undefined);
    running?.catch(() => undefined);
    await slot.dispose();
  }
}

/** The verdict of a bundle that failed: compile error or time-out, nothing run. */
function bundleError(failure: BundleFailure, timeoutMs: number): VerdictError & { summary: string } {
  if (failure.timedOut) {
    const message = t`Timed out after ${(timeoutMs / 1000).toFixed(1)} s while bundling your files: make them smaller or less deeply nested.`;
    return { kind: 'timeout', message, summary: message };
  }
  const p = failure.problem;
  const location = p.file && p.line ? { file: p.file, line: p.line, column: p.column ?? 1, lineText: p.lineText } : undefined;
  const where = location ? `${path.basename(location.file)}:${location.line}:${location.column}: ` : '';
  return { kind: 'bundle', message: p.message, location, summary: t`Your file could not be compiled: ${where}${p.message}` };
}

/** Grades a learner file against a prepared exercise. */
export async function gradePrepared(prepared: PreparedExercise, target: GradeTarget): Promise<Verdict> {
  const started = performance.now();
  const emit = target.onEvent ?? (() => {});
  const { outcome, reference, memoryMb } = await runInSandbox(prepared, target, emit);
  const { ref, seed, tolerance, timeoutMs, definition } = prepared;
  const base = {
    exerciseKey: ref.key,
    exerciseId: ref.id,
    packId: ref.packId,
    learnerFile: target.learnerFile,
    learnerFiles: outcome.bundled ? outcome.learnerFiles : [target.learnerFile],
    ...(outcome.bundled ? { learnerDigests: outcome.digests } : {}),
    seed,
    tolerance,
    backend: reference.backend,
    output: outcome.bundled ? { stdout: outcome.run.stdout, stderr: outcome.run.stderr, droppedBytes: outcome.run.droppedBytes } : { stdout: '', stderr: '', droppedBytes: 0 },
  };
  const finish = (verdict: Omit<Verdict, keyof typeof base | 'durationMs' | 'timings'>): Verdict => ({
    ...base,
    ...verdict,
    durationMs: performance.now() - started,
    timings: {
      referenceMs: reference.referenceMs,
      bundleMs: outcome.bundled ? outcome.bundleMs : outcome.failure.durationMs,
      sandboxMs: outcome.bundled ? outcome.run.durationMs : 0,
    },
  });

  if (!outcome.bundled) {
    const { summary, ...error } = bundleError(outcome.failure, timeoutMs);
    return finish({ status: 'error', summary, cases: notRunResults(prepared), error, notes: [] });
  }
  const { run, learnerFiles, digests } = outcome;
  const notes = importNotes(target.learnerFile, learnerFiles, (file) => target.describeImport?.(file, digests));
  const steps = await expectSteps(prepared, reference.expected, reference.ctx, run.outcomes);
  const interpreted = interpretRun({ ...prepared, memoryMb, expected: reference.expected, steps, learnerFiles }, run);
  if (interpreted.stopped) {
    const error = { ...interpreted.error, location: await withLineText(interpreted.error.location) };
    return finish({ status: 'error', summary: error.message, cases: interpreted.results, error, notes: [...notes, ...interpreted.notes] });
  }
  const { results, graded } = interpreted;
  const firstError = interpreted.firstError && { ...interpreted.firstError, location: await withLineText(interpreted.firstError.location) };
  emit({ type: 'stage', stage: 'diagnose' });
  const diagnosis = await diagnose(definition.misconceptions ?? [], graded, tolerance, reference.ctx, prepared.wrongCache, prepared.locale, definition.schedule);
  const firstFailure = results.findIndex((r) => r.status !== 'pass');
  const traced = await traceFailure(definition, contextFor(reference.ctx, interpreted.firstFailureEntry), interpreted.firstFailureArgs);
  // The result that shows the arguments is the one they belong to.
  const shown = results.find((r) => r.args);
  if (traced.trace && shown) shown.trace = traced.trace;
  // A file assembled from the learner's earlier files: which imported piece is the first to differ.
  const failing = shown && interpreted.firstFailureArgs ? { name: shown.name, args: interpreted.firstFailureArgs } : undefined;
  const layered = firstFailure >= 0 ? await compareLayers(definition, contextFor(reference.ctx, interpreted.firstFailureEntry), failing, learnerFiles, target.allowedRoot, timeoutMs) : undefined;
  const layerNotes = layered ? ['note' in layered ? layered.note : layerNote(layered)] : [];
  const verdict = finish({
    status: firstError ? 'error' : firstFailure >= 0 ? 'fail' : 'pass',
    summary: summarise(results, firstError, target.learnerFile),
    cases: results,
    firstFailure: firstFailure >= 0 ? firstFailure : undefined,
    diagnosis,
    error: firstError,
    notes: [...notes, ...interpreted.notes, ...(traced.note ? [traced.note] : []), ...layerNotes],
    ...(layered && !('note' in layered) ? { layers: layered } : {}),
  });
  emit({ type: 'verdict', verdict });
  return verdict;
}
