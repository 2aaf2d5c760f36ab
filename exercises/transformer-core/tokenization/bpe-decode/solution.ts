/**
 * tokenization/bpe-decode — model solution (Karpathy's minbpe, BasicTokenizer.decode).
 * A table gives the bytes of every id: 0..255 are themselves, and merge k
 * appends the bytes of its right id to those of its left id (both are earlier
 * ids, already in the table). The bytes of all the ids are then decoded
 * together, with U+FFFD for invalid sequences.
 */
export function decode(ids: number[], merges: [number, number][]): string {
  const table: number[][] = [];
  for (let b = 0; b < 256; b++) table.push([b]);
  for (const [left, right] of merges) table.push([...table[left], ...table[right]]);
  const bytes: number[] = [];
  for (const id of ids) bytes.push(...table[id]);
  return new TextDecoder().decode(new Uint8Array(bytes));
}
