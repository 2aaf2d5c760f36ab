import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../common/json-file.js';
import { readExerciseFile, type ExerciseRef } from '../packs/packs.js';
import { readLimits, readRegularFileBytes } from '../common/safe-read.js';
import { StateStore } from './state-store.js';
import { learnerFileOf, type Workspace } from './workspace.js';
import { t } from '../../i18n/i18n.js';

/**
 * Restores an exercise's starter file. The learner's file is first copied to
 * `.llm-tutor/backups/`; its status goes back to pending (attempts, hints and
 * the first pass time are kept). Returns the backup's path, if there was a file.
 * A learner file that is a link, a FIFO, a device or over 4 MiB is refused
 * (an {@link UnsafeFileError}), and nothing is changed.
 */
export async function resetExercise(workspace: Workspace, ref: ExerciseRef): Promise<string | undefined> {
  const file = learnerFileOf(workspace, ref);
  let backup: string | undefined;
  const previous = await readRegularFileBytes(file, { maxBytes: readLimits.learnerFile, fix: t`move it out of the workspace, then run \`llm-tutor reset ${ref.id}\` again` });
  if (previous !== undefined) {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    backup = path.join(workspace.dir, '.llm-tutor', 'backups', `${ref.key.replace(/\//g, '__')}.${stamp}.ts`);
    await fs.mkdir(path.dirname(backup), { recursive: true });
    // A new file ('wx'), never one left at that name: the bytes read above, private to the learner.
    await fs.writeFile(backup, previous, { flag: 'wx', mode: 0o600 });
  }
  await writeFileAtomic(file, await readExerciseFile(ref, 'starter'));
  await workspace.state.update((state) => {
    const progress = StateStore.progressOf(state, ref.key);
    progress.status = 'pending';
    state.exercises[ref.key] = progress;
  });
  return backup;
}
