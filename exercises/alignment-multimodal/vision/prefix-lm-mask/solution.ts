/**
 * vision/prefix-lm-mask — model solution: position i sees position j when j
 * is in the prefix or j is not after i.
 */
export function prefixLmMask(prefixLen: number, total: number): boolean[][] {
  const mask: boolean[][] = [];
  for (let i = 0; i < total; i++) {
    const row: boolean[] = [];
    for (let j = 0; j < total; j++) row.push(j < prefixLen || j <= i);
    mask.push(row);
  }
  return mask;
}
