import path from 'node:path';
import type { GlobalOptions, Io } from './io.js';
import { tutorCommand } from '../core/common/invocation.js';
import { plural } from '../core/common/words.js';
import { defaultWorkspaceName, initWorkspace } from '../core/workspace/workspace.js';
import { makeChalk } from '../report/chalk.js';
import { UserError } from '../errors.js';
import { currentLocale, t } from '../i18n/i18n.js';

/** `llm-tutor init [dir]`: creates a workspace, or completes an existing one (missing starters only). */
export default async function init(io: Io, globals: GlobalOptions, dir: string | undefined, options: { packs?: string[] }): Promise<number> {
  if (globals.pack) throw new UserError(t('init enables packs with --packs, not --pack.'), { next: t`Run \`llm-tutor init --packs ${globals.pack}\` (the built-in packs it requires are enabled too).`, exitCode: 2 });
  const target = path.resolve(io.cwd, dir ?? globals.workspace ?? defaultWorkspaceName);
  // --lang given at init is the workspace's language from then on (recorded as the tag it resolved to: zh → zh-CN).
  const { workspace, created, startersWritten, requiredAdded } = await initWorkspace(target, options.packs, globals.seed, globals.lang ? currentLocale() : undefined);
  const c = makeChalk(globals.color);
  const shown = path.relative(io.cwd, target) || '.';
  if (created) {
    io.out(t`${c.green(t('Created'))} an llm-tutor workspace in ${shown} with ${plural(workspace.exercises.length, 'exercise')} (${workspace.packs.map((p) => p.manifest.id).join(', ')}).`);
    if (requiredAdded.length > 0) io.out(t`Also enabled, as the packs chosen require them: ${requiredAdded.join(', ')}.`);
  } else {
    io.out(t`${shown} is already a workspace; wrote ${plural(startersWritten, 'missing starter file')}, kept every existing file.`);
  }
  io.out(c.dim(t`Next: ${shown === '.' ? '' : `cd ${shown} && `}${tutorCommand(target)} next`));
  return 0;
}
