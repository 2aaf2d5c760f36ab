import type { GlobalOptions, Io } from './io.js';
import { countSolved } from '../core/workspace/progress.js';
import { plural } from '../core/common/words.js';
import { StateStore } from '../core/workspace/state-store.js';
import { escapeLogLine } from '../report/escape.js';
import { toJson } from '../report/json.js';
import { openSession, type Session } from './context.js';
import type { ExerciseRef } from '../core/packs/packs.js';

/** `llm-tutor list`: every exercise in order, with its status. */
export default async function list(io: Io, globals: GlobalOptions, options: { json?: boolean }): Promise<number> {
  const session = await openSession(io, globals);
  const c = session.chalk;
  const rows = session.exercises.map((ref) => ({ ref, progress: StateStore.progressOf(session.state, ref.key) }));
  if (options.json) {
    io.out(
      toJson(
        // The digests are the tutor's bookkeeping, not the learner's progress; hintsRevealed: the count that scripts read before the progress file listed the hints.
        rows.map(({ ref, progress: { gradedFiles: _digests, definition: _definition, ...progress } }) => ({ number: ref.number, pack: ref.packId, id: ref.id, title: ref.title, ...progress, hintsRevealed: progress.revealedHints.length })),
        2,
      ),
    );
    return 0;
  }
  const current = rows.find((r) => r.progress.status !== 'passed');
  let pack = '';
  for (const { ref, progress } of rows) {
    if (ref.packId !== pack) {
      pack = ref.packId;
      const { solved, total } = countSolved(session.exercises, session.state, pack);
      io.out(`${pack === rows[0].ref.packId ? '' : '\n'}${c.bold(escapeLogLine(ref.pack.manifest.title))} ${c.dim(`(${escapeLogLine(pack)} ${escapeLogLine(ref.pack.manifest.version)}) ${solved}/${total} passed`)}`);
    }
    const icon = { passed: c.green('✓'), failed: c.red('✗'), changed: c.yellow('~'), pending: c.dim('·') }[progress.status];
    const marker = current?.ref === ref ? c.cyan(' ← current') : '';
    const hints = progress.revealedHints.length > 0 ? c.dim(` (${plural(progress.revealedHints.length, 'hint')})`) : '';
    const changed = progress.status === 'changed' ? c.yellow(` (${changedReason(session, ref)}: check it again)`) : '';
    io.out(`${String(ref.number).padStart(3)} ${icon} ${escapeLogLine(ref.id).padEnd(30)} ${escapeLogLine(ref.title)}${hints}${changed}${marker}`);
  }
  const { solved, total } = countSolved(session.exercises, session.state);
  io.out(c.dim(`\n${solved} of ${plural(total, 'exercise')} pass.`));
  return 0;
}

/** Why a pass no longer counts: the exercise changed (a pack update), or the learner's file did. */
function changedReason(session: Session, ref: ExerciseRef): string {
  if (!session.changedExercises.has(ref.key)) return 'changed since it passed';
  return `the exercise changed in ${escapeLogLine(ref.packId)} ${escapeLogLine(ref.pack.manifest.version)}`;
}
