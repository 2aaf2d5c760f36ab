/**
 * tokenization/bpe-train — learn a byte-level BPE merge list from a text.
 *
 *   trainBpe(text, vocabSize) → merges, where merges[k] = [left, right] is the
 *   pair of ids that merge k joins into the new id 256 + k.
 *
 * Conventions:
 * - Start from the UTF-8 bytes of the text (new TextEncoder().encode(text)):
 *   ids 0..255. Not charCodeAt: "é" is the two bytes [195, 169].
 * - Do vocabSize − 256 rounds at most. Each round: count every adjacent pair of
 *   the current sequence (overlapping occurrences count: in "aaa" the pair
 *   (a, a) counts 2), take the most frequent pair, record it, and replace its
 *   occurrences by 256 + k, left to right without overlap ("aaa" → [Z, a]).
 * - A tie goes to the pair whose first occurrence is earliest in the current
 *   sequence (Karpathy's minbpe).
 * - A pair seen only once may still be merged. Stop early only when no pair is
 *   left (fewer than two tokens).
 * Example: trainBpe("aaabdaaabac", 259) → [[97, 97], [256, 97], [257, 98]].
 * Run `llm-tutor lesson tokenization/bpe-train` for the lesson, `llm-tutor hint` for a hint.
 */
export function trainBpe(text: string, vocabSize: number): [number, number][] {
  throw new Error('not implemented');
}
