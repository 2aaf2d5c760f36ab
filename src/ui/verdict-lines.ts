import path from 'node:path';
import { plural } from '../core/common/words.js';
import { t } from '../i18n/i18n.js';
import type { CaseResult, LayerPiece, LayerReport, Verdict } from '../core/grading/verdict.js';
import type { RevealedHint } from '../core/workspace/hints.js';
import { diffLines, heatmapLines, layerWord, planLines, sequenceLabels } from '../report/diff-lines.js';
import type { AfterPassView } from '../core/packs/lesson-sections.js';
import { afterPassLines } from '../report/after-pass.js';
import { escapeTerminalLine as oneLine } from '../report/escape.js';
import { line, type Line, type Span } from '../report/lines.js';
import { argumentLines, traceLines } from '../report/value-layout.js';
import { diagnosisLead, matchesText, noteText, statusLabel } from '../report/verdict-text.js';
import { lineWidth, padEndText, prefixLines, textWidth, truncateText, wrapLines } from '../report/wrap.js';

/** The parts of the screen below the verdict line, each a pane when they do not all fit. */
export type PaneId = 'cases' | 'failure' | 'mistake' | 'layers' | 'inputs' | 'inside' | 'hints' | 'output' | 'solved' | 'check' | 'practice';

export interface Section {
  id: PaneId;
  /** The pane's name on the tab line. */
  title: string;
  lines: Line[];
}

const icons: Record<CaseResult['status'], { icon: string; color?: Span['color'] }> = {
  pass: { icon: '✓', color: 'green' },
  fail: { icon: '✗', color: 'red' },
  error: { icon: '!', color: 'red' },
  'not-run': { icon: '-' },
};

/** Every case as a mark on one line, then the names of the first cases that did not pass. */
export function caseStripLines(cases: CaseResult[], width: number): Line[] {
  const failing = cases.filter((c) => c.status === 'fail' || c.status === 'error');
  const marks: Line = cases.slice(0, width).map((c) => ({ text: icons[c.status].icon, color: icons[c.status].color, dim: c.status === 'not-run' }));
  return [
    marks,
    ...failing.slice(0, 2).map((c) => line(`${icons[c.status].icon} ${truncateText(oneLine(c.name), width - 2)}`, { color: 'red' })),
    ...(failing.length > 2 ? [line(t`… and ${failing.length - 2} more not passing`, { dim: true })] : []),
  ];
}

/** Every case with its mark and name, in two columns when the width allows. */
export function caseListLines(cases: CaseResult[], width: number): Line[] {
  const columns = width >= 100 ? 2 : 1;
  const columnWidth = Math.floor(width / columns);
  const cell = (c: CaseResult): Span => ({
    text: padEndText(`${icons[c.status].icon} ${truncateText(oneLine(c.name), columnWidth - 3)}`, columnWidth),
    color: icons[c.status].color,
    dim: c.status === 'not-run',
  });
  const rows: Line[] = [];
  for (let i = 0; i < cases.length; i += columns) rows.push(cases.slice(i, i + columns).map(cell));
  return rows;
}

/** The first failing case: its name, input, what differs, the diff window, heatmap and plan. */
export function failureLines(result: CaseResult, width: number, compact = false): Line[] {
  const mismatch = result.mismatch;
  const message = mismatch?.message ?? result.message;
  const name = oneLine(result.name);
  const lines: Line[] = wrapLines(result.step ? t`Case “${name}”, step ${result.step.index + 1} of ${result.step.of}` : t`Case “${name}”`, width, { bold: true });
  // Without previews of the arguments (results read back from an older file), the one-line input.
  if (!result.args && result.input !== undefined) {
    const label = t`input: `;
    lines.push(line(`${label}${truncateText(oneLine(result.input), width - textWidth(label))}`, { dim: true }));
  }
  if (message !== undefined) lines.push(...wrapLines(oneLine(message), width));
  if (mismatch?.kind === 'values' && mismatch.diff.total > 1) {
    lines.push([], ...diffLines(mismatch.diff, width, compact));
    const heatmap = mismatch.diff.heatmap;
    if (heatmap && mismatch.diff.total > 4 && (!compact || heatmap.cells.length <= 4)) lines.push([], ...heatmapLines(heatmap));
  }
  if (result.plan) lines.push([], ...planLines(result.plan, width, compact));
  if (mismatch?.kind === 'sequence') {
    const [expected, got] = sequenceLabels();
    const room = width - textWidth(expected);
    lines.push(line(`${expected}${truncateText(oneLine(mismatch.diff.expectedContext), room)}`));
    lines.push(line(`${got}${truncateText(oneLine(mismatch.diff.gotContext), room)}`, { color: 'red' }));
  }
  return lines;
}

