import type { ChalkInstance } from 'chalk';
import { Lexer, type Token, type Tokens } from 'marked';
import { t } from '../i18n/i18n.js';
import { escapeTerminalLine } from './escape.js';
import { styleLine, type Line, type Span } from './lines.js';
import { displayWidth } from './text-width.js';
import { isPictureKind, type PictureKind } from '../core/authoring/lesson-pictures.js';
import { drawPicture } from './markdown-pictures.js';
import { layoutTable } from './markdown-table.js';
import { codeAtoms, prefixLines, proseAtoms, wrapAtoms, type Atom, type Style } from './wrap.js';

/**
 * One terminal row of a rendered Markdown document. `verbatim` rows come from
 * code blocks: they are printed as written, never wrapped, and may be wider
 * than the width asked for.
 */
export interface MarkdownRow {
  line: Line;
  verbatim: boolean;
}

/** How inline code and code blocks look: the colour a reader tells code by. */
export const codeStyle: Style = { color: 'yellow' };

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", nbsp: '\u00a0' };

/** Text with the HTML entities Markdown authors write (`&amp;`, `&lt;`…) decoded. */
function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (_, name: string) => entities[name]);
}

/** Inline tokens as atoms, each with `style` and its own emphasis, code or link style on top. */
export function inlineAtoms(tokens: Token[], style: Style = {}): Atom[] {
  return tokens.flatMap((token) => tokenAtoms(token, style));
}

function tokenAtoms(token: Token, style: Style): Atom[] {
  switch (token.type) {
    case 'strong':
      return inlineAtoms(token.tokens ?? [], { ...style, bold: true });
    case 'em':
      return inlineAtoms(token.tokens ?? [], { ...style, italic: true });
    case 'del':
      return inlineAtoms(token.tokens ?? [], { ...style, dim: true });
    case 'codespan':
      return codeAtoms(decodeEntities(token.text), { ...style, ...codeStyle });
    case 'br':
      return [{ kind: 'break' }];
    case 'html':
      return inlineHtml(token.text, style);
    case 'link':
      return linkAtoms(token as Tokens.Link, style);
    case 'image':
      return proseAtoms(`[${token.text || t`image`}]`, { ...style, dim: true });
    case 'text':
      return token.tokens ? inlineAtoms(token.tokens, style) : proseAtoms(decodeEntities(token.text), style);
    default:
      return proseAtoms(decodeEntities('text' in token && typeof token.text === 'string' ? token.text : token.raw), style);
  }
}

/** An inline HTML tag: `<br>` breaks the line, other tags are left out (their content is text of its own); anything else is text. */
function inlineHtml(html: string, style: Style): Atom[] {
  if (/^<br\s*\/?>$/i.test(html)) return [{ kind: 'break' }];
  return /^<\/?[a-z][^>]*>$/i.test(html) ? [] : proseAtoms(html, style);
}

/** A link's text, then its address in brackets when the text does not already show it. */
function linkAtoms(link: Tokens.Link, style: Style): Atom[] {
  const text = inlineAtoms(link.tokens, { ...style, color: 'blue', underline: true });
  if (link.text === link.href || `mailto:${link.text}` === link.href) return text;
  return [...text, { kind: 'space', span: { text: ' ', ...style } }, ...proseAtoms(`(${link.href})`, { ...style, dim: true })];
}

const headingStyles: Record<number, Style> = { 1: { bold: true, underline: true }, 2: { bold: true, color: 'cyan' } };

/** Rows of prose: the atoms wrapped to `width`. */
function prose(atoms: Atom[], width: number): MarkdownRow[] {
  return wrapAtoms(atoms, width).map((line) => ({ line, verbatim: false }));
}

/** The names of the languages a code block is labelled with, by the fence's info string. */
const languageNames: Record<string, string> = { python: 'Python', py: 'Python', js: 'JavaScript', javascript: 'JavaScript', ts: 'TypeScript', typescript: 'TypeScript', sh: 'shell', bash: 'shell' };

/**
 * A code block as written, tabs as spaces, indented by four columns, or by
 * two when four would take it past `width`; a block in a language named
 * above gets a dim label line, so a Python block and a JavaScript one side by side are told apart.
 */
function codeBlock(text: string, width: number, lang?: string): MarkdownRow[] {
  const rows = text.split('\n').map((row) => escapeTerminalLine(row.replace(/\t/g, '    ').trimEnd()));
  const margin = Math.max(0, ...rows.map(displayWidth)) + 4 <= width ? '    ' : '  ';
  const label = lang && languageNames[lang.toLowerCase()];
  const code = rows.map((shown) => ({ line: shown ? [{ text: margin }, { text: shown, ...codeStyle }] : [], verbatim: true }));
  return label ? [{ line: [{ text: margin.slice(2) }, { text: label, dim: true }], verbatim: true }, ...code] : code;
}

