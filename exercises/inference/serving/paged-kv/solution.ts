/**
 * serving/paged-kv — model solution: gather a sequence's KV rows from a paged cache.
 * Token t lives in logical block ⌊t/blockSize⌋, which the block table maps to a
 * physical block, at row t mod blockSize of it.
 */
export function gatherPagedKv(blockTable: number[], blocks: Matrix[], blockSize: number, seqLen: number): Matrix {
  const rows: Matrix = [];
  for (let t = 0; t < seqLen; t++) {
    const physical = blockTable[Math.floor(t / blockSize)];
    rows.push([...blocks[physical][t % blockSize]]);
  }
  return rows;
}
