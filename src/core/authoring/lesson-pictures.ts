import { Lexer, type Token } from 'marked';
import { t } from '../../i18n/i18n.js';

/** The fenced-block languages a lesson draws as pictures instead of printing as code. */
export const pictureKinds = ['heatmap', 'bars'] as const;
export type PictureKind = (typeof pictureKinds)[number];

/** Whether a fenced block's language names a picture. */
export function isPictureKind(lang: string | undefined): lang is PictureKind {
  return (pictureKinds as readonly string[]).includes(lang ?? '');
}

/** A number as an author writes it in a lesson: an optional sign (`-` or `−`), digits, an optional fraction and exponent. */
const numberPattern = /^[-−]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

/** A number of a picture, kept as written for display. */
export interface PictureValue {
  text: string;
  value: number;
}

function parseValue(text: string): PictureValue | undefined {
  return numberPattern.test(text) ? { text, value: Number(text.replace('−', '-')) } : undefined;
}

/** The block's lines without blank ones (leading spaces kept: a bar's label may be aligned with them), and its title when the first line is `title: …`. */
function titled(text: string): { title?: string; lines: string[] } {
  const lines = text.split('\n').map((row) => row.replace(/\t/g, ' ').trimEnd()).filter((row) => row !== '');
  const title = /^\s*title:\s*(.*)$/.exec(lines[0] ?? '');
  return title ? { title: title[1], lines: lines.slice(1) } : { lines };
}

/** A ```heatmap block: column labels, rows of one number per column, and the cells it marks. */
export interface Heatmap {
  title?: string;
  columns: string[];
  rows: { label: string; cells: PictureValue[] }[];
  /** Marked cells as `[row, column]` indices, in the order the `mark:` line gives them (the diagonal top to bottom). */
  marks: [number, number][];
  /** What the marks are, for the legend: `the diagonal` or `marked`. */
  markNote?: string;
}

/**
 * The cells a `mark:` line names — `diagonal` (row i, column i) or
 * `row col; row col` by their labels — given the parsed labels, or what is
 * wrong with the line.
 */
function parseMarks(spec: string, rows: string[], columns: string[]): { marks: [number, number][]; note: string } | string {
  if (/^diagonal$/i.test(spec)) return { marks: Array.from({ length: Math.min(rows.length, columns.length) }, (_, i): [number, number] => [i, i]), note: t('the diagonal') };
  const marks: [number, number][] = [];
  for (const pair of spec.split(';').map((part) => part.trim())) {
    const words = pair.split(/\s+/);
    if (words.length !== 2 || pair === '') return t`mark: "${pair}" should be a row label and a column label (cells separated by ";"), or "diagonal"`;
    const [r, c] = [rows.indexOf(words[0]), columns.indexOf(words[1])];
    if (r < 0) return t`mark: "${words[0]}" is not a row label`;
    if (c < 0) return t`mark: "${words[1]}" is not a column label`;
    marks.push([r, c]);
  }
  return { marks, note: t('marked') };
}

/** Parses `title: …` and `mark: …` (both optional, in that order), a header row of column labels, then rows `label v1 v2 …` with one number per column. */
export function parseHeatmap(text: string): Heatmap | string {
  const { title, lines: all } = titled(text);
  const markLine = /^\s*mark:\s*(.*)$/.exec(all[0] ?? '');
  const lines = markLine ? all.slice(1) : all;
  if (lines.length < 2) return t('needs a header row of column labels and at least one row `label v1 v2 …`');
  const columns = lines[0].trim().split(/\s+/);
  const rows: { label: string; cells: PictureValue[] }[] = [];
  for (const [i, row] of lines.slice(1).entries()) {
    const [label, ...texts] = row.trim().split(/\s+/);
    if (texts.length !== columns.length) return texts.length === 1 ? t`row ${i + 1} (${label}) has 1 value; the header has ${columns.length} columns` : t`row ${i + 1} (${label}) has ${texts.length} values; the header has ${columns.length} columns`;
    const cells = texts.map(parseValue);
    const bad = texts.find((_, j) => !cells[j]);
    if (bad !== undefined) return t`row ${i + 1} (${label}): "${bad}" is not a number`;
    rows.push({ label, cells: cells as PictureValue[] });
  }
  if (!markLine) return { title, columns, rows, marks: [] };
  const marked = parseMarks(markLine[1].trim(), rows.map((row) => row.label), columns);
  if (typeof marked === 'string') return marked;
  return { title, columns, rows, marks: marked.marks, markNote: marked.note };
}

/** A ```bars block: labelled values ≥ 0. */
export interface Bars {
  title?: string;
  /** The value a full-width bar stands for: the largest value unless a `max:` line says more (so that two blocks share a scale). */
  full: number;
  rows: { label: string; value: PictureValue }[];
}

/** Parses `title: …` and `max: N` (both optional, in that order), then rows `label value` (the label may hold spaces; the value is the last word, a number ≥ 0). */
export function parseBars(text: string): Bars | string {
  const { title, lines } = titled(text);
  const maxLine = /^\s*max:\s*(\S+)$/.exec(lines[0] ?? '');
  const stated = maxLine ? parseValue(maxLine[1]) : undefined;
  if (maxLine && !(stated && stated.value > 0)) return t`max: "${maxLine[1]}" is not a number > 0`;
  const rowLines = maxLine ? lines.slice(1) : lines;
  if (rowLines.length === 0) return t('needs at least one row `label value`');
  const rows: Bars['rows'] = [];
  for (const [i, row] of rowLines.entries()) {
    const split = /^(.*\S)\s+(\S+)$/.exec(row);
    if (!split) return t`row ${i + 1} ("${row}") needs a label and a value`;
    const value = parseValue(split[2]);
    if (!value || value.value < 0) return t`row ${i + 1} (${split[1]}): "${split[2]}" is not a number ≥ 0`;
    if (stated && value.value > stated.value) return t`row ${i + 1} (${split[1]}): ${split[2]} is above max ${stated.text}`;
    rows.push({ label: split[1], value });
  }
  return { title, full: stated?.value ?? Math.max(...rows.map((row) => row.value.value)), rows };
}

/** Each malformed picture block of a lesson: which one (kind, number among its kind, title) and what is wrong with it. */
export function lessonPictureProblems(markdown: string): string[] {
  const problems: string[] = [];
  const seen: Record<string, number> = {};
  walk(new Lexer().lex(markdown), (token) => {
    if (token.type !== 'code' || !isPictureKind(token.lang)) return;
    seen[token.lang] = (seen[token.lang] ?? 0) + 1;
    const parsed = token.lang === 'heatmap' ? parseHeatmap(token.text) : parseBars(token.text);
    const title = titled(token.text).title;
    if (typeof parsed === 'string') problems.push(`${token.lang} block ${seen[token.lang]}${title ? ` ("${title}")` : ''}: ${parsed}`);
  });
  return problems;
}

/** Calls `visit` on every token, list items' and block quotes' inner tokens included, in document order. */
function walk(tokens: Token[], visit: (token: Token) => void): void {
  for (const token of tokens) {
    visit(token);
    if ('items' in token && Array.isArray(token.items)) walk(token.items as Token[], visit);
    if ('tokens' in token && Array.isArray(token.tokens)) walk(token.tokens, visit);
  }
}