/** A picture block (```heatmap, ```bars) drawn, verbatim; a malformed one as a code block and a dim line saying what is wrong. */
function picture(kind: PictureKind, text: string, width: number): MarkdownRow[] {
  const drawn = drawPicture(kind, text, width);
  if ('lines' in drawn) return drawn.lines.map((line) => ({ line, verbatim: true }));
  return [...codeBlock(text, width), ...prose(proseAtoms(`${kind}: ${drawn.problem}`, { dim: true }), width)];
}

/** `rows` beside a list item's marker: the first row starts with it, the others under the item's text. */
function besideMarker(rows: MarkdownRow[], marker: Span): MarkdownRow[] {
  const lines = prefixLines(rows.map((row) => row.line), marker);
  return rows.map((row, i) => ({ ...row, line: lines[i] }));
}

/** A block quote's rows behind a bar, blank rows included. */
function quote(rows: MarkdownRow[]): MarkdownRow[] {
  const bar = { text: '│', dim: true };
  return rows.map((row) => ({ ...row, line: row.line.length ? [{ ...bar, text: '│ ' }, ...row.line] : [bar] }));
}

const blank: MarkdownRow = { line: [], verbatim: false };

/** The marker of a list item: `•`, or its number right-aligned to `width` columns; a task item's box after it. */
function itemMarker(list: Tokens.List, index: number, width: number): string {
  const marker = list.ordered ? `${Number(list.start || 1) + index}.`.padStart(width) : '•';
  const item = list.items[index];
  return item.task ? `${marker} [${item.checked ? 'x' : ' '}] ` : `${marker} `;
}

/** A list: each item's blocks laid out beside its marker, continuation lines under the item's text. */
function list(token: Tokens.List, width: number): MarkdownRow[] {
  const numberWidth = token.ordered ? `${Number(token.start || 1) + token.items.length - 1}.`.length : 1;
  return token.items.flatMap((item, i) => {
    const marker = itemMarker(token, i, numberWidth);
    const body = blocks(item.tokens, Math.max(width - marker.length, 1), item.loose);
    const rows = besideMarker(body.length ? body : [blank], { text: marker, dim: !token.ordered });
    return i > 0 && token.loose ? [blank, ...rows] : rows;
  });
}

/** A table's cells as atoms (the header's bold), laid out by {@link layoutTable}. */
function table(token: Tokens.Table, width: number): MarkdownRow[] {
  const header = token.header.map((cell) => inlineAtoms(cell.tokens, { bold: true }));
  const rows = token.rows.map((row) => row.map((cell) => inlineAtoms(cell.tokens)));
  return layoutTable({ header, rows, align: token.align }, width).map((line) => ({ line, verbatim: false }));
}

/** One block token as rows that fit `width` (but code blocks, which are verbatim). */
function block(token: Token, width: number): MarkdownRow[] {
  switch (token.type) {
    case 'space':
    case 'def':
      return [];
    case 'heading':
      return prose(inlineAtoms(token.tokens ?? [], headingStyles[token.depth] ?? { bold: true }), width);
    case 'paragraph':
    case 'text':
      return prose(token.tokens ? inlineAtoms(token.tokens) : proseAtoms(decodeEntities(token.text), {}), width);
    case 'code':
      return isPictureKind(token.lang) ? picture(token.lang, token.text, width) : codeBlock(token.text, width, token.lang);
    case 'blockquote':
      return quote(blocks(token.tokens ?? [], Math.max(width - 2, 1), true));
    case 'list':
      return list(token as Tokens.List, width);
    case 'table':
      return table(token as Tokens.Table, width);
    case 'hr':
      return [{ line: [{ text: '─'.repeat(width), dim: true }], verbatim: false }];
    case 'html':
      return /^\s*<!--/.test(token.text) ? [] : prose(proseAtoms(token.text, {}), width);
    default:
      return prose(proseAtoms(token.raw, {}), width);
  }
}

/** Blocks one under the other; `separate` puts a blank row between them (a tight list item's text and its sub-list have none). */
function blocks(tokens: Token[], width: number, separate: boolean): MarkdownRow[] {
  const laid = tokens.map((token) => block(token, width)).filter((rows) => rows.length > 0);
  return laid.flatMap((rows, i) => (i > 0 && separate ? [blank, ...rows] : rows));
}

/**
 * A Markdown document laid out for a terminal `width` columns wide: prose
 * wrapped at spaces (a word is cut only when it alone is wider), list items'
 * continuation lines under their text, tables fitted to the width or shown
 * row by row, code blocks verbatim. Markers (`**`, `` ` ``, `#`) are replaced
 * by styles; every text is escaped for the terminal.
 */
export function layoutMarkdown(markdown: string, width: number): MarkdownRow[] {
  return blocks(new Lexer().lex(markdown), Math.max(width, 1), true);
}

/** {@link layoutMarkdown} as text, styled with `chalk` (plain when its level is 0), without a final newline. */
export function renderMarkdown(markdown: string, chalk: ChalkInstance, width: number): string {
  return layoutMarkdown(markdown, width)
    .map((row) => styleLine(row.line, chalk))
    .join('\n');
}
