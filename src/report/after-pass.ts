/**
 * What a pass opens onto, as lines for the screen and for `check`/`next`:
 * the properties the tutor checked on the learner's own function under the
 * lesson's "Check yourself", and the lesson's "In practice" section.
 */
import type { AfterPassView, LessonSection } from '../core/packs/lesson-sections.js';
import { t } from '../i18n/i18n.js';
import { escapeTerminalLine as oneLine } from './escape.js';
import { line, styleLine, type Line } from './lines.js';
import { layoutMarkdown } from './markdown.js';
import { prefixLines, truncateLine, wrapLines } from './wrap.js';
import type { ChalkInstance } from 'chalk';

/** A lesson section: its heading, then its Markdown laid out for the width (code lines cut, not wrapped). */
function lessonSectionLines(section: LessonSection, width: number): Line[] {
  return [...wrapLines(section.heading, width, { bold: true, color: 'cyan' }), ...layoutMarkdown(section.markdown, width).map((row) => (row.verbatim ? truncateLine(row.line, width) : row.line))];
}

/** "Check yourself" (the lesson's section, then each property checked, ✓) and "In practice", each absent when there is nothing to show. */
export function afterPassLines(afterPass: AfterPassView, width: number): { check?: Line[]; practice?: Line[] } {
  const checked = afterPass.properties.flatMap((name) => prefixLines(wrapLines(oneLine(name), width - 2), { text: '✓ ', color: 'green' }));
  let check: Line[] | undefined;
  if (afterPass.checkYourself || checked.length > 0) {
    check = afterPass.checkYourself ? lessonSectionLines(afterPass.checkYourself, width) : [line(t`Check yourself`, { bold: true, color: 'cyan' })];
    if (checked.length > 0) check.push([], line(t`Checked on your code:`, { dim: true }), ...checked);
  }
  return { check, practice: afterPass.inPractice && lessonSectionLines(afterPass.inPractice, width) };
}

/** {@link afterPassLines} as text for a command's output: a blank line before each part; empty when there is none. */
export function renderAfterPass(afterPass: AfterPassView, chalk: ChalkInstance, width: number): string {
  const { check, practice } = afterPassLines(afterPass, width);
  return [check, practice]
    .filter((lines): lines is Line[] => lines !== undefined)
    .map((lines) => `\n${lines.map((row) => styleLine(row, chalk)).join('\n')}`)
    .join('\n');
}
