import type { Line, Span } from './lines.js';
import { joinSpans, lineWidth, longestWord, prefixLines, wrapAtoms, type Atom } from './wrap.js';

/** A Markdown table's cells as atoms, and each column's alignment. */
export interface TableCells {
  header: Atom[][];
  rows: Atom[][][];
  align: ('left' | 'right' | 'center' | null)[];
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** The columns `atoms` take on one line (the widest line when they hold forced breaks). */
function naturalWidth(atoms: Atom[]): number {
  return Math.max(1, ...wrapAtoms(atoms, Infinity).map(lineWidth));
}

/**
 * Column widths that fit `room` columns of text: each column's natural width
 * when they all fit; else every column gets its longest word and the rest of
 * the room is shared in proportion to what each column still lacks. Undefined
 * when even the longest words do not fit.
 */
export function fitColumns(columns: Atom[][][], room: number): number[] | undefined {
  const natural = columns.map((cells) => Math.max(...cells.map(naturalWidth)));
  if (sum(natural) <= room) return natural;
  const least = columns.map((cells) => Math.max(1, ...cells.map(longestWord)));
  if (sum(least) > room) return undefined;
  const lacking = natural.map((n, i) => n - least[i]);
  const spare = room - sum(least);
  const widths = least.map((w, i) => w + Math.floor((spare * lacking[i]) / sum(lacking)));
  for (let i = 0; sum(widths) < room; i = (i + 1) % widths.length) if (widths[i] < natural[i]) widths[i] += 1;
  return widths;
}

/** A cell's line padded to `width` columns as the column is aligned. */
function pad(row: Line, width: number, align: TableCells['align'][number]): Line {
  const gap = width - lineWidth(row);
  const left = align === 'right' ? gap : align === 'center' ? Math.floor(gap / 2) : 0;
  return [{ text: ' '.repeat(left) }, ...row, { text: ' '.repeat(gap - left) }];
}

const border = (text: string): Span => ({ text, dim: true });

/** A horizontal rule of the box, such as `├─────┼───┤`. */
function rule(widths: number[], [left, middle, right]: string): Line {
  return [border(left + widths.map((w) => '─'.repeat(w + 2)).join(middle) + right)];
}

/** One table row as lines: each cell wrapped to its column, side by side between `│`. */
function boxRow(cells: Atom[][], widths: number[], align: TableCells['align']): Line[] {
  const wrapped = widths.map((width, i) => wrapAtoms(cells[i] ?? [], width));
  const height = Math.max(1, ...wrapped.map((lines) => lines.length));
  return Array.from({ length: height }, (_, k) =>
    joinSpans([border('│ '), ...wrapped.flatMap((lines, i) => [...(i > 0 ? [border(' │ ')] : []), ...pad(lines[k] ?? [], widths[i], align[i])]), border(' │')]),
  );
}

/** The table in a box; body rows are ruled apart when one of them takes more than one line. */
function boxTable(table: TableCells, widths: number[]): Line[] {
  const body = table.rows.map((cells) => boxRow(cells, widths, table.align));
  const ruled = body.some((lines) => lines.length > 1);
  return [
    rule(widths, '┌┬┐'),
    ...boxRow(table.header, widths, table.align),
    rule(widths, '├┼┤'),
    ...body.flatMap((lines, i) => (ruled && i > 0 ? [rule(widths, '├┼┤'), ...lines] : lines)),
    rule(widths, '└┴┘'),
  ];
}

/** A cell with its column's name before it: `name: value`. */
function field(name: Atom[], value: Atom[]): Atom[] {
  if (name.length === 0) return value;
  return [...name, { kind: 'text', span: { text: ':', bold: true } }, { kind: 'space', span: { text: ' ' } }, ...value];
}

/**
 * The table as a list, for a width its columns do not fit: one item per row,
 * one `name: value` line per cell (empty cells left out but the first).
 */
function recordTable(table: TableCells, width: number): Line[] {
  return table.rows.flatMap((cells) =>
    cells.flatMap((value, i) => {
      if (i > 0 && value.length === 0) return [];
      return prefixLines(wrapAtoms(field(table.header[i] ?? [], value), Math.max(width - 4, 1)), border(i === 0 ? '• ' : '  '), { text: '    ' });
    }),
  );
}

/**
 * A Markdown table laid out in `width` columns: in a box when its columns fit,
 * wrapping cells at spaces as needed; otherwise as a list of rows, one
 * `name: value` line per cell.
 */
export function layoutTable(table: TableCells, width: number): Line[] {
  const columns = table.header.map((head, i) => [head, ...table.rows.map((row) => row[i] ?? [])]);
  const widths = fitColumns(columns, width - (3 * columns.length + 1));
  return widths ? boxTable(table, widths) : recordTable(table, width);
}
