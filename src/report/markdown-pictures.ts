import { escapeTerminalLine } from './escape.js';
import type { Line, Span } from './lines.js';
import { displayWidth } from './text-width.js';
import { lineWidth, wrapLines } from './wrap.js';

/** The fenced-block languages a lesson draws as pictures instead of printing as code. */
export const pictureKinds = ['heatmap', 'bars'] as const;
export type PictureKind = (typeof pictureKinds)[number];

/** A picture's terminal lines, or what is wrong with its block (then the block is shown as code). */
export type Picture = { lines: Line[] } | { problem: string };

/** Whether a fenced block's language names a picture. */
export function isPictureKind(lang: string | undefined): lang is PictureKind {
  return (pictureKinds as readonly string[]).includes(lang ?? '');
}

/** A number as an author writes it in a lesson: an optional sign (`-` or `−`), digits, an optional fraction and exponent. */
const numberPattern = /^[-−]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

/** A cell's value, kept as written for display. */
interface Value {
  text: string;
  value: number;
}

function parseValue(text: string): Value | undefined {
  return numberPattern.test(text) ? { text, value: Number(text.replace('−', '-')) } : undefined;
}

/** The block's lines without blank ones (leading spaces kept: a bar's label may be aligned with them), and its title when the first line is `title: …`. */
function titled(text: string): { title?: string; lines: string[] } {
  const lines = text.split('\n').map((row) => escapeTerminalLine(row.replace(/\t/g, ' ').trimEnd())).filter((row) => row !== '');
  const title = /^\s*title:\s*(.*)$/.exec(lines[0] ?? '');
  return title ? { title: title[1], lines: lines.slice(1) } : { lines };
}

/** The title, bold, wrapped to `width`. */
const titleLines = (title: string | undefined, width: number): Line[] => (title ? wrapLines(title, width, { bold: true }) : []);
const margin = '  ';
const pad = (text: string, width: number) => ' '.repeat(Math.max(0, width - displayWidth(text))) + text;
const padEnd = (text: string, width: number) => text + ' '.repeat(Math.max(0, width - displayWidth(text)));

interface Heatmap {
  title?: string;
  columns: string[];
  rows: { label: string; cells: Value[] }[];
}

/** Parses `title: …` (optional), a header row of column labels, then rows `label v1 v2 …` with one number per column. */
function parseHeatmap(text: string): Heatmap | string {
  const { title, lines } = titled(text);
  if (lines.length < 2) return 'needs a header row of column labels and at least one row `label v1 v2 …`';
  const columns = lines[0].trim().split(/\s+/);
  const rows: Heatmap['rows'] = [];
  for (const [i, row] of lines.slice(1).entries()) {
    const [label, ...texts] = row.trim().split(/\s+/);
    if (texts.length !== columns.length) return `row ${i + 1} (${label}) has ${texts.length} value${texts.length === 1 ? '' : 's'}; the header has ${columns.length} columns`;
    const cells = texts.map(parseValue);
    const bad = texts.find((_, j) => !cells[j]);
    if (bad !== undefined) return `row ${i + 1} (${label}): "${bad}" is not a number`;
    rows.push({ label, cells: cells as Value[] });
  }
  return { title, columns, rows };
}

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

/** A heatmap laid out with `glyphs` shade characters per cell and `gap` spaces between columns. */
function heatmapLayout(map: Heatmap, glyphs: number, gap: number): Line[] {
  const values = map.rows.flatMap((row) => row.cells.map((cell) => cell.value));
  const [min, max] = [Math.min(...values), Math.max(...values)];
  const labelWidth = Math.max(...map.rows.map((row) => displayWidth(row.label)));
  const numberWidths = map.columns.map((_, j) => Math.max(...map.rows.map((row) => displayWidth(row.cells[j].text))));
  const cellWidths = map.columns.map((label, j) => Math.max(displayWidth(label), glyphs + 1 + numberWidths[j]));
  const space = ' '.repeat(gap);
  const header: Line = [{ text: margin + ' '.repeat(labelWidth) + map.columns.map((label, j) => space + pad(label, cellWidths[j])).join(''), dim: true }];
  const rows = map.rows.map((row): Line => [
    { text: margin + padEnd(row.label, labelWidth), dim: true },
    ...row.cells.flatMap((cell, j): Span[] => {
      const shade = shadeOf(cell.value, min, max);
      return [
        { text: space + ' '.repeat(cellWidths[j] - glyphs - 1 - numberWidths[j]) },
        { ...shade, text: shade.text.repeat(glyphs) },
        { text: ` ${pad(cell.text, numberWidths[j])}` },
      ];
    }),
  ]);
  const minText = map.rows.flatMap((row) => row.cells).find((cell) => cell.value === min)?.text;
  const maxText = map.rows.flatMap((row) => row.cells).find((cell) => cell.value === max)?.text;
  const legend: Line = [{ text: margin }, ...shades.map((shade) => ({ ...shade })), { text: `  from ${minText} to ${maxText}`, dim: true }];
  return [header, ...rows, legend];
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

interface Bars {
  title?: string;
  /** The value a full-width bar stands for: the largest value unless a `max:` line says more (so that two blocks share a scale). */
  full: number;
  rows: { label: string; value: Value }[];
}

/** Parses `title: …` and `max: N` (both optional, in that order), then rows `label value` (the label may hold spaces; the value is the last word, a number ≥ 0). */
function parseBars(text: string): Bars | string {
  const { title, lines } = titled(text);
  const maxLine = /^\s*max:\s*(\S+)$/.exec(lines[0] ?? '');
  const stated = maxLine ? parseValue(maxLine[1]) : undefined;
  if (maxLine && !(stated && stated.value > 0)) return `max: "${maxLine[1]}" is not a number > 0`;
  const rowLines = maxLine ? lines.slice(1) : lines;
  if (rowLines.length === 0) return 'needs at least one row `label value`';
  const rows: Bars['rows'] = [];
  for (const [i, row] of rowLines.entries()) {
    const split = /^(.*\S)\s+(\S+)$/.exec(row);
    if (!split) return `row ${i + 1} ("${row}") needs a label and a value`;
    const value = parseValue(split[2]);
    if (!value || value.value < 0) return `row ${i + 1} (${split[1]}): "${split[2]}" is not a number ≥ 0`;
    if (stated && value.value > stated.value) return `row ${i + 1} (${split[1]}): ${split[2]} is above max ${stated.text}`;
    rows.push({ label: split[1], value });
  }
  return { title, full: stated?.value ?? Math.max(...rows.map((row) => row.value.value)), rows };
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
  return kind === 'heatmap' ? drawHeatmap(text, width) : drawBars(text, width);
}
