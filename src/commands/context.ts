import type { ChalkInstance } from 'chalk';
import type { GlobalOptions, Io } from './io.js';
import { UserError } from '../errors.js';
import { findExercise, type ExerciseRef } from '../core/packs/packs.js';
import type { State } from '../core/common/schemas.js';
import { defaultSeed, exercisesOfPack, firstUnsolved, locateWorkspace, type Workspace } from '../core/workspace/workspace.js';
import { runnableCommands } from '../core/common/invocation.js';
import { aboutAPass, markChangedDefinitions, markChangedPasses } from '../core/workspace/graded-files.js';
import type { PackUpdate } from '../core/packs/install.js';
import { parseBackend, type BackendName } from '../reference/backend.js';
import { plural, sentences } from '../core/common/words.js';
import { escapeLogLine } from '../report/escape.js';
import { currentLocale, t } from '../i18n/i18n.js';
import { makeChalk } from '../report/chalk.js';

/** What most commands start from: the workspace, its progress, and the options in force. */
export interface Session {
  io: Io;
  workspace: Workspace;
  /** The exercises in scope (all enabled packs, or only --pack). */
  exercises: ExerciseRef[];
  /** Progress, with each pass whose files or exercise have changed since shown as `changed`. */
  state: State;
  /** The keys of the exercises shown as `changed` because their definition changed since they passed. */
  changedExercises: ReadonlySet<string>;
  chalk: ChalkInstance;
  seed: number;
  backend?: BackendName;
  /** The locale of lessons, hints and diagnoses (a BCP 47 tag): the run's, from `--lang`, LLM_TUTOR_LANG, the workspace or the system. */
  locale: string;
}

export async function openSession(io: Io, globals: GlobalOptions, workspace?: Workspace): Promise<Session> {
  const ws = workspace ?? (await locateWorkspace(globals.workspace, io.cwd));
  const exercises = globals.pack ? await exercisesOfPack(ws, globals.pack) : ws.exercises;
  const { reconcilePackVersions } = await import('../core/packs/install.js');
  for (const update of await reconcilePackVersions(ws)) {
    const parts = [t`The pack ${update.packId} was updated from ${update.from} to ${update.to}.`];
    const added = update.added.join(', ');
    if (update.added.length) parts.push(update.startersWritten ? t`New: ${added} (${plural(update.startersWritten, 'starter file')} written).` : t`New: ${added}.`);
    if (update.removed.length) parts.push(t`No longer in the pack: ${update.removed.join(', ')} (your files and progress are kept).`);
    if (update.changed.length) parts.push(await recheckChanged(io, ws, globals, update));
    parts.push(t('Progress of every other exercise is kept.'));
    // The previous version comes from the workspace's state file.
    io.err(escapeLogLine(sentences(parts)));
  }
  await offerNewBuiltinPacks(io, ws);
  const state = await markChangedPasses(ws, await ws.state.read());
  return {
    io,
    workspace: ws,
    exercises,
    state,
    changedExercises: await markChangedDefinitions(ws.exercises, state),
    chalk: makeChalk(globals.color),
    ...gradingOptionsOf(ws, globals),
    locale: currentLocale(),
  };
}

/**
 * Says once, on stderr, which built-in packs shipped since the workspace was
 * made and how to enable them; the progress file records that they were offered.
 */
async function offerNewBuiltinPacks(io: Io, ws: Workspace): Promise<void> {
  const { takeNewBuiltinPacks } = await import('../core/packs/new-builtins.js');
  for (const pack of await takeNewBuiltinPacks(ws)) {
    const commands = [...pack.missing, pack.id].map((id) => `\`llm-tutor pack add ${id}\``).join(t(', then '));
    io.err(escapeLogLine(runnableCommands(t`New built-in pack: ${pack.id} (${plural(pack.exercises, 'exercise')}) — enable it with ${commands}`, io.cwd)));
  }
}

/**
 * After a pack update, the passes of its changed exercises are graded again
 * against the new version, so that a file that still passes keeps its pass
 * (and one that no longer does says so); returns the sentence saying which.
 */
async function recheckChanged(io: Io, ws: Workspace, globals: GlobalOptions, update: PackUpdate): Promise<string> {
  const state = await ws.state.read();
  const changed = ws.exercises.filter((r) => r.packId === update.packId && update.changed.includes(r.id));
  const passes = changed.filter((r) => aboutAPass(state.exercises[r.key]));
  const listed = t`Changed: ${update.changed.join(', ')}.`;
  if (passes.length === 0) return listed;
  const pack = `${update.packId} ${update.to}`;
  io.err(escapeLogLine(passes.length === 1 ? t`Checking your 1 pass of changed exercises of ${pack} again…` : t`Checking your ${passes.length} passes of changed exercises of ${pack} again…`));
  const { regrade } = await import('../core/workspace/recover.js');
  const results = await regrade(ws, passes, gradingOptionsOf(ws, globals));
  const lost = results.filter((r) => r.verdict.status !== 'pass').map((r) => r.ref.id);
  if (results.length === 1) {
    const id = results[0].ref.id;
    return sentences([listed, lost.length ? t`Your pass of ${id} was checked again under ${update.to}: it no longer passes: check it again.` : t`Your pass of ${id} was checked again under ${update.to}: it still passes.`]);
  }
  const kept = results.length - lost.length;
  const still = kept === results.length ? t('all still pass') : kept === 1 ? t('1 still passes') : kept > 0 ? t`${kept} still pass` : '';
  const notAnyMore = lost.length === 0 ? '' : lost.length === 1 ? t`${lost[0]} no longer passes: check it again` : t`${lost.join(', ')} no longer pass: check them again`;
  const outcome = still && notAnyMore ? t`Your ${results.length} passes of them were checked again under ${update.to}: ${still}; ${notAnyMore}.` : t`Your ${results.length} passes of them were checked again under ${update.to}: ${still || notAnyMore}.`;
  return sentences([listed, outcome]);
}

/** The seed and tfjs backend that grading uses in `workspace`: the command line's, else the workspace's own. */
export function gradingOptionsOf(workspace: Workspace, globals: GlobalOptions): { seed: number; backend?: BackendName } {
  const backendName = globals.backend ?? workspace.config.options.backend;
  return {
    seed: globals.seed ?? workspace.config.options.seed ?? defaultSeed,
    backend: backendName ? parseBackend(backendName) : undefined,
  };
}

/** The exercise named by `id`, or the current one (the first that has not passed). */
export function pickExercise(session: Session, id: string | undefined): ExerciseRef {
  if (id) return findExercise(session.exercises, id);
  const current = firstUnsolved({ ...session.workspace, exercises: session.exercises }, session.state);
  if (!current) {
    throw new UserError(t('Every exercise passes: there is no current exercise.'), { next: t('Name one, e.g. `llm-tutor check 1`, or run `llm-tutor list`.'), exitCode: 2 });
  }
  return current;
}