const layerIcons: Record<LayerPiece['status'], { icon: string; color?: Span['color'] }> = {
  agrees: { icon: '✓', color: 'green' },
  differs: { icon: '✗', color: 'red' },
  error: { icon: '!', color: 'red' },
  'not-imported': { icon: '·' },
};

/**
 * The layer-by-layer comparison: each piece with its mark and the exercise
 * whose file computed it, then what differs in the first one that does, with
 * its diff window.
 */
export function layerLines(report: LayerReport, width: number, compact = false): Line[] {
  const nameWidth = Math.min(12, Math.max(...report.pieces.map((p) => textWidth(oneLine(p.name)))) + 1);
  const lines: Line[] = wrapLines(t`Layer by layer on case “${oneLine(report.caseName)}”: your pieces on the reference's input to each`, width, { bold: true });
  for (const piece of report.pieces) {
    const mark = layerIcons[piece.status];
    lines.push([
      { text: `${mark.icon} `, color: mark.color },
      { text: padEndText(truncateText(oneLine(piece.name), nameWidth), nameWidth + 1), bold: piece === report.pieces[report.first ?? -1] },
      { text: truncateText(`${oneLine(piece.exercise)}: ${layerWord(piece.status)}`, Math.max(8, width - nameWidth - 3)), dim: piece.status === 'not-imported', color: piece.status === 'agrees' ? undefined : mark.color },
    ]);
  }
  const first = report.first !== undefined ? report.pieces[report.first] : undefined;
  if (first) {
    lines.push([]);
    if (first.mismatch) lines.push(...failureLines({ index: 0, name: t`${first.name}, by your ${first.exercise}`, status: 'fail', mismatch: first.mismatch }, width, compact));
    else lines.push(...wrapLines(oneLine(t`${first.name}, by your ${first.exercise}: ${first.message ?? t`failed`}`), width, { color: 'red' }));
  }
  return lines;
}

/** A box drawn with rounded corners around lines, in one colour. */
export function boxLines(content: Line[], width: number, color: Span['color']): Line[] {
  const inner = Math.max(1, width - 4);
  const border = (left: string, right: string) => line(`${left}${'─'.repeat(inner + 2)}${right}`, { color });
  return [
    border('╭', '╮'),
    ...content.map((row): Line => {
      const used = lineWidth(row);
      return [{ text: '│ ', color }, ...row, { text: `${' '.repeat(Math.max(0, inner - used))} │`, color }];
    }),
    border('╰', '╯'),
  ];
}

/** The diagnosis's heading: "Likely mistake: …" or "Possible mistake: …". */
export function diagnosisHeading(verdict: Verdict): string | undefined {
  const d = verdict.diagnosis;
  return d && diagnosisLead(d.confidence, oneLine(d.title));
}

/** The diagnosis in a yellow box, then the notes. */
export function mistakeLines(verdict: Verdict, width: number): Line[] {
  const lines: Line[] = [];
  const d = verdict.diagnosis;
  if (d) {
    const inner = width - 4;
    lines.push(
      ...boxLines(
        [
          ...wrapLines(diagnosisHeading(verdict)!, inner, { bold: true, color: 'yellow' }),
          ...wrapLines(oneLine(d.message), inner),
          line(matchesText(d.matched, d.failing), { dim: true }),
        ],
        width,
        'yellow',
      ),
    );
  }
  for (const note of verdict.notes) lines.push(...wrapLines(noteText(oneLine(note)), width, { color: 'yellow' }));
  return lines;
}

/** The learner's console output, at most `limit` lines, each escaped. */
export function outputLines(verdict: Verdict, width: number, limit = Infinity): Line[] {
  const output = `${verdict.output.stdout}${verdict.output.stderr}`.trimEnd();
  if (!output) return [];
  const all = output.split('\n');
  const lines: Line[] = [line(t`Your console output`, { bold: true }), ...all.slice(0, limit).map((text) => line(`│ ${truncateText(oneLine(text), width - 2)}`, { dim: true }))];
  if (all.length > limit) lines.push(line(`│ ${t`… ${plural(all.length - limit, 'more line')}`}`, { dim: true }));
  if (verdict.output.droppedBytes > 0) lines.push(line(`│ ${t`… ${plural(verdict.output.droppedBytes, 'more byte')} not kept`}`, { dim: true }));
  return lines;
}

