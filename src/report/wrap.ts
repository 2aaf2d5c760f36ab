import stringWidth from 'string-width';
import type { Line, Span } from './lines.js';

/** Columns a string takes in a terminal (a CJK character takes two). */
export function textWidth(text: string): number {
  return stringWidth(text);
}

/** `text` cut to `width` columns, ending in `…` when cut. */
export function truncateText(text: string, width: number): string {
  if (width <= 0) return '';
  if (textWidth(text) <= width) return text;
  let out = '';
  let used = 0;
  for (const char of text) {
    const w = textWidth(char);
    if (used + w > width - 1) break;
    out += char;
    used += w;
  }
  return `${out}…`;
}

/** Splits a word longer than `width` into pieces of at most `width` columns. */
function splitLong(word: string, width: number): string[] {
  const pieces: string[] = [];
  let piece = '';
  for (const char of word) {
    if (textWidth(piece + char) > width && piece !== '') {
      pieces.push(piece);
      piece = '';
    }
    piece += char;
  }
  if (piece !== '') pieces.push(piece);
  return pieces;
}

/**
 * One paragraph wrapped at spaces to rows of at most `width` columns (a word
 * longer than a row is split); `indent` starts every row after the first.
 */
export function wrapText(text: string, width: number, indent = ''): string[] {
  const rows: string[] = [];
  const room = Math.max(1, width);
  let row = '';
  for (const word of text.split(/ +/).filter((w) => w !== '')) {
    const prefix = rows.length === 0 ? '' : indent;
    const candidate = row === '' ? `${prefix}${word}` : `${row} ${word}`;
    if (textWidth(candidate) <= room) {
      row = candidate;
      continue;
    }
    if (row !== '') rows.push(row);
    const start = rows.length === 0 ? '' : indent;
    const pieces = splitLong(word, Math.max(1, room - textWidth(start)));
    for (const piece of pieces.slice(0, -1)) rows.push(`${start}${piece}`);
    row = `${start}${pieces[pieces.length - 1] ?? ''}`;
  }
  if (row !== '' || rows.length === 0) rows.push(row);
  return rows;
}

/** Text with one style, wrapped into lines of at most `width` columns; each line of the text is its own paragraph. */
export function wrapLines(text: string, width: number, style: Omit<Span, 'text'> = {}, indent = ''): Line[] {
  return text.split('\n').flatMap((paragraph) => wrapText(paragraph, width, indent).map((row) => [{ text: row, ...style }]));
}

/** A line cut to `width` columns (spans after the cut dropped, the last one ending in `…`). */
export function truncateLine(row: Line, width: number): Line {
  const out: Line = [];
  let used = 0;
  for (const span of row) {
    const w = textWidth(span.text);
    if (used + w <= width) {
      out.push(span);
      used += w;
      continue;
    }
    out.push({ ...span, text: truncateText(span.text, width - used) });
    break;
  }
  return out;
}
