import path from 'node:path';
import type { ChalkInstance } from 'chalk';
import type { Mismatch } from '../core/grading/compare.js';
import { plural } from '../core/common/words.js';
import type { Heatmap, TensorDiff } from '../core/grading/tensor-diff.js';
import { t } from '../i18n/i18n.js';
import { heatmapChar } from './diff-layout.js';
import { diffLines, layerWord, planLines, sequenceLabels } from './diff-lines.js';
import { escapeLogLine, escapeLogLines } from './escape.js';
import type { PlanDrawing } from '../core/authoring/kinds.js';
import { plainText, styleLine, type Line } from './lines.js';
import { argumentLines, traceLines } from './value-layout.js';
import { diagnosisLead, noteText, statusLabel } from './verdict-text.js';
import { padEndText, textWidth } from './wrap.js';
import type { CaseResult, LayerPiece, LayerReport, Verdict } from '../core/grading/verdict.js';

/** Expected vs got around the worst element: a table for vectors, two grids for matrices (the screen's layout, 80 columns wide). */
export function renderWindow(diff: TensorDiff, c: ChalkInstance): string[] {
  return diffLines(diff, 80).map((row) => styleLine(row, c));
}

/** Where the mismatches are: one character per cell, darker for more mismatched elements. */
export function renderHeatmap(heatmap: Heatmap, c: ChalkInstance): string[] {
  const scale = heatmap.cellRows > 1 || heatmap.cellCols > 1 ? t` (each cell ${heatmap.cellRows}×${heatmap.cellCols} elements)` : '';
  const lines = [c.bold(t`where the errors are: ${heatmap.rows}×${heatmap.cols}${scale}, █ = all wrong, · = all right`)];
  for (const row of heatmap.cells) lines.push(`  ${row.map((f) => (f === 0 ? c.dim(heatmapChar(f)) : c.red(heatmapChar(f)))).join('')}`);
  return lines;
}

/**
 * The detailed explanation of one mismatch: message, then the window and heatmap or the sequence context.
 * The message and contexts quote the learner's values, so they are escaped for a terminal or a log.
 */
export function renderMismatch(mismatch: Mismatch, c: ChalkInstance): string[] {
  const lines = [escapeLogLine(mismatch.message)];
  if (mismatch.kind === 'values' && mismatch.diff.total > 1) {
    lines.push('', ...renderWindow(mismatch.diff, c));
    if (mismatch.diff.heatmap && mismatch.diff.total > 4) lines.push('', ...renderHeatmap(mismatch.diff.heatmap, c));
  } else if (mismatch.kind === 'sequence') {
    const [expected, got] = sequenceLabels();
    lines.push(`  ${expected}${escapeLogLine(mismatch.diff.expectedContext)}`, `  ${got}${c.red(escapeLogLine(mismatch.diff.gotContext))}`);
  }
  return lines;
}

function caseLine(result: CaseResult, c: ChalkInstance): string {
  const name = escapeLogLine(result.name);
  switch (result.status) {
    case 'pass':
      return `${c.green('✓')} ${name}`;
    case 'fail':
      return `${c.red('✗')} ${name}`;
    case 'error':
      return `${c.red('!')} ${name}`;
    case 'not-run':
      return c.dim(`- ${t`${name} (not run)`}`);
  }
}

export interface RenderOptions {
  /** Shown as the title line. */
  title?: string;
  /** Paths are shown relative to this folder. */
  cwd?: string;
  /** Show every case line even on a pass (default: only on failure). */
  allCases?: boolean;
  /** The width the first failing case's arguments and intermediate values are laid out to (default 100 columns). */
  width?: number;
}

/** A schedule exercise's plan as a grid; the cells where the violated property shows are red and inverted. */
export function renderPlan(drawing: PlanDrawing, c: ChalkInstance, width = 100): string[] {
  return planLines(drawing, width - 2, false, 16).map((row) => styleLine(row, c).trimEnd());
}

const layerMarks: Record<LayerPiece['status'], string> = { agrees: '✓', differs: '✗', error: '!', 'not-imported': '·' };

