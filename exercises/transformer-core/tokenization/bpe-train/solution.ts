/**
 * tokenization/bpe-train — model solution (Karpathy's minbpe, BasicTokenizer.train).
 * Each round counts the adjacent pairs of the current sequence in a Map, which
 * keeps them in order of first occurrence; scanning it with a strict > keeps
 * the earliest pair among equally frequent ones. The winner is then replaced
 * left to right by the next id.
 */
export function trainBpe(text: string, vocabSize: number): [number, number][] {
  let ids = Array.from(new TextEncoder().encode(text));
  const merges: [number, number][] = [];
  for (let k = 0; k < vocabSize - 256; k++) {
    // Count every adjacent pair, overlapping ones included.
    const counts = new Map<string, { pair: [number, number]; count: number }>();
    for (let i = 0; i + 1 < ids.length; i++) {
      const key = `${ids[i]},${ids[i + 1]}`;
      const entry = counts.get(key);
      if (entry) entry.count++;
      else counts.set(key, { pair: [ids[i], ids[i + 1]], count: 1 });
    }
    // The most frequent pair; on a tie the first one seen wins (strict >).
    let best: { pair: [number, number]; count: number } | undefined;
    for (const entry of counts.values()) {
      if (!best || entry.count > best.count) best = entry;
    }
    if (!best) break; // fewer than two tokens: nothing left to merge
    const [a, b] = best.pair;
    const id = 256 + k;
    merges.push([a, b]);
    // Replace the pair left to right, skipping past each replacement.
    const next: number[] = [];
    for (let i = 0; i < ids.length; ) {
      if (i + 1 < ids.length && ids[i] === a && ids[i + 1] === b) {
        next.push(id);
        i += 2;
      } else {
        next.push(ids[i]);
        i += 1;
      }
    }
    ids = next;
  }
  return merges;
}
