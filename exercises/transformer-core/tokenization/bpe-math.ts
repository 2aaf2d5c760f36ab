// Byte-level BPE in plain TypeScript, shared by the tokenization exercises (bpe-train,
// bpe-encode, bpe-decode): the references, the wrong variants a learner's mistake
// produces, and the random text the cases are drawn from.
//
// Conventions (CURRICULUM.md): text → UTF-8 bytes (ids 0..255); merge k creates id
// 256 + k; pair counts include overlapping occurrences; a merge replaces
// non-overlapping occurrences left to right; training ties go to the pair whose
// first occurrence is earliest in the current sequence (minbpe); encoding applies
// the lowest-rank pair present, again and again.
import type { Rng } from 'llm-tutor/pack';

export type Pair = [number, number];

/** The UTF-8 bytes of `text`, each a number 0..255. */
export function utf8Bytes(text: string): number[] {
  return Array.from(new TextEncoder().encode(text));
}

/** UTF-16 code units (`charCodeAt`), the mistake: a character above U+00FF gives a number above 255. */
export function utf16Units(text: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) out.push(text.charCodeAt(i));
  return out;
}

/** Unicode code points (`codePointAt` over `for...of`), the same mistake without splitting emoji. */
export function codePoints(text: string): number[] {
  return Array.from(text, (c) => c.codePointAt(0)!);
}

/** Bytes → text, invalid sequences replaced by U+FFFD (TextDecoder's default, non-fatal). */
export function utf8Decode(bytes: number[]): string {
  return new TextDecoder().decode(Uint8Array.from(bytes));
}

const key = (a: number, b: number) => `${a},${b}`;

export interface PairCount {
  pair: Pair;
  count: number;
  /** Where the last counted occurrence starts (to skip overlapping ones when asked). */
  last: number;
}

/**
 * Counts adjacent pairs, in the order of their first occurrence (a Map keeps
 * insertion order, as a Python dict does). Overlapping occurrences count (in
 * "aaa" the pair (a, a) counts 2) unless `overlapping` is false, when an
 * occurrence that overlaps the last counted one is skipped (it counts 1).
 */
export function pairCounts(ids: readonly number[], overlapping = true): Map<string, PairCount> {
  const counts = new Map<string, PairCount>();
  for (let i = 0; i + 1 < ids.length; i++) {
    const k = key(ids[i], ids[i + 1]);
    const entry = counts.get(k);
    if (!entry) counts.set(k, { pair: [ids[i], ids[i + 1]], count: 1, last: i });
    else if (overlapping || entry.last !== i - 1) {
      entry.count++;
      entry.last = i;
    }
  }
  return counts;
}

/**
 * Replaces every occurrence of `pair` by `id`, scanning left to right and
 * skipping past a replaced pair, so "aaa" becomes [id, a]. With `fromRight`,
 * the scan goes right to left and "aaa" becomes [a, id] (the mistake).
 */
export function mergePair(ids: readonly number[], pair: Pair, id: number, fromRight = false): number[] {
  const [a, b] = pair;
  if (fromRight) {
    const out: number[] = [];
    let i = ids.length - 1;
    while (i >= 0) {
      if (i > 0 && ids[i - 1] === a && ids[i] === b) {
        out.push(id);
        i -= 2;
      } else {
        out.push(ids[i]);
        i -= 1;
      }
    }
    return out.reverse();
  }
  const out: number[] = [];
  let i = 0;
  while (i < ids.length) {
    if (i + 1 < ids.length && ids[i] === a && ids[i + 1] === b) {
      out.push(id);
      i += 2;
    } else {
      out.push(ids[i]);
      i += 1;
    }
  }
  return out;
}

/**
 * How a tie between equally frequent pairs is broken:
 * - `first-occurrence`: the pair seen first in the current sequence (minbpe; the convention here);
 * - `last-occurrence`: the pair seen last (a scan with >= instead of >);
 * - `largest-pair`: the lexicographically largest (a, b) (subword-nmt's max over (count, pair));
 * - `smallest-pair`: the smallest (a, b) (Hugging Face tokenizers; also a plain object keyed by a number).
 */
export type TieRule = 'first-occurrence' | 'last-occurrence' | 'largest-pair' | 'smallest-pair';

const comparePairs = (p: Pair, q: Pair) => p[0] - q[0] || p[1] - q[1];

/** The most frequent pair, ties broken by `tie`; undefined when there is no pair. */
export function bestPair(counts: Map<string, PairCount>, tie: TieRule = 'first-occurrence'): PairCount | undefined {
  let best: PairCount | undefined;
  for (const entry of counts.values()) {
    if (!best || entry.count > best.count) {
      best = entry;
      continue;
    }
    if (entry.count < best.count) continue;
    if (tie === 'last-occurrence') best = entry;
    else if (tie === 'largest-pair' && comparePairs(entry.pair, best.pair) > 0) best = entry;
    else if (tie === 'smallest-pair' && comparePairs(entry.pair, best.pair) < 0) best = entry;
  }
  return best;
}

