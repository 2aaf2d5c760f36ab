import { eastAsianWidth } from 'get-east-asian-width';

// Made on first use: creating a segmenter loads ICU's break data (about 15 ms), which ASCII-only output never needs.
let graphemes: Intl.Segmenter | undefined;
// Characters a terminal draws in no column of their own: combining marks, joiners, format controls.
const invisible = /^[\p{Default_Ignorable_Code_Point}\p{Control}\p{Format}\p{Mn}\p{Me}]+$/u;
// An emoji drawn as a picture takes two columns, whatever its code point's East Asian width says.
const emoji = /\p{Emoji_Presentation}|\p{Extended_Pictographic}\ufe0f/u;

/** The columns one grapheme (a user-perceived character) takes in a terminal: 0, 1 or 2. */
function graphemeWidth(grapheme: string): number {
  if (invisible.test(grapheme)) return 0;
  if (emoji.test(grapheme)) return 2;
  return eastAsianWidth(grapheme.codePointAt(0) ?? 0);
}

/**
 * Texts measured lately: a screen measures the same lines again on every frame, and segmenting a line that is not
 * plain ASCII (a lesson's "·", "—" or "≤" is enough) costs far more than looking it up. Emptied when full.
 */
const measured = new Map<string, readonly { grapheme: string; width: number }[]>();
const measuredLimit = 4096;

/** The graphemes of `text` with the columns each takes in a terminal (the list is shared: do not change it). */
export function graphemeWidths(text: string): readonly { grapheme: string; width: number }[] {
  let widths = measured.get(text);
  if (!widths) {
    graphemes ??= new Intl.Segmenter();
    widths = Object.freeze(Array.from(graphemes.segment(text), ({ segment }) => Object.freeze({ grapheme: segment, width: graphemeWidth(segment) })));
    if (measured.size >= measuredLimit) measured.clear();
    measured.set(text, widths);
  }
  return widths;
}

/**
 * The columns `text` takes in a terminal: CJK and emoji count two, combining
 * marks none. `text` holds no escape sequences or tabs (styles are added after
 * layout).
 */
export function displayWidth(text: string): number {
  // Most text is printable ASCII, one column a character.
  if (/^[\x20-\x7e]*$/.test(text)) return text.length;
  return graphemeWidths(text).reduce((sum, g) => sum + g.width, 0);
}
