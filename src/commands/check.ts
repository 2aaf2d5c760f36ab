import path from 'node:path';
import { outputWidth, type GlobalOptions, type Io } from './io.js';
import { tutorCommand } from '../core/common/invocation.js';
import { checkExercise } from '../core/workspace/check.js';
import { escapeLogLine } from '../report/escape.js';
import { toJson } from '../report/json.js';
import { renderVerdict } from '../report/pretty.js';
import { renderAfterPass } from '../report/after-pass.js';
import { loadAfterPass } from '../core/packs/lesson-sections.js';
import { openSession, pickExercise } from './context.js';
import { t } from '../i18n/i18n.js';

/** `llm-tutor check [id]`: grade once and print the verdict; 0 on pass, 1 otherwise. */
export default async function check(io: Io, globals: GlobalOptions, id: string | undefined, options: { json?: boolean; file?: string; timeout?: number }): Promise<number> {
  const session = await openSession(io, globals);
  const ref = pickExercise(session, id);
  // Read and parse the lesson's closing sections while the grading waits on its sandbox child; shown only on a pass.
  const afterPass = options.json ? undefined : loadAfterPass(ref, session.locale);
  afterPass?.catch(() => undefined);
  const verdict = await checkExercise(session.workspace, ref, {
    seed: session.seed,
    backend: session.backend,
    timeoutMs: options.timeout,
    file: options.file ? path.resolve(io.cwd, options.file) : undefined,
  });
  if (options.json) io.out(toJson(verdict, 2));
  else io.out(renderVerdict(verdict, session.chalk, { title: ref.title, cwd: io.cwd, width: outputWidth(io) }));
  if (!options.json && verdict.status === 'pass') io.out(renderAfterPass(await afterPass!, session.chalk, outputWidth(io)));
  if (!options.json && verdict.status !== 'pass') {
    io.out(session.chalk.dim(`\n${t`Edit ${escapeLogLine(path.relative(io.cwd, verdict.learnerFile) || verdict.learnerFile)}, then run \`${tutorCommand(io.cwd)} check ${ref.id}\` again. Stuck? \`${tutorCommand(io.cwd)} hint ${ref.id}\`.`}`));
  }
  return verdict.status === 'pass' ? 0 : 1;
}
