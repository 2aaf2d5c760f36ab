/**
 * Which content a progress record is about: the SHA-256 of each learner file
 * the last grading read, and of the exercise's definition. A pass whose files
 * hold something else now, or whose exercise changed, shows as `changed`, not
 * as a pass, until the exercise is graded again.
 */
import path from 'node:path';
import { contentDigest } from '../common/digest.js';
import { posixRelative } from '../common/paths.js';
import { readLimits, readRegularFileBytes } from '../common/safe-read.js';
import type { ExerciseProgress, State } from '../common/schemas.js';
import type { ImportedExercise, Verdict } from '../grading/verdict.js';
import { definitionDigests } from '../packs/definition-digest.js';
import type { ExerciseRef } from '../packs/packs.js';
import { exerciseOfFile, exercisesRootOf, type Workspace } from './workspace.js';

/** Digests by file: the path under the exercises folder ('/' separators) → SHA-256 in hex. */
export type GradedFiles = Record<string, string>;

/** The files a verdict graded, as a progress record keeps them; undefined when bundling failed and nothing was read. */
export function gradedFilesOf(workspace: Pick<Workspace, 'dir'>, verdict: Pick<Verdict, 'learnerDigests'>): GradedFiles | undefined {
  if (!verdict.learnerDigests) return undefined;
  const root = exercisesRootOf(workspace);
  return Object.fromEntries(Object.entries(verdict.learnerDigests).map(([file, digest]) => [posixRelative(root, file), digest]));
}

/**
 * Whether every file a record was graded on still holds what was graded,
 * `digestNow` giving a file's digest now (undefined when it is gone or
 * cannot be read). Undefined when the record keeps no digests (it was never
 * graded, its bundling failed, or an older llm-tutor wrote it).
 */
export function stillAsGraded(progress: ExerciseProgress | undefined, digestNow: (file: string) => string | undefined): boolean | undefined {
  if (!progress?.gradedFiles) return undefined;
  return Object.entries(progress.gradedFiles).every(([file, digest]) => digestNow(file) === digest);
}

/**
 * The digest of each of `files` (paths under the exercises folder) as they
 * are on disk now; a file that is missing, outside the exercises folder, or
 * not one llm-tutor reads (a link, a FIFO, too large) has none.
 */
export async function digestsOnDisk(workspace: Pick<Workspace, 'dir'>, files: Iterable<string>): Promise<Map<string, string | undefined>> {
  const root = exercisesRootOf(workspace);
  const digests = new Map<string, string | undefined>();
  await Promise.all(
    [...new Set(files)].map(async (file) => {
      // `within` refuses a path that leads out of the exercises folder (a damaged record), as it refuses a linked folder.
      const bytes = await readRegularFileBytes(path.resolve(root, file), { maxBytes: readLimits.learnerFile, fix: '', within: root }).catch(() => undefined);
      digests.set(file, bytes && contentDigest(bytes));
    }),
  );
  return digests;
}

/** Whether a record's status is about a pass: `passed`, or `changed` (passed, files changed since). */
export const aboutAPass = (progress: ExerciseProgress | undefined): progress is ExerciseProgress => progress !== undefined && (progress.status === 'passed' || progress.status === 'changed');

/**
 * Compares each pass in `state` with the learner's files now: a pass whose
 * files changed since becomes `changed`, and a `changed` whose files hold
 * what passed again becomes `passed`. Changes `state` in memory (never in the
 * progress file) and returns it.
 */
export async function markChangedPasses(workspace: Pick<Workspace, 'dir'>, state: State): Promise<State> {
  const passes = Object.values(state.exercises).filter((p) => aboutAPass(p) && p.gradedFiles);
  const now = await digestsOnDisk(workspace, passes.flatMap((p) => Object.keys(p.gradedFiles!)));
  for (const progress of passes) progress.status = stillAsGraded(progress, (file) => now.get(file)) ? 'passed' : 'changed';
  return state;
}

/**
 * Marks `changed` each pass in `state` whose exercise, among `refs`, has a
 * definition other than the one it passed (a pack update, or an author's
 * edit of a pack used in place). A record without a definition digest (an
 * older llm-tutor wrote it) keeps its status. Changes `state` in memory
 * (never in the progress file); returns the keys of the exercises marked so.
 * Run after {@link markChangedPasses}, which would mark them passed again.
 */
export async function markChangedDefinitions(refs: readonly ExerciseRef[], state: State): Promise<Set<string>> {
  const recorded = refs.filter((ref) => state.exercises[ref.key]?.status === 'passed' && state.exercises[ref.key].definition);
  const now = await definitionDigests(recorded);
  const changed = new Set(recorded.filter((ref) => now.get(ref.key) !== state.exercises[ref.key].definition).map((ref) => ref.key));
  for (const key of changed) state.exercises[key].status = 'changed';
  return changed;
}

/**
 * Where the exercise of an imported learner file stands with the content
 * graded now (`digests`, by absolute path, from the bundle): a pass counts
 * only while its files hold what passed. Undefined for a file that is no
 * exercise's learner file.
 */
export function importedStanding(workspace: Workspace, state: State, file: string, digests: Readonly<Record<string, string>>): ImportedExercise | undefined {
  const imported = exerciseOfFile(workspace, file);
  if (!imported) return undefined;
  const progress = state.exercises[imported.key];
  if (!aboutAPass(progress)) return { key: imported.key, standing: 'fails' };
  const root = exercisesRootOf(workspace);
  // A record without digests keeps the word of its last grading.
  const unchanged = stillAsGraded(progress, (relative) => digests[path.join(root, relative)]) ?? progress.status === 'passed';
  return { key: imported.key, standing: unchanged ? 'passes' : 'changed' };
}

/** The absolute paths of the files a record was graded on. */
export function gradedPaths(workspace: Pick<Workspace, 'dir'>, progress: ExerciseProgress | undefined): string[] {
  const root = exercisesRootOf(workspace);
  return Object.keys(progress?.gradedFiles ?? {}).map((file) => path.join(root, file));
}

/**
 * The exercises, other than `ref`, whose learner files are among `files` (the
 * files `ref`'s file was last seen to import) and whose records are not about
 * what those files hold now: changed since graded, or never graded with digests.
 */
export async function importsToRegrade(workspace: Workspace, state: State, ref: ExerciseRef, files: Iterable<string>): Promise<ExerciseRef[]> {
  const imported = new Map<string, ExerciseRef>();
  for (const file of files) {
    const owner = exerciseOfFile(workspace, file);
    if (owner && owner.key !== ref.key) imported.set(owner.key, owner);
  }
  const records = [...imported.keys()].map((key) => state.exercises[key]);
  const now = await digestsOnDisk(workspace, records.flatMap((progress) => Object.keys(progress?.gradedFiles ?? {})));
  return [...imported.values()].filter((owner) => !stillAsGraded(state.exercises[owner.key], (file) => now.get(file)));
}
