import { existsSync } from 'node:fs';
import { UserError } from '../../errors.js';
import type { BackendName } from '../../reference/backend.js';
import { loadDefinition } from '../packs/definitions.js';
import { gradePrepared, prepareExercise, timeLimitOf, type GradeEvent, type GradeTarget, type PreparedExercise } from '../grading/grade.js';
import type { ExerciseRef } from '../packs/packs.js';
import type { State } from '../common/schemas.js';
import { StateStore } from './state-store.js';
import type { Verdict } from '../grading/verdict.js';
import { gradedFilesOf, importedStanding, type GradedFiles } from './graded-files.js';
import { definitionDigest } from '../packs/definition-digest.js';
import { exercisesRootOf, learnerFileOf, type Workspace } from './workspace.js';
import { t } from '../../i18n/i18n.js';

export interface CheckOptions {
  seed: number;
  backend?: BackendName;
  timeoutMs?: number;
  /** Grade this file instead of the workspace's learner file (it must still live under the workspace's exercises folder to import siblings). */
  file?: string;
  /** Record the attempt in the progress file (default true). */
  record?: boolean;
  onEvent?: (event: GradeEvent) => void;
}

/** Grades a workspace exercise once (`llm-tutor check`) and records the attempt in the progress file. */
export async function checkExercise(workspace: Workspace, ref: ExerciseRef, options: CheckOptions): Promise<Verdict> {
  const learnerFile = options.file ?? learnerFileOf(workspace, ref);
  if (!existsSync(learnerFile)) {
    throw new UserError(t`Your file for ${ref.key} is missing: ${learnerFile}`, { next: t`Run \`llm-tutor reset ${ref.id}\` to write the starter again.`, exitCode: 2 });
  }
  const { verdict } = await gradeAndRecord(workspace, ref, { ...options, learnerFile });
  return verdict;
}

/** How to grade: against an exercise prepared ahead (watch mode keeps one per exercise), or one prepared for this grading. */
export type GradeSource = { prepared: PreparedExercise } | { seed: number; backend?: BackendName; timeoutMs?: number };

export type GradeAndRecordOptions = GradeSource & {
  learnerFile: string;
  /** A sandbox with a child started ahead of time (watch mode); default: a cold child. */
  sandbox?: GradeTarget['sandbox'];
  onEvent?: (event: GradeEvent) => void;
  /** Called with the verdict before the attempt is saved, so that a screen can show it at once. */
  onVerdict?: (verdict: Verdict) => void;
  /** Whether to record the attempt (default true); a function is asked once the verdict is in. */
  record?: boolean | (() => boolean);
  /** Cancels the grading: it then rejects with the signal's reason, shows and records nothing. */
  signal?: AbortSignal;
};

/**
 * Grades `learnerFile` as the workspace exercise `ref` (telling which imported
 * files belong to exercises that do not pass, or whose files changed since
 * they passed) and records the attempt, with the digests of the files it
 * read, in the progress file. Returns the verdict and the saved progress; when the
 * progress cannot be saved, the verdict carries a note saying why and
 * `progress` is undefined, as it is when nothing was recorded.
 */
export async function gradeAndRecord(workspace: Workspace, ref: ExerciseRef, options: GradeAndRecordOptions): Promise<{ verdict: Verdict; progress?: State }> {
  const state = await workspace.state.read();
  // Read before grading: the pass is about the definition as it was when grading began.
  const definition = definitionDigest(ref).catch(() => undefined);
  let sandbox = options.sandbox;
  let prepared: PreparedExercise;
  if ('prepared' in options) prepared = options.prepared;
  else {
    const loaded = await loadDefinition(ref);
    // A cold child is started first, and the reference once the child has its cases: building the cases and computing
    // the reference are synchronous (a trained model's take most of a second) and would hold back the child's start,
    // and the sending of its cases, until they were done.
    const slot = sandbox ? undefined : await (await import('../../sandbox/run-child.js')).coldSlot(timeLimitOf(loaded, options.timeoutMs));
    if (slot) sandbox = { acquire: async () => slot };
    try {
      prepared = prepareExercise(ref, loaded, options.seed, { backend: options.backend, timeoutMs: options.timeoutMs, deferReference: true });
    } catch (error) {
      await slot?.dispose();
      throw error;
    }
  }
  const verdict = await gradePrepared(prepared, {
    learnerFile: options.learnerFile,
    allowedRoot: exercisesRootOf(workspace),
    sandbox,
    onEvent: options.onEvent,
    signal: options.signal,
    describeImport: (file, digests) => importedStanding(workspace, state, file, digests),
  });
  options.signal?.throwIfAborted();
  options.onVerdict?.(verdict);
  const record = typeof options.record === 'function' ? options.record() : options.record !== false;
  if (!record) return { verdict };
  try {
    return { verdict, progress: await recordAttempt(workspace.state, ref, verdict, { files: gradedFilesOf(workspace, verdict), definition: await definition }) };
  } catch (error) {
    // The verdict is still worth showing when progress cannot be saved.
    if (!(error instanceof UserError)) throw error;
    return { verdict: { ...verdict, notes: [...verdict.notes, `${error.message} ${error.next ?? ''}`.trim()] } };
  }
}

/** What one grading was about: the learner files it read, and the digest of the exercise's definition (undefined when not known). */
export interface GradedContent {
  files: GradedFiles | undefined;
  definition: string | undefined;
}

/** Applies one grading of `ref`, about `graded`, to a progress record in memory. */
export function applyAttempt(state: State, ref: ExerciseRef, verdict: Verdict, graded: GradedContent, now = new Date()): void {
  const progress = StateStore.progressOf(state, ref.key);
  progress.attempts += 1;
  progress.lastCheckedAt = now.toISOString();
  // The hint command offers the diagnosed mistake's hint first.
  if (verdict.diagnosis) progress.diagnosis = { misconceptionId: verdict.diagnosis.misconceptionId, confidence: verdict.diagnosis.confidence };
  else delete progress.diagnosis;
  // The record is about this content from now on; a pass of other content is gone.
  progress.gradedFiles = graded.files;
  progress.definition = graded.definition;
  if (verdict.status === 'pass') {
    progress.status = 'passed';
    progress.firstPassedAt ??= progress.lastCheckedAt;
  } else {
    // A solved exercise that fails again shows as failing; its first pass time is kept.
    progress.status = 'failed';
  }
  state.exercises[ref.key] = progress;
  state.packVersions[ref.packId] = ref.pack.manifest.version;
}

/** Updates the progress of `ref` after a grading about `graded`, in the progress file. */
export async function recordAttempt(store: StateStore, ref: ExerciseRef, verdict: Verdict, graded: GradedContent): Promise<State> {
  return store.update((state) => applyAttempt(state, ref, verdict, graded));
}
