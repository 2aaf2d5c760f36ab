import type { ClassResult } from '../core/class/results.js';
import { plural } from '../core/common/words.js';
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
    if (submission.problem) lines.push(`::error title=${escapeProperty(`${submission.id}: not gradable`)}::${escapeData(escapeTerminalLine(submission.problem))}`);
    for (const e of submission.exercises) {
      if (e.status === 'pass') continue;
      const title = `${e.key}: ${e.status === 'fail' ? 'fails' : 'error'}${e.diagnosis ? ` (${e.diagnosis.title})` : ''}`;
      const body = [e.message, e.diagnosis ? `Likely mistake: ${e.diagnosis.message}` : ''].filter(Boolean).map(escapeTerminalLine).join('\n');
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
  const lines = [
    `## llm-tutor: ${s.submissionsPassed} of ${plural(s.submissions, 'submission')} pass every exercise`,
    '',
    `${s.passed} passed, ${s.failed} failed, ${plural(s.errored, 'error')}; seed ${result.seed}, backend ${cell(result.backend)}, ${result.packs.map((p) => `${cell(p.id)} ${cell(p.version)}`).join(', ')}, llm-tutor ${cell(result.tool.version)}.`,
    '',
    '| exercise | pass rate |',
    '| --- | ---: |',
  ];
  for (const { key, passed, total } of passRates(result)) lines.push(`| ${cell(key)} | ${total ? Math.round((100 * passed) / total) : 0}% (${passed}/${total}) |`);
  lines.push('', '| submission | passed | status |', '| --- | ---: | --- |');
  for (const sub of result.submissions) lines.push(`| ${cell(sub.id)} | ${sub.passed}/${sub.total} | ${sub.status === 'pass' ? '✅' : sub.status === 'fail' ? '❌' : '⚠️ error'} |`);
  return `${lines.join('\n')}\n`;
}
