import type { GlobalOptions, Io } from './io.js';
import { tutorCommand } from '../core/common/invocation.js';
import { readExerciseFile } from '../core/packs/packs.js';
import { withInPracticeHeldBack } from '../core/packs/lesson-sections.js';
import { aboutAPass } from '../core/workspace/graded-files.js';
import { learnerFileOf } from '../core/workspace/workspace.js';
import { openSession, pickExercise } from './context.js';
import { renderMarkdown } from '../report/markdown.js';
import { choosePager, showInPager } from '../launch/pager.js';
import { escapeLogLine } from '../report/escape.js';
import path from 'node:path';
import { t } from '../i18n/i18n.js';

/** The widest a lesson is wrapped in a terminal: longer lines are hard to read. */
const widestReading = 100;

/** Columns to wrap a lesson at: the terminal's, at most {@link widestReading}; 80 when stdout is not a terminal. */
export function readingWidth(io: Pick<Io, 'isTTY' | 'columns'>): number {
  return io.isTTY && io.columns ? Math.min(io.columns, widestReading) : 80;
}

/** `llm-tutor lesson [id]`: the lesson, and the file to edit, in a pager when stdout is a terminal. */
export default async function lesson(io: Io, globals: GlobalOptions, id: string | undefined, options: { pager?: boolean; width?: number } = {}): Promise<number> {
  const session = await openSession(io, globals);
  const ref = pickExercise(session, id);
  const lessonText = await readExerciseFile(ref, 'lesson', session.locale);
  // The same piece in PyTorch or TensorFlow.js is often the answer in a line: it shows once the exercise has passed.
  const passed = aboutAPass(session.state.exercises[ref.key]);
  const markdown = passed ? lessonText : withInPracticeHeldBack(lessonText);
  const file = escapeLogLine(path.relative(io.cwd, learnerFileOf(session.workspace, ref)));
  const footer = session.chalk.dim(t`Your file: ${file}\nCheck it:  ${tutorCommand(io.cwd)} check ${escapeLogLine(ref.id)}`);
  const text = `${renderMarkdown(markdown, session.chalk, options.width ?? readingWidth(io))}\n\n${footer}`;
  const pager = choosePager({ isTTY: io.isTTY, paging: options.pager !== false });
  if (pager && (await showInPager(text, pager))) return 0;
  io.out(text);
  return 0;
}
