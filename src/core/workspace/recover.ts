import type { BackendName } from '../../reference/backend.js';
import { readExerciseFile, type ExerciseRef } from '../packs/packs.js';
import { readLimits, readRegularFile, UnsafeFileError } from '../common/safe-read.js';
import type { State } from '../common/schemas.js';
import type { Verdict } from '../grading/verdict.js';
import { gradeAndRecord } from './check.js';
import { learnerFileOf, type Workspace } from './workspace.js';
import { t } from '../../i18n/i18n.js';

/**
 * The learner's text of `ref`, or undefined when there is no file or it is one
 * llm-tutor will not read (a link, a FIFO, a file over the limit: `check`
 * refuses those too).
 */
async function learnerText(workspace: Workspace, ref: ExerciseRef): Promise<string | undefined> {
  try {
    return await readRegularFile(learnerFileOf(workspace, ref), { maxBytes: readLimits.learnerFile, fix: t('move it out of the workspace') });
  } catch (error) {
    if (error instanceof UnsafeFileError) return undefined;
    throw error;
  }
}

/**
 * The exercises, in workspace order, whose learner file differs from its
 * starter while `state` records no grading of it: work that a lost or
 * damaged progress file no longer knows about.
 */
export async function ungradedEdits(workspace: Workspace, state: State): Promise<ExerciseRef[]> {
  const found: ExerciseRef[] = [];
  for (const ref of workspace.exercises) {
    if ((state.exercises[ref.key]?.attempts ?? 0) > 0) continue;
    const text = await learnerText(workspace, ref);
    if (text !== undefined && text !== (await readExerciseFile(ref, 'starter'))) found.push(ref);
  }
  return found;
}

/** One re-graded exercise: its verdict, and whether the attempt is saved in the progress file. */
export interface Regraded {
  ref: ExerciseRef;
  verdict: Verdict;
  recorded: boolean;
}

/**
 * Grades the learner file of each of `refs` in turn and records each attempt
 * as `llm-tutor check` does (a pass as passed, anything else as failed).
 * Calls `onGraded` after each, with its 0-based index; returns them all.
 */
export async function regrade(
  workspace: Workspace,
  refs: readonly ExerciseRef[],
  options: { seed: number; backend?: BackendName; onGraded?: (result: Regraded, index: number) => void },
): Promise<Regraded[]> {
  const results: Regraded[] = [];
  for (const [index, ref] of refs.entries()) {
    const { verdict, progress } = await gradeAndRecord(workspace, ref, { seed: options.seed, backend: options.backend, learnerFile: learnerFileOf(workspace, ref) });
    const result = { ref, verdict, recorded: progress !== undefined };
    results.push(result);
    options.onGraded?.(result, index);
  }
  return results;
}

/** How many of `results` are passes saved in the progress file. */
export function recoveredPasses(results: readonly Regraded[]): number {
  return results.filter((r) => r.recorded && r.verdict.status === 'pass').length;
}
