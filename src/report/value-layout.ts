/**
 * Named values laid out as lines that fit a width: a case's arguments and the
 * reference's intermediate values, for the screen and the reporters alike.
 * A title line (`mask  boolean[4][6]`), then the value: a grid with row and
 * column indices for a tensor (masks as ■/□), tokens for a list of strings,
 * quoted text for a string, one entry per field for an object. What does not
 * fit is elided in the middle, with `…` where rows, columns or items are left out.
 */
import { plural } from '../core/common/words.js';
import { t } from '../i18n/i18n.js';
import type { CaseResult } from '../core/grading/verdict.js';
import { formatNumber } from '../core/grading/tensor-diff.js';
import { keptIndices, numberOf, previewType, type NamedPreview, type PreviewSlice, type PreviewText, type ValuePreview } from '../core/grading/value-preview.js';
import { sliceLabel } from './diff-layout.js';
import { escapeTerminalLine } from './escape.js';
import type { Line, Span } from './lines.js';
import { displayWidth } from './text-width.js';
import { cutLine, lineWidth } from './wrap.js';

export interface ValueLayoutOptions {
  /** Show everything the preview kept (up to 12 × 12 elements, 4 slices, 12 items) instead of at most 6 × 8, 2 slices and 4 items. */
  expanded: boolean;
}

/** How much of a preview a layout shows. */
interface Shown {
  rows: number;
  cols: number;
  slices: number;
  items: number;
  tokens: number;
  chars: number;
}

const compactShown: Shown = { rows: 6, cols: 8, slices: 2, items: 4, tokens: 8, chars: 80 };
const expandedShown: Shown = { rows: 12, cols: 12, slices: 4, items: 12, tokens: 12, chars: 200 };

const INDENT = 2;
const ELLIPSIS = '…';

const width = displayWidth;
const padStart = (text: string, n: number) => ' '.repeat(Math.max(0, n - width(text))) + text;

/** A line cut to `max` columns, its last visible character a dimmed `…` when something was cut. */
export function fitLine(row: Line, max: number): Line {
  if (lineWidth(row) <= max) return row;
  return max > 0 ? [...cutLine(row, max - 1), { text: ELLIPSIS, dim: true }] : [];
}

/** A string in double quotes, escaped (control and invisible characters made visible), `…` where its middle was left out; at most `most` of its characters. */
export function quoteText(text: PreviewText, most = Infinity): string {
  const quoted = (points: string[]) => escapeTerminalLine(JSON.stringify(points.join('')).slice(1, -1));
  const head = Array.from(text.head);
  const tail = Array.from(text.tail);
  if (tail.length === 0 && head.length <= most) return `"${quoted(head)}"`;
  const keep = Math.min(most, head.length + tail.length);
  const fromHead = Math.ceil(keep / 2);
  const fromTail = keep - fromHead;
  const source = tail.length > 0 ? tail : head;
  return `"${quoted(head.slice(0, fromHead))}${ELLIPSIS}${quoted(source.slice(source.length - fromTail))}"`;
}

/** A number or a boolean element: compact number text, ■ for true and □ for false. */
function cellText(x: PreviewSlice['cells'][number][number]): Span {
  if (typeof x === 'boolean') return x ? { text: '■' } : { text: '□', dim: true };
  const n = numberOf(x);
  return Number.isFinite(n) ? { text: formatNumber(n) } : { text: formatNumber(n), color: 'yellow' };
}

/** A scalar or short text inline: `16`, `true`, `"hello"`; undefined for a value that needs lines of its own. */
function inlineText(value: ValuePreview, shown: Shown): Span | undefined {
  if (value.kind === 'number') return cellText(value.value);
  if (value.kind === 'boolean') return { text: String(value.value) };
  if (value.kind === 'string') return { text: quoteText(value, shown.chars) };
  if (value.kind === 'other') return { text: escapeTerminalLine(value.text), dim: true };
  return undefined;
}

/** At most `most` of the `kept` indices (of `size`), taken from both ends, and where runs of left-out indices sit: before position i of `indices`, or at `indices.length` for after the last. */
function showEnds(kept: number[], most: number, size: number): { indices: number[]; gaps: Set<number> } {
  const indices = keptIndices(kept.length, Math.max(1, most)).map((i) => kept[i]);
  const gaps = new Set<number>();
  indices.forEach((index, i) => {
    if (index !== (i === 0 ? 0 : indices[i - 1] + 1)) gaps.add(i);
  });
  if (indices.length > 0 && indices[indices.length - 1] < size - 1) gaps.add(indices.length);
  return { indices, gaps };
}

