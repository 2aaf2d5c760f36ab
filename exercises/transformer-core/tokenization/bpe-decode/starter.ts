/**
 * tokenization/bpe-decode — turn token ids back into text.
 *
 *   decode(ids, merges) → text, where merges[k] = [left, right] says that the
 *   id 256 + k stands for the bytes of `left` followed by the bytes of `right`.
 *
 * Conventions:
 * - Ids 0..255 are single bytes. A merged id expands to its two ids, which may
 *   themselves be merged ids: expand until only bytes remain.
 * - Decode the bytes of all the ids together as UTF-8. A character may be split
 *   across two tokens; an invalid or cut-off sequence becomes U+FFFD ("�"),
 *   as new TextDecoder().decode(...) does by default (it does not throw).
 * - Not String.fromCharCode per byte: "é" is the two bytes [195, 169].
 * Example: decode([258, 100, 258, 97, 99], [[97, 97], [256, 97], [257, 98]]) → "aaabdaaabac".
 * Run `llm-tutor lesson tokenization/bpe-decode` for the lesson, `llm-tutor hint` for a hint.
 */
export function decode(ids: number[], merges: [number, number][]): string {
  throw new Error('not implemented');
}
