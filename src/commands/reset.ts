import path from 'node:path';
import type { GlobalOptions, Io } from './io.js';
import { resetExercise } from '../core/workspace/reset.js';
import { learnerFileOf } from '../core/workspace/workspace.js';
import { escapeLogLine } from '../report/escape.js';
import { openSession, pickExercise } from './context.js';

/** `llm-tutor reset [id]`: writes the starter again, keeping a backup of the learner's file. */
export default async function reset(io: Io, globals: GlobalOptions, id: string | undefined): Promise<number> {
  const session = await openSession(io, globals);
  const ref = pickExercise(session, id);
  const backup = await resetExercise(session.workspace, ref);
  io.out(`Restored the starter of ${ref.key} in ${escapeLogLine(path.relative(io.cwd, learnerFileOf(session.workspace, ref)))}.`);
  if (backup) io.out(session.chalk.dim(`Your previous file is kept at ${escapeLogLine(path.relative(io.cwd, backup))}.`));
  return 0;
}
