/**
 * tokenization/gpt2-pretokenize — model solution (the pattern of GPT-2's encoder.py).
 * The alternatives are tried in order at each position, and the first one that
 * matches wins. The g flag returns every match; the u flag makes \p{L} and
 * \p{N} mean Unicode letters and numbers.
 */
const GPT2_PATTERN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

export function pretokenize(text: string): string[] {
  return text.match(GPT2_PATTERN) ?? [];
}
