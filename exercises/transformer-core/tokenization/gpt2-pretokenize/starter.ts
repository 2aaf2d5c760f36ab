/**
 * tokenization/gpt2-pretokenize — split text into the chunks GPT-2 runs BPE on.
 *
 *   pretokenize(text) → the chunks of GPT-2's pre-tokenizer, in order. At each
 *   position, the first of these that can start there takes its chunk:
 *   1. a contraction: 's 't 're 've 'm 'll 'd (lower case only);
 *   2. an optional single space, then a run of letters;
 *   3. an optional single space, then a run of numbers;
 *   4. an optional single space, then a run of characters that are neither
 *      whitespace, letters nor numbers;
 *   5. a run of whitespace, which gives back its last character when
 *      something other than whitespace follows it.
 *
 * Conventions:
 * - \p{L} is any letter (é, 中, Ω), \p{N} any digit or number sign (٣, ½); in
 *   JavaScript they need the u flag. The optional space is U+0020 only: a
 *   newline or a tab never joins the next chunk.
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
