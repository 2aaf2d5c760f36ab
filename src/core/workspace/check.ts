import { existsSync } from 'node:fs';
import { UserError } from '../../errors.js';
import type { BackendName } from '../../reference/backend.js';
import { loadDefinition } from '../packs/definitions.js';
import { gradeExercise, type GradeEvent } from '../grading/grade.js';
import type { ExerciseRef } from '../packs/packs.js';
import type { State } from '../common/schemas.js';
import { StateStore } from './state-store.js';
import type { Verdict } from '../grading/verdict.js';
import { exerciseOfFile, exercisesRootOf, learnerFileOf, type Workspace } from './workspace.js';

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

/** Grades a workspace exercise and records the attempt in the progress file. */
export async function checkExercise(workspace: Workspace, ref: ExerciseRef, options: CheckOptions): Promise<Verdict> {
  const learnerFile = options.file ?? learnerFileOf(workspace, ref);
  if (!existsSync(learnerFile)) {
    throw new UserError(`Your file for ${ref.key} is missing: ${learnerFile}`, { next: `Run \`llm-tutor reset ${ref.id}\` to write the starter again.`, exitCode: 2 });
  }
  const definition = await loadDefinition(ref);
  const state = await workspace.state.read();
  const verdict = await gradeExercise({
    ref,
    definition,
    learnerFile,
    allowedRoot: exercisesRootOf(workspace),
    seed: options.seed,
    backend: options.backend,
    timeoutMs: options.timeoutMs,
    onEvent: options.onEvent,
    describeImport: (file) => {
      const imported = exerciseOfFile(workspace, file);
      return imported ? { key: imported.key, passed: state.exercises[imported.key]?.status === 'passed' } : undefined;
    },
  });
  if (options.record !== false) {
    try {
      await recordAttempt(workspace.state, ref, verdict);
    } catch (error) {
      // The verdict is still worth showing when progress cannot be saved.
      if (!(error instanceof UserError)) throw error;
      verdict.notes.push(`${error.message} ${error.next ?? ''}`.trim());
    }
  }
  return verdict;
}

/** Applies one grading of `ref` to a progress record in memory. */
export function applyAttempt(state: State, ref: ExerciseRef, verdict: Verdict, now = new Date()): void {
  const progress = StateStore.progressOf(state, ref.key);
  progress.attempts += 1;
  progress.lastCheckedAt = now.toISOString();
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

/** Updates the progress of `ref` after a grading, in the progress file. */
export async function recordAttempt(store: StateStore, ref: ExerciseRef, verdict: Verdict): Promise<State> {
  return store.update((state) => applyAttempt(state, ref, verdict));
}