/** The verdict's first line: ` FAIL  3/10 cases pass (0.21 s)`. */
export function verdictLine(verdict: Verdict): Line {
  const passed = verdict.cases.filter((c) => c.status === 'pass').length;
  return [
    { text: ` ${statusLabel(verdict.status)} `, bold: true, inverse: true, color: verdict.status === 'pass' ? 'green' : 'red' },
    { text: ` ${t`${passed}/${verdict.cases.length} cases pass`} ` },
    { text: `(${(verdict.durationMs / 1000).toFixed(2)} s)`, dim: true },
  ];
}

export interface VerdictLayoutOptions {
  width: number;
  cwd: string;
  /** Short terminals: cases as a strip of marks, the diff side by side, three lines of output. */
  compact: boolean;
  /** In a pane of its own, the console output is shown whole (it scrolls). */
  wholeOutput?: boolean;
  /** The arguments and the reference's values shown whole (as far as their previews go) instead of at most 6 × 8. */
  expanded?: boolean;
}

/**
 * A verdict below its first line, as sections: the summary and cases, the
 * first failure, the diagnosis and notes, the console output. The learner's
 * messages, paths, source lines and output are escaped.
 */
export function verdictSections(verdict: Verdict, { width, cwd, compact, wholeOutput = false, expanded = false }: VerdictLayoutOptions): Section[] {
  const cases: Line[] = [];
  if (verdict.status !== 'pass') cases.push(...wrapLines(oneLine(verdict.summary), width));
  cases.push(...(compact ? caseStripLines(verdict.cases, width) : caseListLines(verdict.cases, width)));
  const location = verdict.error?.location;
  if (location) {
    cases.push([{ text: `${t`at`} ` }, { text: `${oneLine(path.relative(cwd, location.file) || location.file)}:${location.line}:${location.column}`, underline: true }]);
    if (location.lineText !== undefined) cases.push(line(`  ${truncateText(oneLine(location.lineText.trim()), width - 2)}`, { dim: true }));
  }
  const sections: Section[] = [{ id: 'cases', title: t`cases`, lines: cases }];
  const first = verdict.firstFailure !== undefined ? verdict.cases[verdict.firstFailure] : undefined;
  if (first && first.status !== 'not-run') sections.push({ id: 'failure', title: t`failure`, lines: failureLines(first, width, compact) });
  const mistake = mistakeLines(verdict, width);
  if (mistake.length > 0) sections.push({ id: 'mistake', title: verdict.diagnosis ? t`mistake` : t`notes`, lines: mistake });
  if (verdict.layers) sections.push({ id: 'layers', title: t`layers`, lines: layerLines(verdict.layers, width, compact) });
  if (first?.args && first.status !== 'not-run') {
    const hint = line(expanded ? t`e: fewer rows and columns` : t`e: more rows and columns`, { dim: true });
    sections.push({ id: 'inputs', title: t`inputs`, lines: [line(t`The arguments of this case`, { bold: true }), ...argumentLines(first, width, { expanded }), hint] });
  }
  if (first?.trace?.length && first.status !== 'not-run') {
    // What the reference computed on the way: the learner can print the same values of their own and compare.
    sections.push({ id: 'inside', title: t`inside`, lines: [line(t`Inside the reference, on these arguments`, { bold: true }), ...traceLines(first, width, { expanded })] });
  }
  const output = outputLines(verdict, width, wholeOutput ? Infinity : compact ? 3 : 8);
  if (output.length > 0) sections.push({ id: 'output', title: t`output`, lines: output });
  return sections;
}

/** The hints revealed so far, in the order they were: each its label ("Hint 1/3", "Hint for “…”"), then its text indented. */
export function hintLines(hints: readonly RevealedHint[], width: number): Line[] {
  return hints.flatMap((hint) => [...wrapLines(hint.label, width, { bold: true, color: 'cyan' }), ...prefixLines(wrapLines(hint.text, width - 2), { text: '  ' })]);
}

/** What a pass opens onto, as panes: "check yourself" and "in practice" ({@link afterPassLines}). */
export function afterPassSectionsOf(afterPass: AfterPassView, width: number): Section[] {
  const { check, practice } = afterPassLines(afterPass, width);
  return [...(check ? [{ id: 'check' as const, title: t`check yourself`, lines: check }] : []), ...(practice ? [{ id: 'practice' as const, title: t`in practice`, lines: practice }] : [])];
}
