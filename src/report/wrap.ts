import { plainText, type Line, type Span } from './lines.js';
import { displayWidth, graphemeWidths } from './text-width.js';
import { escapeTerminalLine } from './escape.js';

/** A span's style, without its text. */
export type Style = Omit<Span, 'text'>;

/**
 * Inline text ready to be wrapped: runs of visible text, the spaces where a
 * line may break, and forced breaks. Text in an atom is escaped for the
 * terminal ({@link escapeTerminalLine}) and holds no newline or tab.
 */
export type Atom = { kind: 'text'; span: Span } | { kind: 'space'; span: Span } | { kind: 'break' };

/** Spans printed with no break between them, the space before them, and the columns they take. */
interface Word {
  spans: Span[];
  width: number;
  space?: Span;
  breakBefore: boolean;
}

/** Characters of CJK text: ideographs, kana, hangul and the full-width forms and punctuation. */
const cjkChar = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3000-\u303f\uff00-\uffef]/u;
/** Punctuation a line may not start with (，。 and closing brackets), and that it may not end with (opening brackets). */
const noLineStart = /^[，。、：；？！）」』】》〉,.:;?!)\]}%…·～]/u;
const noLineEnd = /[（「『【《〈(\[{]$/u;
/** ASCII punctuation binds to its neighbours: `"中",` in English text is one word. */
const asciiPunctuation = /^[!-/:-@[-`{-~]$/;

/**
 * A run of text with no whitespace cut where a line may break inside it:
 * CJK text has no spaces, so a line may break between any two characters of
 * it, but not before a comma or a closing bracket, nor after an opening one,
 * nor next to ASCII punctuation. Latin words inside stay whole.
 */
export function lineBreakPieces(word: string): string[] {
  if (!cjkChar.test(word)) return [word];
  const pieces: string[] = [];
  let current = '';
  for (const ch of word) {
    const before = current.slice(-1);
    // Between two CJK characters, or a CJK character and a letter or digit.
    const joinable = (a: string, b: string) => cjkChar.test(a) && (cjkChar.test(b) || /[\p{L}\p{N}]/u.test(b));
    const canBreak = current !== '' && (joinable(before, ch) || joinable(ch, before)) && !asciiPunctuation.test(ch) && !asciiPunctuation.test(before) && !noLineStart.test(ch) && !noLineEnd.test(current);
    if (canBreak) {
      pieces.push(current);
      current = ch;
    } else current += ch;
  }
  if (current !== '') pieces.push(current);
  return pieces;
}

/**
 * Prose as atoms: its words, escaped, and one space wherever it had
 * whitespace (newlines included; a no-break space is part of its word). A
 * line may also break inside CJK text ({@link lineBreakPieces}), where the
 * break prints nothing; a newline between two CJK characters is no space.
 */
export function proseAtoms(text: string, style: Style): Atom[] {
  const atoms: Atom[] = [];
  const parts = text.split(/([^\S\u00a0]+)/).filter((part) => part !== '');
  parts.forEach((part, i) => {
    if (/^[^\S\u00a0]/.test(part)) {
      const joinsCjk = /\n/.test(part) && cjkChar.test(parts[i - 1]?.slice(-1) ?? '') && cjkChar.test(parts[i + 1]?.[0] ?? '');
      atoms.push({ kind: 'space', span: { text: joinsCjk ? '' : ' ', ...style } });
      return;
    }
    lineBreakPieces(part).forEach((piece, j) => {
      if (j > 0) atoms.push({ kind: 'space', span: { text: '', ...style } });
      atoms.push({ kind: 'text', span: { text: escapeTerminalLine(piece), ...style } });
    });
  });
  return atoms;
}

/**
 * Inline code as atoms: a line may break at its inner spaces, which are kept
 * as written; its leading and trailing spaces belong to the code (` ?\p{L}+`)
 * and stay attached to its first and last words.
 */
export function codeAtoms(text: string, style: Style): Atom[] {
  const flat = text.replace(/[\n\t]/g, ' ');
  const [, lead, core, trail] = /^( *)(.*?)( *)$/s.exec(flat) ?? ['', '', flat, ''];
  if (core === '') return flat === '' ? [] : [{ kind: 'text', span: { text: flat, ...style } }];
  const parts = core.split(/( +)/);
  parts[0] = lead + parts[0];
  parts[parts.length - 1] += trail;
  return parts.map((part, i) => ({ kind: i % 2 === 1 ? 'space' : 'text', span: { text: escapeTerminalLine(part), ...style } }));
}

/** Groups atoms into words: text atoms with no space between them print as one unbreakable word. */
function words(atoms: Atom[]): Word[] {
  const found: Word[] = [];
  let space: Span | undefined;
  let breakBefore = false;
  let current: Word | undefined;
  for (const atom of atoms) {
    if (atom.kind === 'break') {
      [current, space, breakBefore] = [undefined, undefined, true];
    } else if (atom.kind === 'space') {
      [current, space] = [undefined, space ?? atom.span];
    } else if (current) {
      current.spans.push(atom.span);
      current.width += displayWidth(atom.span.text);
    } else {
      current = { spans: [atom.span], width: displayWidth(atom.span.text), space, breakBefore };
      found.push(current);
      [space, breakBefore] = [undefined, false];
    }
  }
  return found;
}

/** The widest word of `atoms`, in columns: the narrowest width they wrap to without splitting a word. */
export function longestWord(atoms: Atom[]): number {
  return Math.max(0, ...words(atoms).map((w) => w.width));
}

/** A word longer than `width` cut into lines of at most `width` columns (by grapheme, keeping each span's style). */
function splitWord(spans: Span[], width: number): Line[] {
  const lines: Line[] = [[]];
  let used = 0;
  for (const span of spans) {
    for (const { grapheme, width: w } of graphemeWidths(span.text)) {
      if (used + w > width && used > 0) {
        lines.push([]);
        used = 0;
      }
      lines[lines.length - 1].push({ ...span, text: grapheme });
      used += w;
    }
  }
  return lines.map(joinSpans);
}

const styleKeys = ['color', 'bold', 'italic', 'dim', 'underline', 'inverse'] as const;

/** Neighbouring spans of one style merged into one span. */
export function joinSpans(row: Line): Line {
  const joined: Line = [];
  for (const span of row) {
    const last = joined[joined.length - 1];
    if (last && styleKeys.every((key) => last[key] === span[key])) joined[joined.length - 1] = { ...last, text: last.text + span.text };
    else joined.push({ ...span });
  }
  return joined;
}

/**
 * Atoms laid out in lines of at most `width` columns: greedy word wrap at
 * spaces; a word is cut only when it alone is wider than `width`. Returns no
 * line for no atoms.
 */
export function wrapAtoms(atoms: Atom[], width: number): Line[] {
  const lines: Line[] = [];
  let current: Span[] | undefined;
  let used = 0;
  for (const word of words(atoms)) {
    const spaceWidth = word.space ? displayWidth(word.space.text) : 0;
    if (current && !word.breakBefore && used + spaceWidth + word.width <= width) {
      current.push(...(word.space ? [word.space] : []), ...word.spans);
      used += spaceWidth + word.width;
      continue;
    }
    if (current) lines.push(joinSpans(current));
    const pieces = word.width <= width ? [word.spans] : splitWord(word.spans, width);
    lines.push(...pieces.slice(0, -1));
    current = [...pieces[pieces.length - 1]];
    used = lineWidth(current);
  }
  if (current) lines.push(joinSpans(current));
  return lines;
}

/** The columns a line takes. */
export function lineWidth(row: Line): number {
  return row.reduce((sum, span) => sum + displayWidth(span.text), 0);
}

/** `lines` shifted right: the first starts with `first`, the others with `rest` (as many spaces by default). Empty lines stay empty. */
export function prefixLines(lines: Line[], first: Span, rest: Span = { text: ' '.repeat(displayWidth(first.text)) }): Line[] {
  return lines.map((row, i) => (i === 0 ? [first, ...row] : row.length ? [rest, ...row] : []));
}

/** Columns a string takes in a terminal (a CJK character takes two): {@link displayWidth}. */
export const textWidth = displayWidth;

/** `text` followed by spaces up to `width` columns (a CJK character takes two): a width-aware `padEnd`. */
export function padEndText(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

/** Spaces, then `text`, up to `width` columns (a CJK character takes two): a width-aware `padStart`. */
export function padStartText(text: string, width: number): string {
  return ' '.repeat(Math.max(0, width - displayWidth(text))) + text;
}

/** `text` cut to `width` columns, ending in `…` when cut. */
export function truncateText(text: string, width: number): string {
  if (width <= 0) return '';
  if (displayWidth(text) <= width) return text;
  return `${plainText(cutLine([{ text }], width - 1))}…`;
}

/** Prose in one style wrapped to lines of at most `width` columns (each line of the text a paragraph of its own; an empty one stays as an empty line). */
export function wrapLines(text: string, width: number, style: Style = {}): Line[] {
  return text.split('\n').flatMap((paragraph) => {
    const rows = wrapAtoms(proseAtoms(paragraph, style), Math.max(1, width));
    return rows.length > 0 ? rows : [[]];
  });
}

/** The first `width` columns of a line, cut between graphemes (no mark where it was cut). */
export function cutLine(row: Line, width: number): Line {
  const out: Line = [];
  let left = Math.max(0, width);
  for (const span of row) {
    if (displayWidth(span.text) <= left) {
      out.push(span);
      left -= displayWidth(span.text);
      continue;
    }
    let text = '';
    for (const { grapheme, width: w } of graphemeWidths(span.text)) {
      if (w > left) break;
      text += grapheme;
      left -= w;
    }
    if (text) out.push({ ...span, text });
    break;
  }
  return out;
}

/** A line cut to `width` columns, ending in `…` (in the style of the span cut) when something was cut. */
export function truncateLine(row: Line, width: number): Line {
  if (lineWidth(row) <= width) return row;
  if (width <= 0) return [];
  const kept = cutLine(row, width - 1);
  // The `…` takes the style of the span the cut fell in: the first one not kept whole.
  const whole = kept.filter((span, i) => span.text === row[i].text).length;
  return [...kept, { ...row[Math.min(whole, row.length - 1)], text: '…' }];
}
