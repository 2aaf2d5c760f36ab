/**
 * objectives/span-corruption — model solution.
 * Walk along the tokens: kept tokens go to the inputs; each span is replaced
 * there by one sentinel (firstSentinel, then one lower for each next span),
 * and the targets get that sentinel followed by the span's tokens. The
 * targets end with the sentinel after the last span's.
 */
export function spanCorrupt(
  tokens: number[],
  spans: [start: number, length: number][],
  firstSentinel: number,
): { inputs: number[]; targets: number[] } {
  const inputs: number[] = [];
  const targets: number[] = [];
  let sentinel = firstSentinel;
  let cursor = 0;
  for (const [start, length] of spans) {
    inputs.push(...tokens.slice(cursor, start), sentinel);
    targets.push(sentinel, ...tokens.slice(start, start + length));
    sentinel--;
    cursor = start + length;
  }
  inputs.push(...tokens.slice(cursor));
  targets.push(sentinel);
  return { inputs, targets };
}
