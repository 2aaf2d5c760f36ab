import type { ClassResult, ExerciseResult, SubmissionResult } from '../core/class/results.js';
import { plural } from '../core/common/words.js';
import { currentLocale, t } from '../i18n/i18n.js';
import { resultCountsText } from './class-pretty.js';
import { passRates } from './class-stats.js';
import { escapeHtml as escape } from './escape.js';
import { chartStyles, renderChart } from './html-chart.js';
import { cellId, marks, renderVerdict, verdictId } from './html-verdict.js';

/**
 * No script, no request: the report is read from a file, and whatever escaping
 * misses in a student's text still cannot run or fetch anything.
 */
const contentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

const styles = `
  body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; }
  h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
  table { border-collapse: collapse; font-size: 0.9rem; }
  th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: left; }
  th { background: #f5f5f5; }
  #students tbody th { font-weight: normal; background: none; }
  td.pass, td.fail, td.error { text-align: center; padding: 0; }
  td.fail { background: #fdecea; } td.error { background: #f3e5f5; }
  #students td a { display: block; padding: 0.25rem 0.5rem; color: inherit; text-decoration: underline dotted; }
  #students td a:focus, #students td a:hover, #students td a:target { outline: 2px solid #1565c0; outline-offset: -2px; }
  .pass { color: #2e7d32; } .fail { color: #c62828; } .error { color: #6a1b9a; } .not-run { color: #666; }
  .meta { color: #666; }
  .legend { font-size: 0.9rem; }
  .legend span.mark { display: inline-block; min-width: 1.2rem; text-align: center; }
  .verdict { display: none; }
  .verdict:target { display: block; position: fixed; top: 1rem; right: 1rem; bottom: 1rem; width: min(44rem, calc(100vw - 4rem)); overflow: auto;
    background: #fff; border: 1px solid #999; box-shadow: 0 0.5rem 2rem rgba(0, 0, 0, 0.25); padding: 0 1.25rem 1rem; box-sizing: border-box; }
  .verdict h3 { font-size: 1.1rem; margin-right: 4rem; } .verdict h4 { margin-bottom: 0.25rem; } .verdict h5 { margin: 0.5rem 0 0; }
  .verdict .close { position: absolute; top: 1rem; right: 1.25rem; }
  .verdict pre { background: #f7f7f7; padding: 0.5rem; white-space: pre-wrap; overflow-wrap: anywhere; max-height: 20rem; overflow: auto; }
  .verdict code { overflow-wrap: anywhere; }
  .verdict dt { font-weight: bold; } .verdict dd { margin: 0 0 0.25rem 1rem; }
  .verdict .problem { color: #6a1b9a; }
  table.diff { margin: 0.5rem 0; font-family: ui-monospace, monospace; } table.diff caption { text-align: left; font-weight: bold; }
  .verdict pre.plan { white-space: pre; overflow-wrap: normal; } .verdict pre.plan mark { background: #c62828; color: #fff; }
  table.diff td { text-align: right; } table.diff td.bad { color: #c62828; background: #fdecea; }${chartStyles}`;

/** The class's points in the header: the mean score of a submission, of the points possible. */
function classPoints(result: ClassResult): string {
  const possible = result.submissions[0]?.maxScore ?? 0;
  return t`mean score ${result.summary.meanScore} of ${plural(possible, 'point')}`;
}

/** With one pack, exercises are named without the pack id, which the header already gives. */
function shortNames(result: ClassResult): (key: string) => string {
  return (key) => (result.packs.length === 1 ? key.slice(result.packs[0].id.length + 1) : key);
}

interface Misconception {
  key: string;
  title: string;
  message: string;
  /** Each student's name and the fragment of their verdict on this exercise. */
  students: { id: string; verdict: string }[];
}

/** The misconceptions diagnosed across the class, most frequent first. */
function misconceptions(result: ClassResult): Misconception[] {
  const column = new Map(result.exercises.map((e, i) => [e.key, i]));
  const counts = new Map<string, Misconception>();
  result.submissions.forEach((s, student) => {
    for (const e of s.exercises) {
      if (!e.diagnosis) continue;
      const id = `${e.key}#${e.diagnosis.misconceptionId}`;
      const entry = counts.get(id) ?? { key: e.key, title: e.diagnosis.title, message: e.diagnosis.message, students: [] };
      entry.students.push({ id: s.id, verdict: verdictId(student, column.get(e.key) ?? -1) });
      counts.set(id, entry);
    }
  });
  return [...counts.values()].sort((a, b) => b.students.length - a.students.length || (a.key < b.key ? -1 : 1));
}

function misconceptionsTable(result: ClassResult, short: (key: string) => string): string {
  const rows = misconceptions(result);
  if (!rows.length) return `<p id="misconceptions">${t`No misconception was diagnosed.`}</p>`;
  const row = (m: Misconception) =>
    `<tr><td>${m.students.length}</td><td>${escape(short(m.key))}</td><td title="${escape(m.message)}">${escape(m.title)}</td><td>${m.students.map((s) => `<a href="#${s.verdict}">${escape(s.id)}</a>`).join(', ')}</td></tr>`;
  const heads = t`students|exercise|mistake|who`.split('|').map((head) => `<th>${head}</th>`);
  return `<table id="misconceptions"><thead><tr>${heads.join('')}</tr></thead><tbody>${rows.map(row).join('')}</tbody></table>`;
}

