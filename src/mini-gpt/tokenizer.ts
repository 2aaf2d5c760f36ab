/**
 * The capstone models' character-level tokenizers. A tokenizer is its
 * vocabulary: token i is the string `vocab[i]` (one character), and an
 * optional unknown token stands for every character outside the vocabulary
 * (the Tang model keeps the most frequent few thousand characters).
 */
export interface CharTokenizer {
  kind: 'char';
  /** One character per token id. */
  vocab: string[];
  /** The id of the unknown token, if the vocabulary has one. */
  unk?: number;
}

/** Every character of a text, as code points (a CJK character outside the BMP is one character). */
export const charsOf = (text: string): string[] => Array.from(text);

/**
 * The Shakespeare model's vocabulary, as nanoGPT's shakespeare_char builds
 * it: every distinct character of the corpus, sorted by code point, no
 * unknown token.
 */
export function allCharsTokenizer(text: string): CharTokenizer {
  return { kind: 'char', vocab: [...new Set(charsOf(text))].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!) };
}

/**
 * The most frequent characters of `text` first (ties by code point), `size`
 * tokens in all with the unknown token `unkChar` last; `always` (such as the
 * newline and the punctuation) is kept whatever its rank.
 */
export function frequentCharsTokenizer(text: string, size: number, unkChar: string, always: readonly string[]): CharTokenizer {
  const counts = new Map<string, number>();
  for (const ch of charsOf(text)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].codePointAt(0)! - b[0].codePointAt(0)!).map(([ch]) => ch);
  const kept = [...always, ...ranked.filter((ch) => !always.includes(ch) && ch !== unkChar)].slice(0, size - 1);
  return { kind: 'char', vocab: [...kept, unkChar], unk: kept.length };
}

/** Token ids of a text; a character outside the vocabulary becomes the unknown token, or is an error without one. */
export function encode(tokenizer: CharTokenizer, text: string): number[] {
  const index = new Map(tokenizer.vocab.map((ch, i) => [ch, i]));
  return charsOf(text).map((ch) => {
    const id = index.get(ch) ?? tokenizer.unk;
    if (id === undefined) throw new Error(`the character ${JSON.stringify(ch)} is not in the model's vocabulary`);
    return id;
  });
}

/** The text of token ids. */
export const decode = (tokenizer: CharTokenizer, ids: readonly number[]): string => ids.map((id) => tokenizer.vocab[id] ?? '').join('');
