import type { ExerciseResult, SubmissionResult } from '../core/class/results.js';
import { plural } from '../core/common/words.js';
import { t } from '../i18n/i18n.js';
import { fileFromGradeFolder } from './class-stats.js';
import { escapeHtml as escape, escapeHtmlText } from './escape.js';
import { renderDiff } from './html-diff.js';
import { layoutPlan } from './plan-layout.js';
import { matchesText } from './verdict-text.js';
import { padEndText } from './wrap.js';

type Status = ExerciseResult['status'];
type CaseStatus = NonNullable<ExerciseResult['failingCase']>['status'];

export const marks: Record<Status | CaseStatus, string> = { pass: '✓', fail: '✗', error: '!', 'not-run': '–' };
/** A result's or a case's status in a word (in the current locale: called when shown). */
function statusWord(status: Status | CaseStatus): string {
  switch (status) {
    case 'pass':
      return t`passes`;
    case 'fail':
      return t`fails`;
    case 'error':
      return t`error`;
    case 'not-run':
      return t`not run`;
  }
}

/** The most of a stream of console output the report shows, in characters and in lines; the JSON results keep 2000 characters. */
export const outputLimits = { chars: 500, lines: 10 };

/** The fragment ids of a cell of the students table and of its verdict: made of positions, never of names. */
export const cellId = (student: number, exercise: number) => `c${student}-${exercise}`;
export const verdictId = (student: number, exercise: number) => `v${student}-${exercise}`;

/** The first `limits.lines` lines and `limits.chars` characters of `text`, and how many characters are left out. */
export function elide(text: string, limits = outputLimits): { shown: string; left: number } {
  const lines = text.split('\n');
  const byLines = lines.length > limits.lines ? lines.slice(0, limits.lines).join('\n') : text;
  // Not half of a character written as a surrogate pair.
  const shown = byLines.slice(0, /[\ud800-\udbff]/.test(byLines[limits.chars - 1] ?? '') ? limits.chars - 1 : limits.chars);
  return { shown, left: text.length - shown.length };
}

function mark(status: Status | CaseStatus): string {
  return `<span class="${status}">${marks[status]}</span>`;
}

/** How many of the cases pass: "3 of 5 cases pass", or with a colon before the list of them. */
function casesPassText(passed: number, total: number, beforeList = false): string {
  if (beforeList) return total === 1 ? t`${passed} of ${total} case pass:` : t`${passed} of ${total} cases pass:`;
  return total === 1 ? t`${passed} of ${total} case pass` : t`${passed} of ${total} cases pass`;
}

