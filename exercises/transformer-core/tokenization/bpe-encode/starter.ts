/**
 * tokenization/bpe-encode — turn text into token ids with a learned merge list.
 *
 *   encode(text, merges) → ids, where merges[k] = [left, right] joins two ids
 *   into the id 256 + k. The merge's index k is its rank: lower ranks were
 *   learned first and are applied first.
 *
 * Conventions:
 * - Start from the UTF-8 bytes of the text (new TextEncoder().encode(text)):
 *   ids 0..255. Not charCodeAt: "é" is the two bytes [195, 169].
 * - Repeat: among the adjacent pairs of the current sequence that have a merge,
 *   take the one with the lowest rank k and replace all its occurrences by
 *   256 + k, left to right without overlap ("aaa" → [Z, a]). Stop when no
 *   adjacent pair has a merge.
 * - An empty text gives [].
 * Example: encode("aaabdaaabac", [[97, 97], [256, 97], [257, 98]]) → [258, 100, 258, 97, 99].
 * Run `llm-tutor lesson tokenization/bpe-encode` for the lesson, `llm-tutor hint` for a hint.
 */
export function encode(text: string, merges: [number, number][]): number[] {
  throw new Error('not implemented');
}
