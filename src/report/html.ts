import type { ClassResult } from '../core/class/results.js';
import { plural } from '../core/common/words.js';
import { passRates } from './class-stats.js';
import { escapeHtml as escape } from './escape.js';

/** Pass rate per exercise, as an inline SVG bar chart. */
function chart(rates: { key: string; passed: number; total: number }[]): string {
  const row = 26;
  const label = 300;
  const width = 820;
  const barWidth = width - label - 70;
  const bars = rates
    .map((r, i) => {
      const rate = r.total ? r.passed / r.total : 0;
      const y = i * row + 4;
      return `<g><text x="${label - 8}" y="${y + 15}" text-anchor="end">${escape(r.key)}</text><rect x="${label}" y="${y}" width="${barWidth}" height="18" fill="#eee"/><rect class="bar" x="${label}" y="${y}" width="${(barWidth * rate).toFixed(1)}" height="18" fill="${rate >= 0.8 ? '#2e7d32' : rate >= 0.5 ? '#f9a825' : '#c62828'}"/><text x="${label + barWidth + 8}" y="${y + 15}">${Math.round(rate * 100)}% (${r.passed}/${r.total})</text></g>`;
    })
    .join('');
  return `<svg id="pass-rate-chart" role="img" aria-label="Pass rate per exercise" width="${width}" height="${rates.length * row + 8}" xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif" font-size="13">${bars}</svg>`;
}

/**
 * The instructor's class report: one self-contained HTML file (no network to
 * view it): pass rate per exercise as a chart, the most frequent
 * misconceptions across the class, and a per-student table.
 */
export function renderHtml(result: ClassResult): string {
  // With one pack, exercises are named without the pack id, which the header already gives.
  const short = (key: string) => (result.packs.length === 1 ? key.slice(result.packs[0].id.length + 1) : key);
  const rates = passRates(result).map((rate) => ({ ...rate, key: short(rate.key) }));
  const counts = new Map<string, { key: string; title: string; message: string; students: string[] }>();
  for (const s of result.submissions) {
    for (const e of s.exercises) {
      if (!e.diagnosis) continue;
      const id = `${e.key}#${e.diagnosis.misconceptionId}`;
      const entry = counts.get(id) ?? { key: e.key, title: e.diagnosis.title, message: e.diagnosis.message, students: [] };
      entry.students.push(s.id);
      counts.set(id, entry);
    }
  }
  const misconceptions = [...counts.values()].sort((a, b) => b.students.length - a.students.length || (a.key < b.key ? -1 : 1));
  const mark = { pass: '✓', fail: '✗', error: '!' } as const;
  const s = result.summary;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>llm-tutor class report</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; }
  h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
  table { border-collapse: collapse; font-size: 0.9rem; }
  th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: left; }
  th { background: #f5f5f5; }
  td.pass { color: #2e7d32; text-align: center; } td.fail { color: #c62828; text-align: center; background: #fdecea; } td.error { color: #6a1b9a; text-align: center; background: #f3e5f5; }
  .meta { color: #666; }
</style>
</head>
<body>
<h1>llm-tutor class report</h1>
<p class="meta">${plural(s.submissions, 'submission')}, ${s.submissionsPassed} pass every exercise · ${s.passed} passed, ${s.failed} failed, ${plural(s.errored, 'error')} · seed ${result.seed} · ${escape(result.packs.map((p) => `${p.id} ${p.version}`).join(', '))} · backend ${escape(result.backend)} · llm-tutor ${escape(result.tool.version)} · ${escape(result.startedAt)}</p>
<h2>Pass rate per exercise</h2>
${chart(rates)}
<h2>Most frequent misconceptions</h2>
${
  misconceptions.length
    ? `<table id="misconceptions"><thead><tr><th>students</th><th>exercise</th><th>mistake</th><th>who</th></tr></thead><tbody>${misconceptions
        .map((m) => `<tr><td>${m.students.length}</td><td>${escape(short(m.key))}</td><td title="${escape(m.message)}">${escape(m.title)}</td><td>${escape(m.students.join(', '))}</td></tr>`)
        .join('')}</tbody></table>`
    : '<p id="misconceptions">No misconception was diagnosed.</p>'
}
<h2>Students</h2>
<table id="students"><thead><tr><th>submission</th><th>passed</th>${result.exercises.map((e) => `<th title="${escape(e.title)}">${escape(short(e.key))}</th>`).join('')}</tr></thead><tbody>
${result.submissions
  .map(
    (sub) =>
      `<tr><td>${escape(sub.id)}</td><td>${sub.passed}/${sub.total}</td>${result.exercises
        .map((ex) => {
          const e = sub.exercises.find((x) => x.key === ex.key);
          if (!e) return '<td></td>';
          const tip = [e.message, e.diagnosis ? `Likely mistake: ${e.diagnosis.title}` : ''].filter(Boolean).join(' — ');
          return `<td class="${e.status}" title="${escape(tip)}">${mark[e.status]}</td>`;
        })
        .join('')}</tr>`,
  )
  .join('\n')}
</tbody></table>
</body>
</html>
`;
}
