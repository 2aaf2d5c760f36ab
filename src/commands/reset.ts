import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import type { GlobalOptions, Io } from '../cli.js';
import { readExerciseFile } from '../core/packs.js';
import { StateStore } from '../core/state-store.js';
import { learnerFileOf } from '../core/workspace.js';
import { writeFileAtomic } from '../core/json-file.js';
import { openSession, pickExercise } from './context.js';

/** `llm-tutor reset [id]`: writes the starter again, keeping a backup of the learner's file. */
export default async function reset(io: Io, globals: GlobalOptions, id: string | undefined): Promise<number> {
  const session = await openSession(io, globals);
  const ref = pickExercise(session, id);
  const file = learnerFileOf(session.workspace, ref);
  let backup: string | undefined;
  if (existsSync(file)) {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    backup = path.join(session.workspace.dir, '.llm-tutor', 'backups', `${ref.key.replace(/\//g, '__')}.${stamp}.ts`);
    await fs.mkdir(path.dirname(backup), { recursive: true });
    await fs.copyFile(file, backup);
  }
  await writeFileAtomic(file, await readExerciseFile(ref, 'starter'));
  await session.workspace.state.update((state) => {
    const progress = StateStore.progressOf(state, ref.key);
    progress.status = 'pending';
    state.exercises[ref.key] = progress;
  });
  io.out(`Restored the starter of ${ref.key} in ${path.relative(io.cwd, file)}.`);
  if (backup) io.out(session.chalk.dim(`Your previous file is kept at ${path.relative(io.cwd, backup)}.`));
  return 0;
}
