/**
 * tokenization/gpt2-encode — GPT-2's tokenizer: text → token ids, with the real vocabulary.
 *
 *   encodeGpt2(text, bpe) = the ids openai/gpt-2's encoder.encode(text) returns
 *
 *   bpe.merges  the 50000 merges of vocab.bpe, in rank order: merges[r] = [a, b]
 *               means "a" followed by "b" becomes "a" + "b", and r is its rank
 *               (lower = learned earlier = applied first)
 *   bpe.vocab   encoder.json: token string → id, 50257 entries (256 bytes,
 *               50000 merges, and "<|endoftext|>" = 50256)
 *
 * For each piece of the text, in order:
 * 1. Pre-tokenize into GPT-2's chunks, as tokenization/gpt2-pretokenize does (you
 *    may import your pretokenize from './gpt2-pretokenize.js', beside this file).
 * 2. Take the piece's UTF-8 bytes and turn each byte into one character with
 *    bytes_to_unicode: bytes 33–126, 161–172 and 174–255 stay themselves, the other
 *    68 become U+0100, U+0101, ... in byte order (space → "Ġ", "\n" → "Ċ").
 * 3. BPE: repeatedly merge the adjacent pair of lowest rank (every occurrence of it,
 *    left to right) until no adjacent pair is in merges.
 * 4. Look each resulting symbol up in vocab.
 *
 * "<|endoftext|>" inside the text is plain text here, as in encoder.py.
 * The same bpe object comes with every call: build your lookup tables from it
 * once per call (a Map of ranks), not once per pair.
 * Run `llm-tutor lesson tokenization/gpt2-encode` for the lesson, `llm-tutor hint` for a hint.
 */
export function encodeGpt2(text: string, bpe: { merges: [string, string][]; vocab: Record<string, number> }): number[] {
  throw new Error('not implemented');
}