/** The layer-by-layer comparison: each piece, then what differs in the first that does. */
export function renderLayers(report: LayerReport, c: ChalkInstance): string[] {
  const width = Math.min(12, Math.max(...report.pieces.map((p) => textWidth(escapeLogLine(p.name)))) + 1);
  const lines = [c.bold(t`Layer by layer on case "${escapeLogLine(report.caseName)}": your pieces on the reference's input to each`)];
  for (const p of report.pieces) {
    const text = `  ${layerMarks[p.status]} ${padEndText(escapeLogLine(p.name), width)} ${escapeLogLine(p.exercise)}: ${layerWord(p.status)}`;
    lines.push(p.status === 'agrees' ? text : p.status === 'not-imported' ? c.dim(text) : c.red(text));
  }
  const first = report.first !== undefined ? report.pieces[report.first] : undefined;
  if (first) {
    lines.push('', c.bold(`  ${t`${escapeLogLine(first.name)}, by your ${escapeLogLine(first.exercise)}:`}`));
    const detail = first.mismatch ? renderMismatch(first.mismatch, c) : [escapeLogLine(first.message ?? t`failed`)];
    for (const line of detail) lines.push(line ? `  ${line}` : '');
  }
  return lines;
}

/** A laid-out line for a log: styled, unless escaping it for a CI log changes it (a wrapped string whose piece starts with `::`), then escaped and plain. */
function logSafe(row: Line, c: ChalkInstance): string {
  const text = plainText(row);
  const safe = escapeLogLine(text);
  return safe === text ? styleLine(row, c) : safe;
}

/**
 * A verdict as text for a terminal or a log. Everything that may come from the
 * learner (messages, values, paths, source lines, console output) is escaped
 * so that it can neither drive the terminal nor start a CI workflow command.
 */
export function renderVerdict(verdict: Verdict, c: ChalkInstance, options: RenderOptions = {}): string {
  const rel = (file: string) => escapeLogLine(path.relative(options.cwd ?? process.cwd(), file) || file);
  const lines: string[] = [];
  const icon = verdict.status === 'pass' ? c.green.bold(statusLabel('pass')) : c.red.bold(statusLabel(verdict.status));
  const seconds = `${(verdict.durationMs / 1000).toFixed(2)} s`;
  lines.push(`${icon} ${c.bold(escapeLogLine(verdict.exerciseKey))}${options.title ? ` — ${escapeLogLine(options.title)}` : ''} ${c.dim(`(${seconds})`)}`);
  lines.push(`  ${escapeLogLine(verdict.summary)}`);
  if (verdict.status !== 'pass' || options.allCases) {
    lines.push('');
    for (const result of verdict.cases) lines.push(`  ${caseLine(result, c)}`);
  }
  if (verdict.error?.location) {
    const l = verdict.error.location;
    lines.push('', `  ${t`at`} ${rel(l.file)}:${l.line}:${l.column}`);
    if (l.lineText !== undefined) lines.push(c.dim(`    ${escapeLogLine(l.lineText.trim())}`));
  }
  const first = verdict.firstFailure !== undefined ? verdict.cases[verdict.firstFailure] : undefined;
  if (first && (first.status === 'fail' || first.status === 'error')) {
    const name = escapeLogLine(first.name);
    lines.push('', c.bold(first.step ? t`Case "${name}", step ${first.step.index + 1} of ${first.step.of}` : t`Case "${name}"`));
    const width = (options.width ?? 100) - 2;
    const indented = (rows: Line[]) => rows.map((row) => `  ${logSafe(row, c)}`);
    lines.push(...indented(argumentLines(first, width, { expanded: false })));
    const detail = first.mismatch ? renderMismatch(first.mismatch, c) : first.message ? [escapeLogLine(first.message)] : [];
    if (first.args && detail.length > 0) lines.push('');
    for (const line of detail) lines.push(line ? `  ${line}` : '');
    if (first.trace?.length) lines.push('', c.bold(`  ${t`Inside the reference, on these arguments:`}`), ...indented(traceLines(first, width, { expanded: false })));
    if (first.plan) lines.push('', ...renderPlan(first.plan, c).map((line) => `  ${line}`));
  }
  if (verdict.layers) lines.push('', ...renderLayers(verdict.layers, c));
  if (verdict.diagnosis) {
    const d = verdict.diagnosis;
    lines.push('', c.yellow.bold(diagnosisLead(d.confidence, escapeLogLine(d.title))) + c.dim(t` (matches ${d.matched} of ${plural(d.failing, 'failing case')})`));
    lines.push(`  ${escapeLogLine(d.message)}`);
  }
  for (const note of verdict.notes) lines.push('', c.yellow(noteText(escapeLogLine(note))));
  const out = verdict.output;
  if (out.stdout || out.stderr) {
    lines.push('', c.bold(t`Your console output:`));
    const shown = `${out.stdout}${out.stderr}`.trimEnd().split('\n').slice(0, 20).join('\n');
    for (const line of escapeLogLines(shown, '  │ ')) lines.push(c.dim(line));
    if (out.droppedBytes > 0) lines.push(c.dim(`  │ ${t`… ${plural(out.droppedBytes, 'more byte')} not shown`}`));
  }
  return lines.join('\n');
}
