import { parseBars, parseHeatmap, type Bars, type Heatmap, type PictureKind } from '../core/authoring/lesson-pictures.js';
import { t } from '../i18n/i18n.js';
import { escapeTerminalLine } from './escape.js';
import type { Line, Span } from './lines.js';
import { displayWidth } from './text-width.js';
import { lineWidth, wrapLines } from './wrap.js';

/** A picture's terminal lines, or what is wrong with its block (then the block is shown as code). */
export type Picture = { lines: Line[] } | { problem: string };

/** The title, bold, wrapped to `width`. */
const titleLines = (title: string | undefined, width: number): Line[] => (title ? wrapLines(title, width, { bold: true }) : []);
const margin = '  ';
const pad = (text: string, width: number) => ' '.repeat(Math.max(0, width - displayWidth(text))) + text;
const padEnd = (text: string, width: number) => text + ' '.repeat(Math.max(0, width - displayWidth(text)));

/** The five shades of a heatmap cell, lowest first: the glyph carries the level, the colour adds to it. */
const shades: Span[] = [
  { text: '·', color: 'blue', dim: true },
  { text: '░', color: 'blue' },
  { text: '▒', color: 'cyan' },
  { text: '▓', color: 'yellow' },
  { text: '█', color: 'red' },
];

/** The shade of `value` between `min` and `max`, the nearest of five evenly spaced levels (the middle one when all values are equal). */
export function shadeOf(value: number, min: number, max: number): Span {
  const fraction = max > min ? (value - min) / (max - min) : 0.5;
  return shades[Math.round(fraction * 4)];
}

/**
 * A heatmap laid out with `glyphs` shade characters per cell and `gap` spaces
 * between columns. When the block marks cells, every number gets a column on
 * each side, `[` `]` around a marked one (bold and underlined in colour), so
 * the marks read without colour and the columns stay aligned.
 */
function heatmapLayout(map: Heatmap, glyphs: number, gap: number): Line[] {
  const cells = map.rows.flatMap((row) => row.cells);
  const lowest = cells.reduce((a, b) => (b.value < a.value ? b : a));
  const highest = cells.reduce((a, b) => (b.value > a.value ? b : a));
  const marked = new Set(map.marks.map(([r, c]) => `${r},${c}`));
  const brackets = marked.size > 0 ? 2 : 0;
  const labelWidth = Math.max(...map.rows.map((row) => displayWidth(row.label)));
  const numberWidths = map.columns.map((_, j) => Math.max(...map.rows.map((row) => displayWidth(row.cells[j].text))));
  const cellWidths = map.columns.map((label, j) => Math.max(displayWidth(label), glyphs + 1 + numberWidths[j] + brackets));
  const space = ' '.repeat(gap);
  const closing = ' '.repeat(brackets / 2);
  const header: Line = [{ text: margin + ' '.repeat(labelWidth) + map.columns.map((label, j) => space + pad(label, cellWidths[j] - closing.length) + closing).join(''), dim: true }];
  const rows = map.rows.map((row, i): Line => [
    { text: margin + padEnd(row.label, labelWidth), dim: true },
    ...row.cells.flatMap((cell, j): Span[] => {
      const shade = shadeOf(cell.value, lowest.value, highest.value);
      const isMarked = marked.has(`${i},${j}`);
      const number = brackets === 0 ? cell.text : isMarked ? `[${cell.text}]` : ` ${cell.text} `;
      return [
        { text: space + ' '.repeat(cellWidths[j] - glyphs - 1 - numberWidths[j] - brackets) },
        { ...shade, text: shade.text.repeat(glyphs) },
        { text: ' ' + ' '.repeat(numberWidths[j] + brackets - displayWidth(number)) },
        isMarked ? { text: number, bold: true, underline: true } : { text: number },
      ];
    }),
  ]);
  const legend: Line = [{ text: margin }, ...shades, { text: `  ${t`from ${lowest.text} to ${highest.text}`}`, dim: true }];
  const markLegend: Line[] = map.markNote ? [[{ text: `${margin}[ ] ${map.markNote}`, dim: true }]] : [];
  return [header, ...rows, legend, ...markLegend];
}

/**
 * A heatmap block drawn for a terminal `width` columns wide: each cell its
 * number with a shade (`·░▒▓█`, lowest to highest between the block's min and
 * max) in front, under the column labels and after the row label; a legend
 * line last. Two shade glyphs per cell when that fits, else one.
 */
function drawHeatmap(text: string, width: number): Picture {
  const map = parseHeatmap(text);
  if (typeof map === 'string') return { problem: map };
  const wide = heatmapLayout(map, 2, 2);
  const grid = wide.every((row) => lineWidth(row) <= width) ? wide : heatmapLayout(map, 1, 1);
  return { lines: [...titleLines(map.title, width), ...grid] };
}

/** Eighths of a block, for the end of a bar. */
const eighths = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** A bar of `length` columns, to the nearest eighth. */
export function barText(length: number): string {
  const units = Math.round(length * 8);
  return '█'.repeat(Math.floor(units / 8)) + eighths[units % 8];
}

/** The columns a bar may take: what is left of `width` after the label, the value and the spaces around the bar, at least 8. */
const barRoom = (width: number, labelWidth: number, valueWidth: number) => Math.max(8, width - margin.length - labelWidth - 2 - valueWidth);

/**
 * A bars block drawn for a terminal `width` columns wide: one row per label,
 * its bar as long as its value over the block's `max:` (by default its largest
 * value) times the widest bar that fits, then the value as written.
 */
function drawBars(text: string, width: number): Picture {
  const bars = parseBars(text);
  if (typeof bars === 'string') return { problem: bars };
  const labelWidth = Math.max(...bars.rows.map((row) => displayWidth(row.label)));
  const room = barRoom(width, labelWidth, Math.max(...bars.rows.map((row) => displayWidth(row.value.text))));
  const rows = bars.rows.map((row): Line => {
    const bar = barText(bars.full > 0 ? (row.value.value / bars.full) * room : 0);
    return [{ text: margin + padEnd(row.label, labelWidth) + ' ', dim: true }, { text: bar, color: 'cyan' }, { text: `${bar ? ' ' : ''}${row.value.text}` }];
  });
  return { lines: [...titleLines(bars.title, width), ...rows] };
}

/** A picture block drawn for a terminal `width` columns wide, or the problem that keeps it from being drawn. */
export function drawPicture(kind: PictureKind, text: string, width: number): Picture {
  const shown = text.split('\n').map((row) => escapeTerminalLine(row.replace(/\t/g, ' '))).join('\n');
  return kind === 'heatmap' ? drawHeatmap(shown, width) : drawBars(shown, width);
}
