/**
 * tokenization/bpe-encode — model solution (Karpathy's minbpe, BasicTokenizer.encode).
 * A Map from "a,b" to the merge's rank finds, in each round, the lowest-rank
 * pair present in the sequence; all its occurrences are replaced left to right,
 * and the search starts again until no pair has a merge.
 */
export function encode(text: string, merges: [number, number][]): number[] {
  const rank = new Map<string, number>();
  merges.forEach(([a, b], k) => {
    if (!rank.has(`${a},${b}`)) rank.set(`${a},${b}`, k);
  });
  let ids = Array.from(new TextEncoder().encode(text));
  while (ids.length >= 2) {
    // The lowest-rank pair present, if any.
    let best = -1;
    for (let i = 0; i + 1 < ids.length; i++) {
      const k = rank.get(`${ids[i]},${ids[i + 1]}`);
      if (k !== undefined && (best < 0 || k < best)) best = k;
    }
    if (best < 0) break;
    const [a, b] = merges[best];
    // Replace every occurrence, left to right, skipping past each replacement.
    const next: number[] = [];
    for (let i = 0; i < ids.length; ) {
      if (i + 1 < ids.length && ids[i] === a && ids[i + 1] === b) {
        next.push(256 + best);
        i += 2;
      } else {
        next.push(ids[i]);
        i += 1;
      }
    }
    ids = next;
  }
  return ids;
}
