import type { Io } from './io.js';
import { UserError } from '../errors.js';
import { t } from '../i18n/i18n.js';

/**
 * What a command asks before it overwrites the learner's files or progress,
 * or shows them what they have not earned yet (a model solution).
 */
export interface Consent {
  /** Asked in a terminal, before the `[y/N]`: "Restore the starter of foundations/matmul over your file?" */
  question: string;
  /** What the command would do, said when there is no terminal to ask in: "`llm-tutor reset` would overwrite …". */
  action: string;
  /** --yes was given: go ahead without asking. */
  yes?: boolean;
  /** What an empty reply means (default: no). */
  byDefault?: 'yes' | 'no';
}

/**
 * Whether the learner agrees to `consent`. With --yes, true without asking; in
 * a terminal, their reply: y or yes (any case) agrees, n or no declines, an
 * empty reply takes the default and the end of the input declines. Without a
 * terminal and without --yes, throws a usage error (exit 2) whose one line
 * says to add --yes.
 */
export async function confirm(io: Io, consent: Consent): Promise<boolean> {
  if (consent.yes) return true;
  if (!io.ask) throw new UserError(t`${consent.action}, and there is no terminal to ask in: add --yes to confirm.`, { exitCode: 2 });
  const byDefault = consent.byDefault ?? 'no';
  const reply = await io.ask(`${consent.question} ${byDefault === 'yes' ? '[Y/n]' : '[y/N]'} `);
  if (reply === undefined) return false;
  const answer = reply.trim();
  return answer === '' ? byDefault === 'yes' : /^y(es)?$/i.test(answer);
}