/** One 2-D slice (a vector: one row, no row labels) as a grid with column indices above and row indices on the left. */
function gridLines(slice: PreviewSlice, shape: number[], shown: Shown, room: number): Line[] {
  const vector = shape.length === 1;
  const [nRows, nCols] = vector ? [1, shape[0]] : shape.slice(-2);
  const rows = vector ? { indices: [0], gaps: new Set<number>() } : showEnds(slice.rows, shown.rows, nRows);
  const cell = (r: number, c: number) => cellText(slice.cells[slice.rows.indexOf(r)][slice.cols.indexOf(c)]);
  const labelWidth = vector ? 0 : Math.max(...rows.indices.map((r) => String(r).length), rows.gaps.size > 0 ? 1 : 0);
  const cellWidth = Math.max(1, ...slice.cols.map((c) => String(c).length), ...rows.indices.flatMap((r) => slice.cols.map((c) => width(cell(r, c).text))));
  // Each cell takes a space and cellWidth; each run of left-out columns, " …".
  const lineWidth = (n: number) => labelWidth + n * (cellWidth + 1) + 2 * showEnds(slice.cols, n, nCols).gaps.size;
  let most = Math.min(shown.cols, slice.cols.length);
  while (most > 1 && lineWidth(most) > room) most--;
  const cols = showEnds(slice.cols, most, nCols);
  const gapAt = (i: number): Span[] => (cols.gaps.has(i) ? [{ text: ` ${ELLIPSIS}`, dim: true }] : []);
  const across = (label: Span, cells: (c: number) => Span): Line => [
    label,
    ...cols.indices.flatMap((c, i) => {
      const text = cells(c);
      return [...gapAt(i), { ...text, text: padStart(text.text, cellWidth + 1) }];
    }),
    ...gapAt(cols.indices.length),
  ];
  const lines: Line[] = [across({ text: ' '.repeat(labelWidth) }, (c) => ({ text: String(c), dim: true }))];
  const gapRow = (): Line => [{ text: padStart(ELLIPSIS, labelWidth), dim: true }];
  rows.indices.forEach((r, i) => {
    if (rows.gaps.has(i)) lines.push(gapRow());
    lines.push(across({ text: padStart(vector ? '' : String(r), labelWidth), dim: true }, (c) => cell(r, c)));
  });
  if (rows.gaps.has(rows.indices.length)) lines.push(gapRow());
  return lines;
}

/** A tensor's slices: each under its leading indices (`[1, :, :]`) for a rank above 2. */
function tensorLines(value: Extract<ValuePreview, { kind: 'tensor' }>, shown: Shown, room: number): Line[] {
  if (value.shape.includes(0)) return [[{ text: t`(empty)`, dim: true }]];
  if (value.slices.length === 0) return [[{ text: t`(rank ${value.shape.length}: its shape only)`, dim: true }]];
  if (value.shape.length <= 2) return gridLines(value.slices[0], value.shape, shown, room);
  const count = value.shape.slice(0, -2).reduce((n, d) => n * d, 1);
  const flat = (at: number[]) => at.reduce((n, i, d) => n * value.shape[d] + i, 0);
  const kept = value.slices.map((s) => flat(s.at));
  const { indices, gaps } = showEnds(kept, shown.slices, count);
  const lines: Line[] = [];
  indices.forEach((f, i) => {
    if (gaps.has(i)) lines.push([{ text: ELLIPSIS, dim: true }]);
    const slice = value.slices[kept.indexOf(f)];
    lines.push([{ text: sliceLabel(slice.at), dim: true }], ...gridLines(slice, value.shape, shown, room));
  });
  if (gaps.has(indices.length)) lines.push([{ text: ELLIPSIS, dim: true }]);
  return lines;
}

/** Tokens one after another, wrapped to `room` columns: `"Hel" "lo" … "!"`. */
function stringsLines(value: Extract<ValuePreview, { kind: 'strings' }>, shown: Shown, room: number): Line[] {
  const { indices, gaps } = showEnds(value.items.map((t) => t.index), shown.tokens, value.length);
  const chips: Span[] = [];
  indices.forEach((index, i) => {
    if (gaps.has(i)) chips.push({ text: ELLIPSIS, dim: true });
    chips.push({ text: quoteText(value.items.find((t) => t.index === index)!, 24) });
  });
  if (gaps.has(indices.length)) chips.push({ text: ELLIPSIS, dim: true });
  const lines: Line[] = [];
  let current: Line = [];
  let used = 0;
  for (const chip of chips) {
    const w = width(chip.text);
    if (used > 0 && used + 1 + w > room) {
      lines.push(current);
      current = [];
      used = 0;
    }
    if (used > 0) {
      current.push({ text: ' ' });
      used += 1;
    }
    current.push(chip);
    used += w;
  }
  if (current.length > 0) lines.push(current);
  return lines;
}

