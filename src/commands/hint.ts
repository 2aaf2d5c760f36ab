import type { GlobalOptions, Io } from './io.js';
import { loadDefinition } from '../core/packs/definitions.js';
import { gradingOfProgress, nextHint, revealedHints } from '../core/workspace/hints.js';
import { revealHint } from '../core/workspace/progress.js';
import { StateStore } from '../core/workspace/state-store.js';
import { escapeLogLine } from '../report/escape.js';
import { openSession, pickExercise } from './context.js';
import { t } from '../i18n/i18n.js';

/** A hint as printed: its label styled by `styleLabel`, then its text indented by two columns; both escaped. */
export function hintBlock(label: string, text: string, styleLabel: (s: string) => string): string {
  return `${styleLabel(escapeLogLine(label))}\n  ${text.split('\n').map(escapeLogLine).join('\n  ')}`;
}

/**
 * `llm-tutor hint [id]`: reveals the next hint (the hint for the mistake the
 * latest check diagnosed, else the next tiered one) and shows all revealed so
 * far, in the order they were.
 */
export default async function hint(io: Io, globals: GlobalOptions, id: string | undefined): Promise<number> {
  const session = await openSession(io, globals);
  const ref = pickExercise(session, id);
  const definition = await loadDefinition(ref);
  const c = session.chalk;
  const before = StateStore.progressOf(session.state, ref.key);
  const latest = gradingOfProgress(before);
  const { hint: revealed, state } = await revealHint(session.workspace.state, ref.key, definition, latest, before.revealedHints);
  const seen = state ? StateStore.progressOf(state, ref.key).revealedHints : before.revealedHints;
  io.out(c.bold(`${escapeLogLine(ref.key)} — ${escapeLogLine(ref.title)}`));
  const shown = revealedHints(definition, seen, session.locale);
  shown.forEach(({ label, text }, i) => {
    const isNew = revealed !== undefined && i === shown.length - 1;
    io.out(`\n${hintBlock(label, text, isNew ? c.yellow.bold : c.dim)}`);
  });
  if (revealed === undefined) io.out(c.dim(`\n${ref.pack.manifest.solutions !== false ? t`That was the last hint. Once the exercise passes, \`llm-tutor solution ${ref.id}\` shows the model solution.` : t('That was the last hint.')}`));
  else if (nextHint(definition, latest, seen) !== undefined) io.out(c.dim(`\n${t`Run \`llm-tutor hint ${ref.id}\` again for the next one.`}`));
  return 0;
}
