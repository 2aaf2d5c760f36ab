/**
 * Grading a class: every submission against every exercise of the trusted
 * packs, `jobs` at a time, each submission's files in one sandboxed child
 * (docs/security.md), into one results object. Which entries are submissions
 * is folder.ts; merging shards and reading results back, merge.ts.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../../errors.js';
import type { BackendName } from '../../reference/backend.js';
import { loadDefinition } from '../packs/definitions.js';
import { gradePrepared, prepareExercise, timeLimitOf, type PreparedExercise } from '../grading/grade.js';
import { defaultTolerance, type ExerciseDefinition } from '../authoring/exercise.js';
import type { SandboxSlot } from '../../sandbox/run-child.js';
import { exerciseRefs, findExercise, type ExerciseRef, type Pack } from '../packs/packs.js';
import { summarise, type ClassResult, type ExerciseResult, type SubmissionResult, worstStatus, resultsSchemaVersion } from './results.js';
import type { Verdict } from '../grading/verdict.js';
import { configFileName, configFix, exercisesRootOf, learnerFileOf } from '../workspace/workspace.js';
import { posixRelative } from '../common/paths.js';
import { version } from '../common/version.js';
import { workspaceConfigSchema } from '../common/schemas.js';
import { readJsonFile } from '../common/json-file.js';
import { checkRegularFile, readLimits } from '../common/safe-read.js';
import { stateFileOf, stateFix } from '../workspace/state-store.js';
import { inOrder } from '../common/in-order.js';
import { isWorkspace, shardOf, type Submission } from './folder.js';
import { exerciseScore, totalScore } from './scores.js';
import { t } from '../../i18n/i18n.js';

export interface ClassGradeOptions {
  submissions: Submission[];
  packs: Pack[];
  /** Exercise ids (full, id, or suffix) to grade; all when empty. */
  only?: string[];
  seed: number;
  jobs: number;
  backend?: BackendName;
  shard?: { index: number; count: number };
  timeoutMs?: number;
  /** Recorded in the results: how learner code was isolated. */
  isolation?: 'bwrap' | 'permission';
  /** Called after each submission, in the submissions' order: one that finishes before an earlier one waits for it. */
  onSubmission?: (result: SubmissionResult) => void;
}

function toExerciseResult(ref: ExerciseRef, verdict: Verdict, submission: Submission): ExerciseResult {
  const casesPassed = verdict.cases.filter((c) => c.status === 'pass').length;
  const casesTotal = verdict.cases.length;
  const first = verdict.firstFailure !== undefined ? verdict.cases[verdict.firstFailure] : undefined;
  const line = verdict.error?.location && path.resolve(verdict.error.location.file) === path.resolve(verdict.learnerFile) ? verdict.error.location.line : undefined;
  const { stdout, stderr, droppedBytes } = verdict.output;
  return {
    key: ref.key,
    pack: ref.packId,
    id: ref.id,
    title: ref.title,
    status: verdict.status,
    message: verdict.summary,
    file: posixRelative(submission.dir, verdict.learnerFile),
    ...(line !== undefined ? { line } : {}),
    casesPassed,
    casesTotal,
    score: exerciseScore(ref, { status: verdict.status, casesPassed, casesTotal }),
    maxScore: ref.points,
    ...(verdict.status !== 'pass' ? { cases: verdict.cases.map((c) => ({ name: c.name, status: c.status })) } : {}),
    ...(first && first.status !== 'pass' ? { failingCase: { name: first.name, status: first.status, input: first.input, args: first.args, trace: first.trace, message: first.message, step: first.step, plan: first.plan } } : {}),
    ...(first?.mismatch ? { diff: first.mismatch } : {}),
    ...(verdict.diagnosis ? { diagnosis: verdict.diagnosis } : {}),
    output: { stdout: stdout.slice(0, 2000), stderr: stderr.slice(0, 2000), truncated: droppedBytes > 0 || stdout.length > 2000 || stderr.length > 2000 },
    tolerance: verdict.tolerance,
    durationMs: Math.round(verdict.durationMs),
  };
}

