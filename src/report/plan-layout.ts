import type { PlanDrawing } from '../core/authoring/kinds.js';
import { t } from '../i18n/i18n.js';
import { escapeTerminalLine } from './escape.js';
import { displayWidth } from './text-width.js';
import { padEndText, truncateText } from './wrap.js';

/** A plan drawing laid out as fixed-width text cells, for the pretty reporter and the screen alike. */
export interface PlanLayout {
  /** The header: the corner (`rank\step`) then each column's label, as one padded line. */
  headerLine: string;
  rows: { label: string; cells: { text: string; marked: boolean }[] }[];
  /** Each cell's width, labels included. */
  cellWidth: number;
  labelWidth: number;
  /** Rows or columns left out to fit, said in a line; undefined when everything shows. */
  cut?: string;
  /** Where the marked cells are, in words (`marked: stage 1 at time 0`), for output without colour; undefined when none is. */
  marked?: string;
}

/** A text escaped and cut to `width` columns (a CJK character takes two), ending in `…` when cut. */
const clip = (text: string, width: number) => truncateText(escapeTerminalLine(String(text ?? '')), width);

/**
 * Lays out a plan drawing to fit `width` columns and `maxRows` rows, keeping
 * the marked cells in view: the columns shown are a window around the first
 * mark. Every text is escaped (a pack's check may copy learner values into it).
 */
export function layoutPlan(drawing: PlanDrawing, width: number, maxRows = 16): PlanLayout {
  const rowsCount = Math.min(drawing.rows.length, drawing.cells.length);
  const colsCount = drawing.cols.length;
  const shown = (text: unknown) => displayWidth(escapeTerminalLine(String(text ?? '')));
  const widest = Math.max(2, ...drawing.cols.map(shown), ...drawing.cells.flat().map(shown));
  const cellWidth = Math.min(6, widest);
  const corner = `${drawing.rowTitle}\\${drawing.colTitle}`;
  const labelWidth = Math.min(14, Math.max(displayWidth(corner), ...drawing.rows.map((r) => displayWidth(String(r)))));
  const fits = Math.max(1, Math.floor((width - labelWidth - 1) / (cellWidth + 1)));
  const marks = drawing.marks ?? [];
  const focusCol = marks[0]?.[1] ?? 0;
  const focusRow = marks[0]?.[0] ?? 0;
  const colStart = Math.max(0, Math.min(focusCol - Math.floor(fits / 2), colsCount - fits));
  const colEnd = Math.min(colsCount, colStart + fits);
  const rowStart = Math.max(0, Math.min(focusRow - Math.floor(maxRows / 2), rowsCount - maxRows));
  const rowEnd = Math.min(rowsCount, rowStart + maxRows);
  const marked = new Set(marks.map(([r, c]) => `${r},${c}`));
  const rows = [];
  for (let r = rowStart; r < rowEnd; r++) {
    const cells = [];
    for (let c = colStart; c < colEnd; c++) cells.push({ text: clip(drawing.cells[r]?.[c] ?? '', cellWidth), marked: marked.has(`${r},${c}`) });
    rows.push({ label: clip(drawing.rows[r], labelWidth), cells });
  }
  const cutParts = [];
  if (colStart > 0 || colEnd < colsCount) cutParts.push(t`${drawing.colTitle}s ${drawing.cols[colStart]}–${drawing.cols[colEnd - 1]} of ${colsCount}`);
  if (rowStart > 0 || rowEnd < rowsCount) cutParts.push(t`${drawing.rowTitle}s ${drawing.rows[rowStart]}–${drawing.rows[rowEnd - 1]} of ${rowsCount}`);
  const header = [clip(corner, labelWidth), ...drawing.cols.slice(colStart, colEnd).map((c) => clip(c, cellWidth))];
  return {
    headerLine: [padEndText(header[0], labelWidth), ...header.slice(1).map((h) => padEndText(h, cellWidth))].join(' ').trimEnd(),
    rows,
    cellWidth,
    labelWidth,
    cut: cutParts.length ? clip(t`showing ${cutParts.join(t`, `)}`, width) : undefined,
    marked: marks.length ? clip(t`marked: ${markedWhere(drawing, marks)}`, width) : undefined,
  };
}

/** The first three marked cells by their row and column labels: `stage 1 at time 0; stage 2 at time 0 and 1 more`. */
function markedWhere(drawing: PlanDrawing, marks: readonly [number, number][]): string {
  const named = marks.slice(0, 3).map(([r, c]) => t`${drawing.rowTitle} ${drawing.rows[r] ?? r} at ${drawing.colTitle} ${drawing.cols[c] ?? c}`);
  return named.join(t`; `) + (marks.length > 3 ? t` and ${marks.length - 3} more` : '');
}
