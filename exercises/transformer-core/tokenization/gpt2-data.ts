/// <reference types="node" />
// GPT-2's byte-level BPE tokenizer for the definition of tokenization/gpt2-encode:
// loading the shipped vocabulary (data/encoder.json and data/vocab.bpe, written by
// scripts/make-gpt2-fixture.mjs), and one encoder whose steps can each be swapped
// for a learner's classic mistake. Runs in the tutor's own process only.
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** What the learner's function receives: the merges in rank order and the token → id table. */
export interface Gpt2Bpe {
  merges: [string, string][];
  vocab: Record<string, number>;
}

const loaded = new Map<string, Gpt2Bpe>();

/**
 * Reads GPT-2's vocabulary from `<exerciseDir>/data`: encoder.json (token → id, 50257
 * entries) and vocab.bpe (a `#version` line, then one merge "a b" per line, in rank order).
 */
export function loadGpt2Bpe(exerciseDir: string): Gpt2Bpe {
  const cached = loaded.get(exerciseDir);
  if (cached) return cached;
  const dataDir = path.join(exerciseDir, 'data');
  const vocab = JSON.parse(readFileSync(path.join(dataDir, 'encoder.json'), 'utf8')) as Record<string, number>;
  const lines = readFileSync(path.join(dataDir, 'vocab.bpe'), 'utf8').split('\n');
  if (!lines[0].startsWith('#version')) throw new Error(`${dataDir}/vocab.bpe: the first line must be "#version: ..."`);
  const merges = lines
    .slice(1)
    .filter((line) => line !== '')
    .map((line) => {
      const space = line.indexOf(' ');
      return [line.slice(0, space), line.slice(space + 1)] as [string, string];
    });
  if (merges.length !== 50000 || Object.keys(vocab).length !== 50257) {
    throw new Error(`${dataDir}: expected 50000 merges and 50257 tokens, found ${merges.length} and ${Object.keys(vocab).length} (run scripts/make-gpt2-fixture.mjs)`);
  }
  const bpe: Gpt2Bpe = { merges, vocab };
  loaded.set(exerciseDir, bpe);
  return bpe;
}

/**
 * GPT-2's bytes_to_unicode: byte b → one printable character. The 188 bytes
 * '!'..'~', '¡'..'¬', '®'..'ÿ' stand for themselves; the other 68, in byte order,
 * become U+0100, U+0101, ... (space → 'Ġ' U+0120, '\n' → 'Ċ' U+010A).
 */
export function bytesToUnicode(): string[] {
  const chars = new Array<string>(256);
  const keep = (b: number) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  let n = 0;
  for (let b = 0; b < 256; b++) chars[b] = keep(b) ? String.fromCharCode(b) : String.fromCharCode(256 + n++);
  return chars;
}
const byteChars = bytesToUnicode();

const mergeIdsLoaded = new Map<Gpt2Bpe, [number, number][]>();

/**
 * GPT-2's merges as pairs of ids in the convention of the other tokenization
 * exercises: a byte is its own id (not GPT-2's id for it), and merge r makes
 * id 256 + r, as in GPT-2's vocabulary. Only the 256 byte tokens are one character long.
 */
export function gpt2MergeIds(bpe: Gpt2Bpe): [number, number][] {
  const cached = mergeIdsLoaded.get(bpe);
  if (cached) return cached;
  const byteOf = new Map(byteChars.map((c, b) => [c, b]));
  const idOf = (token: string) => (token.length === 1 ? byteOf.get(token)! : bpe.vocab[token]);
  const merges = bpe.merges.map(([a, b]) => [idOf(a), idOf(b)] as [number, number]);
  mergeIdsLoaded.set(bpe, merges);
  return merges;
}

/** GPT-2's pre-tokenizer (openai/gpt-2 src/encoder.py); the contractions are case-sensitive. */
export const GPT2_PATTERN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;
/** The same pattern with the `i` flag: "'S", "'M", "'LL" become contractions too (a mistake here). */
const caseInsensitivePattern = new RegExp(GPT2_PATTERN.source, 'giu');

/** Rank of each merge, keyed "a b"; rebuilt only when a different table comes in. */
let ranksCache: { key: string; ranks: Map<string, number> } | undefined;

/** A cheap fingerprint of a merge list: its length and a spread of its merges. */
function fingerprint(merges: [string, string][]): string {
  const sample: string[] = [String(merges.length)];
  for (let i = 0; i < merges.length; i += 499) sample.push(merges[i].join(' '));
  if (merges.length) sample.push(merges[merges.length - 1].join(' '));
  return sample.join('\0');
}

export function mergeRanks(bpe: Gpt2Bpe): Map<string, number> {
  const key = fingerprint(bpe.merges);
  if (ranksCache?.key !== key) ranksCache = { key, ranks: new Map(bpe.merges.map(([a, b], rank) => [`${a} ${b}`, rank])) };
  return ranksCache.ranks;
}

/** How a piece becomes the symbols BPE starts from. */
export type SymbolsRule =
  /** UTF-8 bytes, each through bytes_to_unicode (GPT-2). */
  | 'utf8'
  /** The piece's own characters, looked up as they are (bytes_to_unicode skipped). */
  | 'raw'
  /** Raw characters, with only ' ' replaced by 'Ġ' (a half-remembered bytes_to_unicode). */
  | 'raw-space'
  /** Raw characters, with ' ' → 'Ġ' and '\n' → 'Ċ'. */
  | 'raw-space-newline'
  /** charCodeAt of each UTF-16 unit (Latin-1 instead of UTF-8), through bytes_to_unicode. */
  | 'char-codes';

