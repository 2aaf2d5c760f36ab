import type { GlobalOptions, Io } from './io.js';
import { localise } from '../core/authoring/localised.js';
import { loadDefinition } from '../core/packs/definitions.js';
import { revealHint } from '../core/workspace/progress.js';
import { StateStore } from '../core/workspace/state-store.js';
import { escapeLogLine } from '../report/escape.js';
import { openSession, pickExercise } from './context.js';

/** `llm-tutor hint [id]`: reveals the next tiered hint and shows all revealed so far. */
export default async function hint(io: Io, globals: GlobalOptions, id: string | undefined): Promise<number> {
  const session = await openSession(io, globals);
  const ref = pickExercise(session, id);
  const hints = (await loadDefinition(ref)).hints.map((h) => localise(h, session.locale));
  const c = session.chalk;
  const before = StateStore.progressOf(session.state, ref.key).hintsRevealed;
  const { revealed } = await revealHint(session.workspace.state, ref.key, hints.length, before);
  io.out(c.bold(`${escapeLogLine(ref.key)} — ${escapeLogLine(ref.title)}`));
  for (let i = 0; i < revealed; i++) {
    const label = `Hint ${i + 1}/${hints.length}`;
    io.out(`\n${i === revealed - 1 && revealed !== before ? c.yellow.bold(label) : c.dim(label)}\n  ${hints[i].split('\n').map(escapeLogLine).join('\n  ')}`);
  }
  if (revealed === before) io.out(c.dim(`\nThat was the last hint. Once the exercise passes, \`llm-tutor solution ${ref.id}\` shows the model solution.`));
  else if (revealed < hints.length) io.out(c.dim(`\nRun \`llm-tutor hint ${ref.id}\` again for the next one.`));
  return 0;
}
