/**
 * tokenization/gpt2-pretokenize — split text into the chunks GPT-2 runs BPE on.
 *
 *   pretokenize(text) → the matches, in order, of GPT-2's pattern:
 *
 *   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
 *
 * Conventions:
 * - \p{L} is any letter (é, 中, Ω), \p{N} any digit or number sign (٣, ½); in
 *   JavaScript they need the u flag. A chunk is a contraction, or an optional
 *   single space followed by a run of letters, of digits, or of other symbols,
 *   or a run of whitespace.
 * - Contractions are case-sensitive: "don't" gives " don", "'t", but in
 *   "DON'T" the "'" and the "T" are chunks of their own.
 * - A run of spaces before a word leaves its last space to the word:
 *   "Hello  world" → ["Hello", " ", " world"].
 * - The chunks put back together give the text; an empty text gives [].
 * Example: pretokenize("I'M don't 12345") → ["I", "'", "M", " don", "'t", " 12345"].
 * Run `llm-tutor lesson tokenization/gpt2-pretokenize` for the lesson, `llm-tutor hint` for a hint.
 */
export function pretokenize(text: string): string[] {
  throw new Error('not implemented');
}