/** How the symbols of a piece are merged. */
export type MergeRule =
  /** Repeatedly merge the lowest-ranked adjacent pair, every occurrence left to right (GPT-2). */
  | 'lowest-rank'
  /** Repeatedly merge the leftmost adjacent pair that is a merge at all, whatever its rank. */
  | 'leftmost'
  /** One left-to-right sweep that merges each mergeable pair it meets, then stops. */
  | 'one-sweep';

export interface EncodeOptions {
  /** `gpt2`: GPT-2's pattern; `none`: the whole text is one piece; `case-insensitive`: the pattern with the i flag. */
  split?: 'gpt2' | 'none' | 'case-insensitive';
  /** True: "<|endoftext|>" in the text becomes its special id, as tiktoken's allowed_special="all" does (a mistake here). */
  special?: boolean;
  symbols?: SymbolsRule;
  merge?: MergeRule;
}

/** GPT-2's one special token, id 50256; plain text for GPT-2's own encoder. */
export const END_OF_TEXT = '<|endoftext|>';

/** Thrown when a mistaken variant meets a symbol that has no id: that learner's output would hold `undefined`. */
export class NoSuchToken extends Error {}

function pieces(text: string, split: EncodeOptions['split']): string[] {
  if (split === 'none') return text === '' ? [] : [text];
  return text.match(split === 'case-insensitive' ? caseInsensitivePattern : GPT2_PATTERN) ?? [];
}

function symbolsOf(piece: string, rule: SymbolsRule): string[] {
  switch (rule) {
    case 'utf8':
      return Array.from(new TextEncoder().encode(piece), (b) => byteChars[b]);
    case 'raw':
      return Array.from(piece);
    case 'raw-space':
      return Array.from(piece, (c) => (c === ' ' ? 'Ġ' : c));
    case 'raw-space-newline':
      return Array.from(piece, (c) => (c === ' ' ? 'Ġ' : c === '\n' ? 'Ċ' : c));
    case 'char-codes': {
      const out: string[] = [];
      for (let i = 0; i < piece.length; i++) {
        const code = piece.charCodeAt(i);
        if (code > 255) throw new NoSuchToken(`code unit ${code} has no bytes_to_unicode character`);
        out.push(byteChars[code]);
      }
      return out;
    }
  }
}

/** The merge of the pair starting at `i`, or undefined. */
function rankAt(word: string[], i: number, ranks: Map<string, number>): number | undefined {
  return ranks.get(`${word[i]} ${word[i + 1]}`);
}

/** BPE on one piece's symbols. */
export function bpeMerge(symbols: string[], ranks: Map<string, number>, rule: MergeRule = 'lowest-rank'): string[] {
  let word = symbols;
  if (rule === 'one-sweep') {
    const out: string[] = [];
    for (let i = 0; i < word.length; i++) {
      if (i + 1 < word.length && rankAt(word, i, ranks) !== undefined) {
        out.push(word[i] + word[i + 1]);
        i++;
      } else out.push(word[i]);
    }
    return out;
  }
  while (word.length > 1) {
    let best = -1;
    let bestRank = Infinity;
    for (let i = 0; i + 1 < word.length; i++) {
      const rank = rankAt(word, i, ranks);
      if (rank === undefined) continue;
      if (rule === 'leftmost') {
        best = i;
        break;
      }
      if (rank < bestRank) {
        bestRank = rank;
        best = i;
      }
    }
    if (best < 0) break;
    const [first, second] = [word[best], word[best + 1]];
    if (rule === 'leftmost') {
      word = [...word.slice(0, best), first + second, ...word.slice(best + 2)];
      continue;
    }
    // Every occurrence of the pair, left to right, without overlaps (encoder.py's inner loop).
    const next: string[] = [];
    for (let i = 0; i < word.length; i++) {
      if (i + 1 < word.length && word[i] === first && word[i + 1] === second) {
        next.push(first + second);
        i++;
      } else next.push(word[i]);
    }
    word = next;
  }
  return word;
}

/**
 * GPT-2's encoder.encode (openai/gpt-2 src/encoder.py) with the given table; each
 * option swaps one step for a mistake. Throws {@link NoSuchToken} when a symbol
 * has no id (only mistaken variants get there).
 */
export function encodeWith(text: string, bpe: Gpt2Bpe, options: EncodeOptions = {}): number[] {
  if (options.special) {
    // tiktoken cuts the text at each special token and encodes the parts between them on their own.
    const plain = { ...options, special: false };
    return text.split(END_OF_TEXT).flatMap((part, i) => [...(i > 0 ? [bpe.vocab[END_OF_TEXT]] : []), ...encodeWith(part, bpe, plain)]);
  }
  const ranks = mergeRanks(bpe);
  const ids: number[] = [];
  for (const piece of pieces(text, options.split ?? 'gpt2')) {
    for (const token of bpeMerge(symbolsOf(piece, options.symbols ?? 'utf8'), ranks, options.merge ?? 'lowest-rank')) {
      const id = Object.hasOwn(bpe.vocab, token) ? bpe.vocab[token] : undefined;
      if (id === undefined) throw new NoSuchToken(`no id for ${JSON.stringify(token)}`);
      ids.push(id);
    }
  }
  return ids;
}
