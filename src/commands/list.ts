import type { GlobalOptions, Io } from './io.js';
import { countSolved } from '../core/workspace/progress.js';
import { plural } from '../core/common/words.js';
import { StateStore } from '../core/workspace/state-store.js';
import { escapeLogLine } from '../report/escape.js';
import { toJson } from '../report/json.js';
import { openSession, type Session } from './context.js';
import { trackOf, type ExerciseRef } from '../core/packs/packs.js';
import type { ExerciseProgress } from '../core/common/schemas.js';
import { t } from '../i18n/i18n.js';

/** `llm-tutor list`: every exercise in order, grouped by pack and track, with its status. */
export default async function list(io: Io, globals: GlobalOptions, options: { json?: boolean }): Promise<number> {
  const session = await openSession(io, globals);
  const c = session.chalk;
  const rows = session.exercises.map((ref) => ({ ref, progress: StateStore.progressOf(session.state, ref.key) }));
  if (options.json) {
    io.out(
      toJson(
        // The digests are the tutor's bookkeeping, not the learner's progress; hintsRevealed: the count that scripts read before the progress file listed the hints.
        rows.map(({ ref, progress: { gradedFiles: _digests, definition: _definition, ...progress } }) => ({ number: ref.number, pack: ref.packId, track: trackOf(ref.id) ?? null, id: ref.id, title: ref.title, ...progress, hintsRevealed: progress.revealedHints.length })),
        2,
      ),
    );
    return 0;
  }
  const current = rows.find((r) => r.progress.status !== 'passed');
  let previous: ExerciseRef | undefined;
  for (const { ref, progress } of rows) {
    if (ref.packId !== previous?.packId) io.out(`${previous ? '\n' : ''}${packHeading(session, ref)}`);
    const track = trackOf(ref.id);
    if (track !== undefined && (ref.packId !== previous?.packId || track !== trackOf(previous.id))) io.out(`    ${c.bold.dim(escapeLogLine(track))}`);
    io.out(exerciseRow(session, ref, progress, current?.ref === ref));
    previous = ref;
  }
  const { solved, total } = countSolved(session.exercises, session.state);
  io.out(c.dim(`\n${t`${solved} of ${plural(total, 'exercise')} pass.`}`));
  return 0;
}

/** A pack's line: its title, id and version, and how many of its exercises pass: "Transformer core (transformer-core 0.3.0) 3/29 passed". */
function packHeading(session: Session, ref: ExerciseRef): string {
  const c = session.chalk;
  const { solved, total } = countSolved(session.exercises, session.state, ref.packId);
  return `${c.bold(escapeLogLine(ref.pack.manifest.title))} ${c.dim(t`(${escapeLogLine(ref.packId)} ${escapeLogLine(ref.pack.manifest.version)}) ${solved}/${total} passed`)}`;
}

/** One exercise's line: number, status mark, id, title, hints seen, why a pass no longer counts, and whether it is the current one. */
function exerciseRow(session: Session, ref: ExerciseRef, progress: ExerciseProgress, isCurrent: boolean): string {
  const c = session.chalk;
  const icon = { passed: c.green('✓'), failed: c.red('✗'), changed: c.yellow('~'), pending: c.dim('·') }[progress.status];
  const marker = isCurrent ? c.cyan(t(' ← current')) : '';
  const seen = progress.revealedHints.length;
  const hints = seen > 0 ? c.dim(seen === 1 ? t(' (1 hint)') : t` (${seen} hints)`) : '';
  const changed = progress.status === 'changed' ? c.yellow(t` (${changedReason(session, ref)}: check it again)`) : '';
  return `${String(ref.number).padStart(3)} ${icon} ${escapeLogLine(ref.id).padEnd(30)} ${escapeLogLine(ref.title)}${hints}${changed}${marker}`;
}

/** Why a pass no longer counts: the exercise changed (a pack update), or the learner's file did. */
function changedReason(session: Session, ref: ExerciseRef): string {
  if (!session.changedExercises.has(ref.key)) return t('changed since it passed');
  return t`the exercise changed in ${escapeLogLine(ref.packId)} ${escapeLogLine(ref.pack.manifest.version)}`;
}