/** What the results keep of the cases: each with its mark and name, or (from results without them) how many passed, the first that did not, and how many more did not. */
function casesList(e: ExerciseResult): string {
  if (e.casesTotal === 0) return `<p>${t`No case ran.`}</p>`;
  if (e.cases) {
    const items = e.cases.map((c) => `<li>${mark(c.status)} ${escape(c.name)}${c.name === e.failingCase?.name ? ` <em>${t`(the first that did not pass: below)`}</em>` : ''}</li>`);
    return `<p>${casesPassText(e.casesPassed, e.casesTotal, true)}</p><ul class="cases">${items.join('')}</ul>`;
  }
  const items = [`<li>${e.casesPassed ? `${mark('pass')} ` : ''}${casesPassText(e.casesPassed, e.casesTotal)}</li>`];
  const first = e.failingCase;
  if (first) items.push(`<li>${mark(first.status)} ${t`“${escape(first.name)}”: the first case that did not pass (${statusWord(first.status)})`}</li>`);
  const more = e.casesTotal - e.casesPassed - (first ? 1 : 0);
  if (more > 0) items.push(`<li>${t`${plural(more, 'more case')} did not pass (the results keep the first one's details)`}</li>`);
  return `<ul class="cases">${items.join('')}</ul>`;
}

/** A schedule exercise's plan as a grid of text, the cells where the violated property shows marked. */
function planGrid(plan: NonNullable<ExerciseResult['failingCase']>['plan']): string {
  if (!plan) return '';
  const layout = layoutPlan(plan, 80);
  const cell = (c: { text: string; marked: boolean }) => {
    const text = escape(padEndText(c.text || '·', layout.cellWidth));
    return c.marked ? `<mark>${text}</mark>` : text;
  };
  const rows = layout.rows.map((row) => `${escape(padEndText(row.label, layout.labelWidth))} ${row.cells.map(cell).join(' ')}`);
  return `<pre class="plan">${[escape(layout.headerLine), ...rows, ...(layout.cut ? [escape(layout.cut)] : [])].join('\n')}</pre>`;
}

function firstFailure(e: ExerciseResult): string {
  const first = e.failingCase;
  // The result's message often quotes the case's and the comparison's: each is said once.
  const diff = renderDiff(e.diff, e.message);
  if (!first && !diff) return '';
  const [inputLabel, stepLabel, messageLabel] = t`input|step|message`.split('|');
  const rows = [
    first?.input !== undefined ? `<dt>${inputLabel}</dt><dd><code>${escape(first.input)}</code></dd>` : '',
    first?.step ? `<dt>${stepLabel}</dt><dd>${t`${first.step.index + 1} of ${first.step.of} (the first that diverged)`}</dd>` : '',
    first?.message && !e.message.includes(first.message) ? `<dt>${messageLabel}</dt><dd>${escape(first.message)}</dd>` : '',
  ].join('');
  return `<h4>${first ? t`First failure: “${escape(first.name)}”` : t`First failure`}</h4>${rows ? `<dl>${rows}</dl>` : ''}${planGrid(first?.plan)}${diff}`;
}

function diagnosis(e: ExerciseResult): string {
  const d = e.diagnosis;
  if (!d) return '';
  const fit = d.confidence === 'partial' ? matchesText(d.matched, d.failing) : d.failing === 1 ? t`matches the failing case` : t`matches all ${d.failing} failing cases`;
  return `<h4>${t`Diagnosis`}</h4><p><strong>${escape(d.title)}</strong> (${fit})</p><p>${escape(d.message)}</p>`;
}

function stream(name: string, text: string): string {
  if (!text) return '';
  const { shown, left } = elide(text);
  const notShown = left === 1 ? t`${left} more character not shown here; the JSON results keep up to 2000.` : t`${left} more characters not shown here; the JSON results keep up to 2000.`;
  const cut = left > 0 ? `<p class="meta">${notShown}</p>` : '';
  return `<h5>${name}</h5><pre>${escapeHtmlText(shown)}</pre>${cut}`;
}

function output(e: ExerciseResult): string {
  const { stdout, stderr, truncated } = e.output;
  const heading = `<h4>${t`Console output`}</h4>`;
  if (!stdout && !stderr) return `${heading}<p class="meta">${t`None.`}</p>`;
  const note = truncated ? `<p class="meta">${t`The grader kept only the start of this output.`}</p>` : '';
  return `${heading}${stream('stdout', stdout)}${stream('stderr', stderr)}${note}`;
}

/**
 * One student's verdict on one exercise, as a panel that the students table's
 * cell opens through its fragment (CSS :target, no script): the result's
 * message, the cases, the first failure with expected vs got, the diagnosis,
 * the file and line an error points to, and the console output, elided.
 * Everything from the submission is escaped.
 */
export function renderVerdict(submission: SubmissionResult, student: number, e: ExerciseResult, exercise: number, exerciseName: string): string {
  const id = verdictId(student, exercise);
  const where = `${fileFromGradeFolder(submission, e)}${e.line !== undefined ? `:${e.line}` : ''}`;
  return `<section class="verdict" id="${id}" aria-labelledby="${id}h">
<a class="close" href="#${cellId(student, exercise)}">${t`Close`}</a>
<h3 id="${id}h">${mark(e.status)} ${t`${escape(submission.id)} · ${escape(exerciseName)}: ${statusWord(e.status)}`}</h3>
<p class="meta">${escape(e.title)}</p>
${submission.problem ? `<p class="problem">${t`Submission problem: ${escape(submission.problem)}`}</p>` : ''}
<p>${escape(e.message)}</p>
${casesList(e)}${firstFailure(e)}${diagnosis(e)}
<h4>${e.line !== undefined ? t`Error location` : t`File`}</h4><p><code>${escape(where)}</code></p>
${output(e)}
</section>`;
}