/** A long string wrapped over lines of `room` columns. */
function textLines(value: PreviewText, shown: Shown, room: number): Line[] {
  const points = Array.from(quoteText(value, shown.chars));
  const step = Math.max(1, room);
  return Array.from({ length: Math.ceil(points.length / step) }, (_, i) => [{ text: points.slice(i * step, (i + 1) * step).join('') }]);
}

/** The entries of a list or the fields of an object, each laid out under its own name. */
function entriesLines(entries: NamedPreview[], hidden: number, shown: Shown, room: number): Line[] {
  const lines = entries.flatMap((entry) => namedLines(entry, shown, room, true));
  if (hidden > 0) lines.push([{ text: t`… ${hidden} more`, dim: true }]);
  return lines;
}

/** A list's items: `[0]`, `[1]`… kept from both ends. */
function listLines(value: Extract<ValuePreview, { kind: 'list' }>, shown: Shown, room: number): Line[] {
  const { indices } = showEnds(value.items.map((t) => t.index), shown.items, value.length);
  const entries = indices.map((index) => ({ name: `[${index}]`, value: value.items.find((t) => t.index === index)!.value }));
  const head = entries.slice(0, Math.ceil(entries.length / 2));
  const tail = entries.slice(head.length);
  const hidden = value.length - entries.length;
  return [...entriesLines(head, hidden, shown, room), ...entriesLines(tail, 0, shown, room)];
}

/** The lines under a value's title, or none for a value shown on the title line. */
function bodyLines(value: ValuePreview, shown: Shown, room: number): Line[] {
  switch (value.kind) {
    case 'tensor':
      return tensorLines(value, shown, room);
    case 'strings':
      return stringsLines(value, shown, room);
    case 'string':
      return textLines(value, shown, room);
    case 'list':
      return listLines(value, shown, room);
    case 'object':
      return entriesLines(value.fields, value.size - value.fields.length, shown, room);
    default:
      return [];
  }
}

function namedLines(named: NamedPreview, shown: Shown, room: number, nested = false): Line[] {
  const name: Span = { text: escapeTerminalLine(named.name), bold: true };
  const inline = inlineText(named.value, shown);
  if (inline && (named.value.kind !== 'string' || width(name.text) + 3 + width(inline.text) <= room)) return [fitLine([name, { text: ' = ' }, inline], room)];
  const value = named.value;
  const type = value.kind === 'string' ? t`string (${plural(value.length, 'character')})` : escapeTerminalLine(previewType(value));
  const received = value.kind === 'tensor' && value.receivedAs ? `  ${t`received as ${value.receivedAs}`}` : '';
  const title: Line = [name, { text: `  ${type}`, color: 'cyan' }, ...(received ? [{ text: received, dim: true }] : [])];
  const body = bodyLines(value, shown, room - INDENT);
  // An item of a list or a field whose tokens fit on one line goes beside its name: `[0]  "a" "b"`.
  if (nested && value.kind === 'strings' && body.length === 1 && width(name.text) + 2 + body[0].reduce((n, s) => n + width(s.text), 0) <= room) return [[name, { text: '  ' }, ...body[0]]];
  return [title, ...body.map((row) => [{ text: ' '.repeat(INDENT) }, ...row])].map((row) => fitLine(row, room));
}

/**
 * A named value as lines of at most `width` columns: a title line with its
 * name and type, then the value (compact: at most 6 × 8 elements; expanded:
 * everything the preview kept that fits the width). Scalars and short strings
 * take one line: `alpha = 16`.
 */
export function valueLines(named: NamedPreview, width: number, options: ValueLayoutOptions): Line[] {
  return namedLines(named, options.expanded ? expandedShown : compactShown, Math.max(1, width));
}

/** A case's arguments by name (its one-line `input` when it has no previews), each as {@link valueLines}. */
export function argumentLines(result: CaseResult, width: number, options: ValueLayoutOptions): Line[] {
  if (result.args) return result.args.flatMap((arg) => valueLines(arg, width, options));
  return result.input === undefined ? [] : [fitLine([{ text: t`input: `, dim: true }, { text: escapeTerminalLine(result.input) }], width)];
}

/** The reference's intermediate values for a case, in order, each as {@link valueLines}; none when the exercise names none. */
export function traceLines(result: CaseResult, width: number, options: ValueLayoutOptions): Line[] {
  return (result.trace ?? []).flatMap((value) => valueLines(value, width, options));
}
