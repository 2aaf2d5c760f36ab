/**
 * tokenization/bpe-on-real-text — model solution.
 *
 * A learner's file imports trainBpe and encode from their own bpe-train.ts and
 * bpe-encode.ts. This one is self-contained instead, so that it is graded
 * alone (as `pack validate` and the pack's tests grade a model solution): it
 * carries minbpe's training and encoding, written around one helper that
 * replaces a pair left to right.
 */
type Pair = [number, number];

const bytesOf = (text: string) => Array.from(new TextEncoder().encode(text));

/** `ids` with every occurrence of `pair` replaced by `id`, left to right, without overlaps. */
function replacePair(ids: number[], [a, b]: Pair, id: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    const hit = i + 1 < ids.length && ids[i] === a && ids[i + 1] === b;
    out.push(hit ? id : ids[i]);
    if (hit) i++;
  }
  return out;
}

/** The most frequent adjacent pair, the first seen among equals; undefined with fewer than two ids. */
function mostFrequentPair(ids: number[]): Pair | undefined {
  // A Map lists its keys in order of first occurrence, so a strict > keeps the first of equals.
  const counts = new Map<string, number>();
  for (let i = 0; i + 1 < ids.length; i++) {
    const key = `${ids[i]},${ids[i + 1]}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  let best: { key: string; count: number } | undefined;
  for (const [key, count] of counts) if (!best || count > best.count) best = { key, count };
  return best && (best.key.split(',').map(Number) as Pair);
}

/** What trainBpe(text, 256 + numMerges) returns. */
function learnMerges(text: string, numMerges: number): Pair[] {
  const merges: Pair[] = [];
  let ids = bytesOf(text);
  for (let pair = mostFrequentPair(ids); pair && merges.length < numMerges; pair = mostFrequentPair(ids)) {
    ids = replacePair(ids, pair, 256 + merges.length);
    merges.push(pair);
  }
  return merges;
}

/** What encode(text, merges) returns: merges replayed in rank order, each where its pair is present. */
function encodeWith(text: string, merges: Pair[]): number[] {
  // Each merge only joins ids made before it, so replaying the list in order is the lowest-rank-first rule.
  return merges.reduce((ids, pair, k) => replacePair(ids, pair, 256 + k), bytesOf(text));
}

export function bpeOnRealText(train: string, heldOut: string, numMerges: number): { merges: [number, number][]; ids: number[]; bytesPerToken: number } {
  const merges = learnMerges(train, numMerges);
  const ids = encodeWith(heldOut, merges);
  return { merges, ids, bytesPerToken: bytesOf(heldOut).length / ids.length };
}
