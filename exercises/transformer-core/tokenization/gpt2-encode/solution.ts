/**
 * tokenization/gpt2-encode — model solution, following openai/gpt-2's src/encoder.py.
 * Pre-tokenize with GPT-2's pattern; for each piece take its UTF-8 bytes, write
 * each byte as its bytes_to_unicode character, run BPE (lowest-ranked pair first,
 * every occurrence, until no pair is a merge) and look the symbols up in vocab.
 */
const PATTERN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** bytes_to_unicode: byte → the printable character that stands for it in the vocabulary. */
function byteCharacters(): string[] {
  const chars: string[] = [];
  let shifted = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
    chars.push(String.fromCharCode(printable ? b : 256 + shifted++));
  }
  return chars;
}

/** Merges the pieces' symbols, lowest rank first, until no adjacent pair is a merge. */
function bpe(symbols: string[], ranks: Map<string, number>): string[] {
  let word = symbols;
  while (word.length > 1) {
    let best = -1;
    let bestRank = Infinity;
    for (let i = 0; i + 1 < word.length; i++) {
      const rank = ranks.get(`${word[i]} ${word[i + 1]}`);
      if (rank !== undefined && rank < bestRank) {
        bestRank = rank;
        best = i;
      }
    }
    if (best < 0) break;
    const first = word[best];
    const second = word[best + 1];
    const next: string[] = [];
    for (let i = 0; i < word.length; i++) {
      if (i + 1 < word.length && word[i] === first && word[i + 1] === second) {
        next.push(first + second);
        i++; // the pair is consumed: occurrences do not overlap
      } else {
        next.push(word[i]);
      }
    }
    word = next;
  }
  return word;
}

export function encodeGpt2(text: string, bpeTable: { merges: [string, string][]; vocab: Record<string, number> }): number[] {
  const byteChars = byteCharacters();
  const ranks = new Map<string, number>();
  bpeTable.merges.forEach(([a, b], rank) => ranks.set(`${a} ${b}`, rank));
  const utf8 = new TextEncoder();
  const ids: number[] = [];
  for (const piece of text.match(PATTERN) ?? []) {
    const symbols = Array.from(utf8.encode(piece), (byte) => byteChars[byte]);
    for (const token of bpe(symbols, ranks)) ids.push(bpeTable.vocab[token]);
  }
  return ids;
}
