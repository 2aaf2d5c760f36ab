import type { ChalkInstance } from 'chalk';
import type { ClassResult, ExerciseResult, SubmissionResult } from '../core/class/results.js';
import { plural } from '../core/common/words.js';
import { t } from '../i18n/i18n.js';
import { escapeLogLine } from './escape.js';
import { statusLabel } from './verdict-text.js';
import { truncateText } from './wrap.js';

/** The most columns of an error's message a submission line shows; the other reporters keep all of it. */
const errorReasonWidth = 200;

/**
 * An exercise that did not pass, as a submission line names it: its id, with
 * the diagnosis's title, or for an error its one-line message (`(error: Timed
 * out after 1.5 s on case …)`), escaped.
 */
function notPassingText(e: ExerciseResult): string {
  const id = escapeLogLine(e.id);
  if (e.diagnosis) return `${id} (${escapeLogLine(e.diagnosis.title)})`;
  if (e.status !== 'error') return id;
  const reason = truncateText(e.message.trim().replace(/\.$/, ''), errorReasonWidth);
  return reason ? t`${id} (error: ${escapeLogLine(reason)})` : t`${id} (error)`;
}

/**
 * One line per submission, in the submissions' order; the submission's name and
 * problem are escaped, so it stays one line of plain text. Its points follow its
 * count of exercises passed when they say something else (points other than 1, or partial credit).
 */
export function renderSubmissionLine(s: SubmissionResult, c: ChalkInstance): string {
  const icon = s.status === 'pass' ? c.green('✓') : s.status === 'fail' ? c.red('✗') : c.red('!');
  const notPassing = s.exercises.filter((e) => e.status !== 'pass');
  const detail = s.problem
    ? ` — ${escapeLogLine(s.problem)}`
    : notPassing.length
      ? ` — ${notPassing.slice(0, 3).map(notPassingText).join(', ')}${notPassing.length > 3 ? t`, +${notPassing.length - 3} more` : ''}`
      : '';
  const points = s.score !== s.passed || s.maxScore !== s.total ? c.dim(` · ${s.score}/${plural(s.maxScore, 'point')}`) : '';
  return `${icon} ${escapeLogLine(s.id)} ${c.dim(`${s.passed}/${s.total}`)}${points}${detail}`;
}

/** The class's points on one line: earned of possible, and the mean per submission. */
export function renderClassPoints(result: ClassResult): string {
  const s = result.summary;
  const perSubmission = result.submissions.length ? result.submissions[0].maxScore : 0;
  return t`Points: ${s.score} of ${plural(s.maxScore, 'point')} (a submission scores ${s.meanScore} of ${perSubmission} on average).`;
}

/** How many submissions pass every exercise: "3 of 4 submissions pass every exercise". */
export function submissionsPassingText(summary: ClassResult['summary']): string {
  return t`${summary.submissionsPassed} of ${plural(summary.submissions, 'submission')} pass every exercise`;
}

/** The results passed, failed and errored: "5 passed, 2 failed, 1 error". */
export function resultCountsText(summary: ClassResult['summary']): string {
  const { passed, failed, errored } = summary;
  return errored === 1 ? t`${passed} passed, ${failed} failed, ${errored} error` : t`${passed} passed, ${failed} failed, ${errored} errors`;
}

/** The class's counts on one line: PASS/FAIL/ERROR, submissions passing every exercise, results passed, failed and errored. */
export function renderClassCounts(result: ClassResult, c: ChalkInstance): string {
  const s = result.summary;
  const head = result.status === 'pass' ? c.green.bold(statusLabel('pass')) : c.red.bold(statusLabel(result.status));
  return `${head} ${t`${submissionsPassingText(s)}; ${resultCountsText(s)}.`}`;
}

/** The run's settings in a line: the seed, the packs, the backend, the shard, the time taken. */
function runLine(result: ClassResult): string {
  const packs = result.packs.map((p) => `${escapeLogLine(p.id)} ${escapeLogLine(p.version)}`).join(', ');
  const parts = [t`seed ${result.seed}`, packs, t`backend ${escapeLogLine(result.backend)}`, ...(result.shard ? [t`shard ${result.shard.index}/${result.shard.count}`] : []), `${(result.durationMs / 1000).toFixed(1)} s`];
  return parts.join(' · ');
}

/** The closing summary for people. */
export function renderClassSummary(result: ClassResult, c: ChalkInstance): string {
  return [
    '',
    renderClassCounts(result, c),
    renderClassPoints(result),
    c.dim(runLine(result)),
  ].join('\n');
}

/**
 * What grade prints when every reporter wrote to a file: the counts, then one
 * `wrote <reporter> report: <path>` line per file (paths as given, escaped).
 */
export function renderReportsWritten(result: ClassResult, written: { name: string; path: string }[], c: ChalkInstance): string {
  return [renderClassCounts(result, c), ...written.map((w) => t`wrote ${w.name} report: ${escapeLogLine(w.path)}`)].join('\n');
}