function errorResult(ref: ExerciseRef, submission: Submission, file: string, message: string, tolerance: ExerciseResult['tolerance']): ExerciseResult {
  return {
    key: ref.key,
    pack: ref.packId,
    id: ref.id,
    title: ref.title,
    status: 'error',
    message,
    file: posixRelative(submission.dir, file),
    casesPassed: 0,
    casesTotal: 0,
    score: 0,
    maxScore: ref.points,
    output: { stdout: '', stderr: '', truncated: false },
    tolerance,
    durationMs: 0,
  };
}

/**
 * Grades every submission on every exercise of the trusted packs, `jobs`
 * submissions at a time. References are computed once per exercise (same
 * seed for everyone); a submission's files run in a sandboxed child of their
 * own (see SubmissionSandbox for when a file gets a fresh process).
 * A submission that crashes, hangs or cheats is reported as such; the run goes on.
 */
export async function gradeClass(options: ClassGradeOptions): Promise<ClassResult> {
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  let refs = exerciseRefs(options.packs);
  if (options.only?.length) refs = options.only.map((q) => findExercise(refs, q));
  const definitions = new Map<string, ExerciseDefinition>();
  for (const ref of refs) definitions.set(ref.key, await loadDefinition(ref));
  const toleranceOf = (ref: ExerciseRef) => definitions.get(ref.key)!.compare ?? defaultTolerance;
  const longestTimeout = Math.max(0, ...[...definitions.values()].map((d) => timeLimitOf(d, options.timeoutMs)));
  const queue = options.shard ? shardOf(options.submissions, options.shard) : [...options.submissions];
  const results: SubmissionResult[] = [];
  const { SubmissionSandbox } = await import('../../sandbox/submission-sandbox.js');
  const { loadTf } = await import('../../reference/backend.js');
  const tf = loadTf(options.backend);
  tf.catch(() => {});

  // The exercises are prepared in order as the grading reaches them (a trained model's cases take most of a second to
  // build), the next one while the child runs a file: the first submissions' children start at once. An exercise that
  // cannot be prepared stops the grading. Each reference computes once the first submission's cases of its exercise
  // are sent: it holds the event loop while it computes, and so the child runs that file meanwhile.
  const prepared = new Map<string, Promise<PreparedExercise>>();
  const preparedAt = (i: number): Promise<PreparedExercise> => {
    const ref = refs[i];
    let ready = prepared.get(ref.key);
    if (!ready) {
      ready = (i > 0 ? preparedAt(i - 1) : tf).then(() => prepareExercise(ref, definitions.get(ref.key)!, options.seed, { backend: options.backend, timeoutMs: options.timeoutMs, deferReference: true }));
      ready.catch(() => {});
      prepared.set(ref.key, ready);
    }
    return ready;
  };

  const gradeOne = async (submission: Submission): Promise<SubmissionResult> => {
    const t0 = Date.now();
    if (submission.refused) return refusedResult(submission, refs, toleranceOf);
    const exercises: ExerciseResult[] = [];
    let problem: string | undefined;
    try {
      if (!isWorkspace(submission.dir)) throw new UserError(t`no ${configFileName}: not an llm-tutor workspace`);
      // The config is read only to report a damaged one; the packs graded are the trusted ones.
      await readJsonFile(path.join(submission.dir, configFileName), workspaceConfigSchema, { label: `${submission.id}/${configFileName}`, fix: configFix() });
      // Progress is not graded, but a state file no learner's tutor could read (a link, a FIFO, a device, too large) is reported.
      const stateLabel = `${submission.id}/${posixRelative(submission.dir, stateFileOf(submission.dir))}`;
      await checkRegularFile(stateFileOf(submission.dir), { label: stateLabel, maxBytes: readLimits.state, fix: stateFix(), within: submission.dir });
    } catch (error) {
      problem = (error as Error).message;
    }
    const allowedRoot = exercisesRootOf(submission);
    // One child runs the submission's files in turn (a fresh one after anything unclean).
    const sandbox = await SubmissionSandbox.open(refs.map((ref) => learnerFileOf(submission, ref)).filter((f) => existsSync(f)), allowedRoot, { timeoutMs: longestTimeout });
    try {
      for (const [i, ref] of refs.entries()) {
        const p = await preparedAt(i);
        const file = learnerFileOf(submission, ref);
        if (!existsSync(file)) {
          exercises.push(errorResult(ref, submission, file, t`The file ${posixRelative(submission.dir, file)} is missing.`, p.tolerance));
          continue;
        }
        try {
          const verdict = await gradePrepared(p, { learnerFile: file, allowedRoot, sandbox: preparingNext(sandbox, i + 1) });
          exercises.push(toExerciseResult(ref, verdict, submission));
        } catch (error) {
          if (!(error instanceof UserError)) throw error;
          exercises.push(errorResult(ref, submission, file, error.message, p.tolerance));
        }
      }
    } finally {
      await sandbox.close();
    }
    return submissionResult(submission, exercises, problem, Date.now() - t0);
  };

  /** The sandbox, whose runs start preparing exercise `next` once their cases are sent (after the reference, which starts then too). */
  const preparingNext = (sandbox: { acquire(): Promise<SandboxSlot> }, next: number) => ({
    acquire: async (): Promise<SandboxSlot> => {
      const slot = await sandbox.acquire();
      return {
        ...slot,
        run: (entry, cases, limits, signal, onSent) =>
          slot.run(entry, cases, limits, signal, () => {
            onSent?.();
            if (next < refs.length) setImmediate(() => void preparedAt(next));
          }),
      };
    },
  });

  // Submissions finish out of order with several jobs; they are announced in the queue's (name) order.
  const announce = inOrder<SubmissionResult>((result) => options.onSubmission?.(result));
  let taken = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(options.jobs, queue.length || 1)) }, async () => {
    while (taken < queue.length) {
      const index = taken++;
      results[index] = await gradeOne(queue[index]);
      announce(index, results[index]);
    }
  });
  await Promise.all(workers);
  // An exercise no submission reached (every one refused) is prepared all the same: one that cannot be stops the grading.
  if (refs.length > 0) await preparedAt(refs.length - 1);
  const { report } = await tf;
  results.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  return summarise({
    schemaVersion: resultsSchemaVersion,
    tool: { name: 'llm-tutor', version },
    seed: options.seed,
    backend: report.active,
    ...(options.isolation ? { isolation: options.isolation } : {}),
    packs: options.packs.map((p) => ({ id: p.manifest.id, version: p.manifest.version })),
    exercises: refs.map((r) => ({ key: r.key, title: r.title, points: r.points, partialCredit: r.partialCredit })),
    ...(options.shard ? { shard: options.shard } : {}),
    submissions: results,
    startedAt,
    durationMs: Date.now() - started,
  });
}

/** The result of an entry that is not graded at all: every exercise an error naming why. */
function refusedResult(submission: Submission, refs: ExerciseRef[], toleranceOf: (ref: ExerciseRef) => ExerciseResult['tolerance']): SubmissionResult {
  const problem = submission.refused!;
  const exercises = refs.map((ref) => errorResult(ref, submission, learnerFileOf(submission, ref), t`Not graded: ${problem}`, toleranceOf(ref)));
  return submissionResult(submission, exercises, problem, 0);
}

/** A submission's result from its exercises' results: its status (error when it has a problem), counts and points. */
function submissionResult(submission: Submission, exercises: ExerciseResult[], problem: string | undefined, durationMs: number): SubmissionResult {
  return {
    id: submission.id,
    path: submission.path,
    status: problem ? 'error' : worstStatus(exercises.map((e) => e.status)),
    ...(problem ? { problem } : {}),
    passed: exercises.filter((e) => e.status === 'pass').length,
    total: exercises.length,
    ...totalScore(exercises),
    exercises,
    durationMs,
  };
}