export interface TrainOptions {
  tie?: TieRule;
  /** Merge right to left (the mistake). */
  fromRight?: boolean;
  /** Count only non-overlapping occurrences (the mistake). */
  nonOverlapping?: boolean;
  /** Stop once the best pair occurs fewer than this many times (subword-nmt's min_frequency; a mistake here). */
  minCount?: number;
  /** False: the merged sequence is never stored back, so every round counts the original bytes (the mistake). */
  updateSequence?: boolean;
}

/**
 * minbpe's training loop on a list of ids: `numMerges` rounds of "count the
 * pairs, merge the most frequent one into id 256 + k", stopping early when no
 * pair is left (fewer than two tokens).
 */
export function trainIds(ids: readonly number[], numMerges: number, opts: TrainOptions = {}): Pair[] {
  const merges: Pair[] = [];
  let seq = ids.slice();
  for (let k = 0; k < numMerges; k++) {
    const best = bestPair(pairCounts(seq, !opts.nonOverlapping), opts.tie);
    if (!best) break;
    if (opts.minCount !== undefined && best.count < opts.minCount) break;
    merges.push([best.pair[0], best.pair[1]]);
    const merged = mergePair(seq, best.pair, 256 + k, opts.fromRight);
    if (opts.updateSequence !== false) seq = merged;
  }
  return merges;
}

/** trainBpe(text, vocabSize) of the exercise: UTF-8 bytes, vocabSize − 256 merges at most. */
export function trainBpe(text: string, vocabSize: number, opts: TrainOptions = {}): Pair[] {
  return trainIds(utf8Bytes(text), vocabSize - 256, opts);
}

/** Merge k has rank k; a pair listed twice keeps its first (lowest) rank. */
export function rankOf(merges: readonly Pair[]): Map<string, number> {
  const ranks = new Map<string, number>();
  merges.forEach(([a, b], k) => {
    if (!ranks.has(key(a, b))) ranks.set(key(a, b), k);
  });
  return ranks;
}

/**
 * minbpe's encoding loop on a list of ids: while some adjacent pair has a
 * merge, merge every occurrence of the lowest-rank one (into 256 + rank).
 */
export function encodeIds(ids: readonly number[], merges: readonly Pair[], fromRight = false): number[] {
  const ranks = rankOf(merges);
  let seq = ids.slice();
  while (seq.length >= 2) {
    let best = -1;
    for (let i = 0; i + 1 < seq.length; i++) {
      const r = ranks.get(key(seq[i], seq[i + 1]));
      if (r !== undefined && (best < 0 || r < best)) best = r;
    }
    if (best < 0) break;
    seq = mergePair(seq, merges[best], 256 + best, fromRight);
  }
  return seq;
}

/** encode(text, merges) of the exercise. */
export function encode(text: string, merges: readonly Pair[]): number[] {
  return encodeIds(utf8Bytes(text), merges);
}

/** The bytes of every id: 0..255 are themselves, 256 + k is the bytes of merge k's left id then its right id. */
export function tokenBytes(merges: readonly Pair[]): number[][] {
  const table: number[][] = Array.from({ length: 256 }, (_, b) => [b]);
  merges.forEach(([a, b]) => table.push([...table[a], ...table[b]]));
  return table;
}

/** Ids → bytes. Throws on an id that is neither a byte nor a merge. */
export function expandIds(ids: readonly number[], merges: readonly Pair[]): number[] {
  const table = tokenBytes(merges);
  return ids.flatMap((id) => {
    const bytes = table[id];
    if (!bytes) throw new Error(`unknown token id ${id}`);
    return bytes;
  });
}

/** decode(ids, merges) of the exercise. */
export function decode(ids: readonly number[], merges: readonly Pair[]): string {
  return utf8Decode(expandIds(ids, merges));
}

/** Characters random text is drawn from: ASCII, Latin-1, CJK (3 UTF-8 bytes) and emoji (4 bytes, 2 UTF-16 units). */
export const alphabets = {
  ascii: ['a', 'b', 'c', 'd', 'e', ' '],
  latin: ['a', 'n', 'é', 'è', 'ç', ' ', 'ü'],
  mixed: ['a', 'b', ' ', 'é', '中', '文', '🙂', '!'],
  cjk: ['中', '文', '字', '我', '的', ' ', '。'],
} as const;

/** Random text of `length` characters, each drawn from `chars`; short words repeat so pairs repeat. */
export function randomText(rng: Rng, chars: readonly string[], length: number): string {
  const words = Array.from({ length: 3 }, () => Array.from({ length: rng.int(2, 4) }, () => rng.pick(chars)).join(''));
  let out = '';
  while ([...out].length < length) out += rng.next() < 0.5 ? rng.pick(words) : rng.pick(chars);
  return [...out].slice(0, length).join('');
}
