import path from 'node:path';
import type { GlobalOptions, Io } from './io.js';
import { resetExercise } from '../core/workspace/reset.js';
import { learnerFileOf } from '../core/workspace/workspace.js';
import { escapeLogLine } from '../report/escape.js';
import { confirm } from './confirm.js';
import { openSession, pickExercise } from './context.js';
import { t } from '../i18n/i18n.js';

/** `llm-tutor reset [id]`: asks, then writes the starter again, keeping a backup of the learner's file. */
export default async function reset(io: Io, globals: GlobalOptions, id: string | undefined, options: { yes?: boolean }): Promise<number> {
  const session = await openSession(io, globals);
  const ref = pickExercise(session, id);
  const shown = escapeLogLine(path.relative(io.cwd, learnerFileOf(session.workspace, ref)));
  const agreed = await confirm(io, {
    question: t`Restore the starter of ${ref.key} over ${shown}? Your file is backed up first.`,
    action: t`\`llm-tutor reset\` would overwrite ${shown} with the starter of ${ref.key}`,
    yes: options.yes,
  });
  if (!agreed) {
    io.out(t('Nothing changed.'));
    return 1;
  }
  const backup = await resetExercise(session.workspace, ref);
  io.out(t`Restored the starter of ${ref.key} in ${shown}.`);
  if (backup) io.out(session.chalk.dim(t`Your previous file is kept at ${escapeLogLine(path.relative(io.cwd, backup))}.`));
  return 0;
}
