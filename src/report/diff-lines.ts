import type { PlanDrawing } from '../core/authoring/kinds.js';
import type { LayerPiece } from '../core/grading/verdict.js';
import type { Heatmap, TensorDiff } from '../core/grading/tensor-diff.js';
import { t } from '../i18n/i18n.js';
import { heatmapChar, layoutWindow, type WindowLayout } from './diff-layout.js';
import { line, type Line, type Span } from './lines.js';
import { layoutPlan } from './plan-layout.js';
import { lineWidth, padEndText, padStartText as padStart, textWidth } from './wrap.js';

/** The narrowest column of a diff grid: a number such as -0.000123457 and a space. */
const CELL = 10;

/** What a piece of the layer-by-layer comparison did: agrees, differs, failed, or was not imported. */
export function layerWord(status: LayerPiece['status']): string {
  switch (status) {
    case 'agrees':
      return t`agrees`;
    case 'differs':
      return t`differs`;
    case 'error':
      return t`failed`;
    case 'not-imported':
      return t`not imported: computed in this file`;
  }
}

/** The labels of a sequence's expected and got contexts, padded to one width and a space: `expected: ` and `got:      `. */
export function sequenceLabels(): [expected: string, got: string] {
  const [expected, got] = [t`expected:`, t`got:`];
  const width = Math.max(textWidth(expected), textWidth(got)) + 1;
  return [padEndText(expected, width), padEndText(got, width)];
}

/** The columns a grid cell takes: the widest text in the window and two spaces, at least {@link CELL}. */
function cellWidth(layout: WindowLayout): number {
  const texts = [...layout.columns, ...layout.expected.flat().map((c) => c.text), ...layout.got.flat().map((c) => c.text)];
  return Math.max(CELL, 2 + Math.max(0, ...texts.map((text) => text.length)));
}

/** A vector's window: one row per element (index, expected, got), the value columns at least 14 wide and wider for wider numbers. */
function vectorLines(layout: WindowLayout): Line[] {
  const value = Math.max(14, cellWidth(layout));
  return [
    line(`${padStart(t`index`, 8)}${padStart(t`expected`, value)}${padStart(t`got`, value)}`, { dim: true }),
    ...layout.rowLabels.map((label, i) => {
      const bad = layout.got[i][0].bad;
      return line(`${padStart(label, 8)}${padStart(layout.expected[i][0].text, value)}${padStart(layout.got[i][0].text, value)}${bad ? '  ✗' : ''}`, bad ? { color: 'red' } : {});
    }),
  ];
}

/** Expected vs got around the worst element, mismatches in red. Compact: the grids side by side, at most three rows. */
export function diffLines(diff: TensorDiff, width: number, compact = false): Line[] {
  const perGrid = compact ? Math.floor(width / 2) - 2 : width;
  const rows = compact ? 3 : 5;
  const fitting = (cell: number) => layoutWindow(diff, Math.max(1, Math.floor((perGrid - 8) / cell)), rows);
  // Numbers wider than a cell get wider cells, and then fewer of them fit.
  let layout = fitting(CELL);
  const cell = cellWidth(layout);
  if (cell > CELL) layout = fitting(cell);
  if (layout.vector) return vectorLines(layout);
  const header = `${' '.repeat(6)}${layout.columns.map((c) => padStart(c, cell)).join('')}`;
  const grid = (title: string, rows: typeof layout.got, highlight: boolean): Line[] => [
    line(`${title}${layout.slice ? ` ${layout.slice}` : ''}`, { bold: true }),
    line(header, { dim: true }),
    ...rows.map((row, i): Line => [
      { text: padStart(layout.rowLabels[i], 4), dim: true },
      { text: '  ' },
      ...row.map((c): Span => ({ text: padStart(c.text, cell), ...(highlight && c.bad ? { color: 'red' as const } : {}) })),
    ]),
  ];
  const expected = grid(t`expected`, layout.expected, false);
  const got = grid(t`got`, layout.got, true);
  if (!compact) return [...expected, ...got];
  // Side by side: each row of the left grid padded to the grid's width, two spaces, then the right grid's row.
  const left = Math.max(...expected.map(lineWidth));
  return expected.map((row, i) => [...row, { text: ' '.repeat(left - lineWidth(row) + 2) }, ...(got[i] ?? [])]);
}

/** Where a matrix's mismatches are: one character per cell, red where wrong. */
export function heatmapLines(heatmap: Heatmap): Line[] {
  const scale = heatmap.cellRows > 1 || heatmap.cellCols > 1 ? t`, each cell ${heatmap.cellRows}×${heatmap.cellCols}` : '';
  return [
    [{ text: t`where the errors are `, bold: true }, { text: t`(${heatmap.rows}×${heatmap.cols}${scale}; █ wrong, · right)`, dim: true }],
    ...heatmap.cells.map((row): Line => [{ text: '  ' }, ...row.map((f): Span => (f === 0 ? { text: heatmapChar(f), dim: true } : { text: heatmapChar(f), color: 'red' }))]),
  ];
}

/** A schedule exercise's plan as a grid; cells where the violated property shows are red and inverted. */
export function planLines(plan: PlanDrawing, width: number, compact = false, maxRows = compact ? 6 : 12): Line[] {
  const layout = layoutPlan(plan, width, maxRows);
  return [
    line(layout.headerLine, { dim: true }),
    ...layout.rows.map((row): Line => [
      { text: padEndText(row.label, layout.labelWidth), dim: true },
      ...row.cells.flatMap((cell): Span[] => [{ text: ' ' }, { text: padEndText(cell.text || '·', layout.cellWidth), ...(cell.marked ? { color: 'red' as const, inverse: true } : {}) }]),
    ]),
    ...(layout.cut ? [line(layout.cut, { dim: true })] : []),
    ...(layout.marked ? [line(layout.marked, { color: 'red' })] : []),
  ];
}

