import type { GlobalOptions, Io } from './io.js';
import { tutorCommand } from '../core/common/invocation.js';
import { readExerciseFile } from '../core/packs/packs.js';
import { learnerFileOf } from '../core/workspace/workspace.js';
import { openSession, pickExercise } from './context.js';
import path from 'node:path';

/** Markdown for a terminal: rendered with marked-terminal when colour is on, as written otherwise. */
export async function renderMarkdown(markdown: string, color: boolean): Promise<string> {
  if (!color) return markdown;
  const [{ Marked }, { markedTerminal }] = await Promise.all([import('marked'), import('marked-terminal')]);
  const marked = new Marked();
  marked.use(markedTerminal({ reflowText: false, tab: 2 }) as Parameters<typeof marked.use>[0]);
  return (await marked.parse(markdown)).trimEnd();
}

/** `llm-tutor lesson [id]`: the lesson, and the file to edit. */
export default async function lesson(io: Io, globals: GlobalOptions, id: string | undefined): Promise<number> {
  const session = await openSession(io, globals);
  const ref = pickExercise(session, id);
  const text = await readExerciseFile(ref, 'lesson', session.locale);
  io.out(await renderMarkdown(text, session.chalk.level > 0));
  const file = path.relative(io.cwd, learnerFileOf(session.workspace, ref));
  io.out(session.chalk.dim(`\nYour file: ${file}   Check it: ${tutorCommand(io.cwd)} check ${ref.id}`));
  return 0;
}
