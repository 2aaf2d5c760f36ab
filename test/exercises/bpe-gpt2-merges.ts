// GPT-2's merges in the convention of the tokenization exercises (bpe-encode, bpe-decode),
// for their tests: an independent check against a real tokenizer.
import bpeRanks from 'gpt-tokenizer/bpeRanks/r50k_base';

type Pair = [number, number];

let cached: ReturnType<typeof compute> | undefined;

/** GPT-2's merges, computed once per test file (about a second); see compute. */
export function gpt2Merges(): ReturnType<typeof compute> {
  cached ??= compute();
  return cached;
}

/**
 * GPT-2's merges rewritten in the exercises' convention, from the r50k_base
 * ranks that the npm package gpt-tokenizer ships (code independent of this
 * project). Ranks 0..255 are the single bytes, in GPT-2's
 * own order; rank r >= 256 is merge r − 256. Each merge's pair is recovered as
 * minbpe's gpt4.py does: run BPE on the token's bytes with the merges below
 * its rank, which leaves exactly two parts.
 */
function compute(): { merges: Pair[]; toR50k: (ids: number[]) => number[]; fromR50k: (ids: number[]) => number[] } {
  const tokens = (bpeRanks as (string | number[])[]).map((t) => (typeof t === 'string' ? Array.from(Buffer.from(t, 'utf8')) : t));
  const rankOf = new Map(tokens.map((bytes, rank) => [Buffer.from(bytes).toString('latin1'), rank]));
  const byteOfRank: number[] = [];
  const rankOfByte: number[] = [];
  tokens.slice(0, 256).forEach(([b], rank) => {
    byteOfRank[rank] = b;
    rankOfByte[b] = rank;
  });
  const ourId = (rank: number) => (rank < 256 ? byteOfRank[rank] : rank);
  const key = (bytes: number[]) => Buffer.from(bytes).toString('latin1');
  const merges: Pair[] = [];
  for (let rank = 256; rank < tokens.length; rank++) {
    let parts = tokens[rank].map((b) => [b]);
    for (;;) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i + 1 < parts.length; i++) {
        const r = rankOf.get(key([...parts[i], ...parts[i + 1]]));
        if (r !== undefined && r < bestRank) {
          best = i;
          bestRank = r;
        }
      }
      if (best < 0 || bestRank >= rank) break;
      parts = [...parts.slice(0, best), [...parts[best], ...parts[best + 1]], ...parts.slice(best + 2)];
    }
    if (parts.length !== 2) throw new Error(`rank ${rank} does not split into two parts`);
    merges.push([ourId(rankOf.get(key(parts[0]))!), ourId(rankOf.get(key(parts[1]))!)]);
  }
  return { merges, toR50k: (ids) => ids.map((x) => (x < 256 ? rankOfByte[x] : x)), fromR50k: (ids) => ids.map(ourId) };
}

