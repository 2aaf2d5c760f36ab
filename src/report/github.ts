import type { ClassResult } from '../core/class/results.js';
import { t } from '../i18n/i18n.js';
import { resultCountsText, submissionsPassingText } from './class-pretty.js';
import { fileFromGradeFolder, passRates } from './class-stats.js';
import { escapeCommandData as escapeData, escapeCommandProperty as escapeProperty, escapeMarkdownCell as cell, escapeTerminalLine } from './escape.js';

/**
 * GitHub Actions workflow commands: one `::error` annotation per exercise that
 * did not pass, on the learner's file (and line, when an error points to one).
 * Paths are relative to where grade ran, as the repository checkout is.
 * Every value is escaped, so each annotation is one line and one command; a
 * message breaks lines only where the tool does, before the likely mistake.
 */
export function renderGithubAnnotations(result: ClassResult): string {
  const lines: string[] = [];
  for (const submission of result.submissions) {
    if (submission.problem) lines.push(`::error title=${escapeProperty(t`${submission.id}: not gradable`)}::${escapeData(escapeTerminalLine(submission.problem))}`);
    for (const e of submission.exercises) {
      if (e.status === 'pass') continue;
      const title = `${e.status === 'fail' ? t`${e.key}: fails` : t`${e.key}: error`}${e.diagnosis ? ` (${e.diagnosis.title})` : ''}`;
      const body = [e.message, e.diagnosis ? t`Likely mistake: ${e.diagnosis.message}` : ''].filter(Boolean).map(escapeTerminalLine).join('\n');
      lines.push(`::error file=${escapeProperty(fileFromGradeFolder(submission, e))},line=${e.line ?? 1},title=${escapeProperty(title)}::${escapeData(body)}`);
    }
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/**
 * The Markdown job summary: overall counts, pass rate per exercise, per-submission results.
 * Names are escaped as inline Markdown: no HTML renders and every table row stays one line.
 */
export function renderGithubSummary(result: ClassResult): string {
  const s = result.summary;
  const packs = result.packs.map((p) => `${cell(p.id)} ${cell(p.version)}`).join(', ');
  const lines = [
    `## llm-tutor: ${submissionsPassingText(s)}`,
    '',
    t`${resultCountsText(s)}; seed ${result.seed}, backend ${cell(result.backend)}, ${packs}, llm-tutor ${cell(result.tool.version)}.`,
    '',
    t`| exercise | pass rate |`,
    '| --- | ---: |',
  ];
  for (const { key, passed, total } of passRates(result)) lines.push(`| ${cell(key)} | ${total ? Math.round((100 * passed) / total) : 0}% (${passed}/${total}) |`);
  lines.push('', t`| submission | passed | status |`, '| --- | ---: | --- |');
  for (const sub of result.submissions) lines.push(`| ${cell(sub.id)} | ${sub.passed}/${sub.total} | ${sub.status === 'pass' ? '✅' : sub.status === 'fail' ? '❌' : t`⚠️ error`} |`);
  return `${lines.join('\n')}\n`;
}
