import type { GlobalOptions, Io } from './io.js';
import { UserError } from '../errors.js';
import { readExerciseFile, withheldSolution } from '../core/packs/packs.js';
import { StateStore } from '../core/workspace/state-store.js';
import { confirm } from './confirm.js';
import { openSession, pickExercise } from './context.js';
import { t } from '../i18n/i18n.js';

/** `llm-tutor solution [id]`: the model solution, once the exercise passes (or with --force, once the learner agrees); none from a pack built without solutions. */
export default async function solution(io: Io, globals: GlobalOptions, id: string | undefined, options: { force?: boolean; yes?: boolean }): Promise<number> {
  const session = await openSession(io, globals);
  const ref = pickExercise(session, id);
  const withheld = withheldSolution(ref);
  if (withheld) throw new UserError(withheld, { exitCode: 1 });
  // A pass whose file has changed since was still seen to pass.
  const { status } = StateStore.progressOf(session.state, ref.key);
  const passed = status === 'passed' || status === 'changed';
  if (!passed) {
    if (!options.force) {
      throw new UserError(t`${ref.key} does not pass yet, so its solution stays hidden.`, { next: t`Try \`llm-tutor hint ${ref.id}\`, or \`llm-tutor solution ${ref.id} --force\` to see it anyway.`, exitCode: 1 });
    }
    const agreed = await confirm(io, {
      question: t`${ref.key} does not pass yet. Show the model solution anyway?`,
      action: t`\`llm-tutor solution --force\` would show the model solution of ${ref.key}, which does not pass yet`,
      yes: options.yes,
    });
    if (!agreed) {
      io.out(t('Not shown.'));
      return 1;
    }
  }
  io.out(session.chalk.bold(t`Model solution of ${ref.key}`));
  io.out(await readExerciseFile(ref, 'solution'));
  return 0;
}
