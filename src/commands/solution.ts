import { createInterface } from 'node:readline/promises';
import type { GlobalOptions, Io } from './io.js';
import { UserError } from '../errors.js';
import { readExerciseFile } from '../core/packs/packs.js';
import { StateStore } from '../core/workspace/state-store.js';
import { openSession, pickExercise } from './context.js';

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

/** `llm-tutor solution [id]`: the model solution, once the exercise passes (or with --force). */
export default async function solution(io: Io, globals: GlobalOptions, id: string | undefined, options: { force?: boolean; yes?: boolean }): Promise<number> {
  const session = await openSession(io, globals);
  const ref = id ? pickExercise(session, id) : pickExercise(session, undefined);
  // A pass whose file has changed since was still seen to pass.
  const { status } = StateStore.progressOf(session.state, ref.key);
  const passed = status === 'passed' || status === 'changed';
  if (!passed) {
    if (!options.force) {
      throw new UserError(`${ref.key} does not pass yet, so its solution stays hidden.`, { next: `Try \`llm-tutor hint ${ref.id}\`, or \`llm-tutor solution ${ref.id} --force\` to see it anyway.`, exitCode: 1 });
    }
    if (!options.yes) {
      if (!io.isTTY || !process.stdin.isTTY) throw new UserError('--force asks before showing an unsolved solution, and there is no terminal to ask in.', { next: 'Add --yes to confirm.', exitCode: 2 });
      if (!(await confirm(`${ref.key} does not pass yet. Show the model solution anyway? [y/N] `))) {
        io.out('Not shown.');
        return 1;
      }
    }
  }
  io.out(session.chalk.bold(`Model solution of ${ref.key}`));
  io.out(await readExerciseFile(ref, 'solution'));
  return 0;
}