/** What the students table's marks mean, and how to open a verdict (in the current locale: called when the report is written). */
function legend(): string {
  const [pass, fail, error] = ['<span class="mark pass">✓</span>', '<span class="mark fail">✗</span>', '<span class="mark error">!</span>'];
  const marks = t`${pass} passes every case · ${fail} fails: a wrong value or shape · ${error} error: threw, timed out, crashed, did not load, or the file is missing · a blank cell: not graded.`;
  const opening = t`An underlined mark (every ✗ and !, and a ✓ with more to show: console output, or a problem with the submission) opens that student's verdict on that exercise: select it, or Tab to it and press Enter; Close, or the browser's Back, returns to the table.`;
  return `<p class="legend" id="legend">${marks}<br>${opening}</p>`;
}

/**
 * Whether a result gets a verdict panel: every one that did not pass, and a
 * pass with console output or a submission problem (a pass alone says nothing more than ✓).
 */
function hasVerdict(sub: SubmissionResult, e: ExerciseResult): boolean {
  return e.status !== 'pass' || Boolean(e.output.stdout || e.output.stderr || sub.problem);
}

/** A cell of the students table: the result's mark, a link to its verdict when it has one. */
function resultCell(sub: SubmissionResult, e: ExerciseResult | undefined, student: number, exercise: number): string {
  if (!e) return '<td></td>';
  if (!hasVerdict(sub, e)) return `<td class="pass">${marks.pass}</td>`;
  const tip = [e.message, e.diagnosis ? t`Likely mistake: ${e.diagnosis.title}` : ''].filter(Boolean).join(' — ');
  return `<td class="${e.status}"><a id="${cellId(student, exercise)}" href="#${verdictId(student, exercise)}" title="${escape(tip)}">${marks[e.status]}</a></td>`;
}

function studentRow(result: ClassResult, sub: SubmissionResult, student: number): string {
  const cells = result.exercises.map((ex, exercise) => resultCell(sub, sub.exercises.find((x) => x.key === ex.key), student, exercise));
  return `<tr><th scope="row">${escape(sub.id)}</th><td>${sub.passed}/${sub.total}</td><td class="points">${sub.score}/${sub.maxScore}</td>${cells.join('')}</tr>`;
}

/** The verdict panels, each hidden until its cell's link targets it. */
function verdicts(result: ClassResult, short: (key: string) => string): string {
  const panels = result.submissions.flatMap((sub, student) =>
    result.exercises.flatMap((ex, exercise) => {
      const e = sub.exercises.find((x) => x.key === ex.key);
      return e && hasVerdict(sub, e) ? [renderVerdict(sub, student, e, exercise, short(ex.key))] : [];
    }),
  );
  return panels.join('\n');
}

/**
 * The instructor's class report: one self-contained HTML file (no network,
 * no script) with the pass rate per exercise as a chart, the most frequent
 * misconceptions across the class, and a per-student table whose marks open
 * that student's verdict on that exercise (every ✗ and !, and a ✓ with more to show).
 */
export function renderHtml(result: ClassResult): string {
  const short = shortNames(result);
  const rates = passRates(result).map((rate) => ({ ...rate, key: short(rate.key) }));
  const s = result.summary;
  const title = t`llm-tutor class report`;
  const meta = [
    t`${plural(s.submissions, 'submission')}, ${s.submissionsPassed} pass every exercise`,
    resultCountsText(s),
    classPoints(result),
    t`seed ${result.seed}`,
    escape(result.packs.map((p) => `${p.id} ${p.version}`).join(', ')),
    t`backend ${escape(result.backend)}`,
    `llm-tutor ${escape(result.tool.version)}`,
    escape(result.startedAt),
  ];
  const points = (e: ClassResult['exercises'][number]) => (e.partialCredit ? t`${plural(e.points, 'point')}, partial` : plural(e.points, 'point'));
  return `<!doctype html>
<html lang="${escape(currentLocale())}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy}">
<title>${title}</title>
<style>${styles}
</style>
</head>
<body>
<h1>${title}</h1>
<p class="meta">${meta.join(' · ')}</p>
<h2>${t`Pass rate per exercise`}</h2>
${renderChart(rates)}
<h2>${t`Most frequent misconceptions`}</h2>
${misconceptionsTable(result, short)}
<h2>${t`Students`}</h2>
${legend()}
<table id="students"><thead><tr>${t`submission|passed|points`.split('|').map((head) => `<th>${head}</th>`).join('')}${result.exercises.map((e) => `<th title="${escape(e.title)}">${escape(short(e.key))}<br><span class="meta">${points(e)}</span></th>`).join('')}</tr></thead><tbody>
${result.submissions.map((sub, student) => studentRow(result, sub, student)).join('\n')}
</tbody></table>
<div id="verdicts">
${verdicts(result, short)}
</div>
</body>
</html>
`;
}
