/**
 * serving/paged-kv — read a sequence's keys (or values) out of a paged KV cache, as vLLM does.
 *
 *   blocks[b]        physical block b of the cache: blockSize rows of d numbers
 *   blockTable[i]    the physical block that holds logical block i of the sequence
 *   token t          logical block ⌊t/blockSize⌋, row t mod blockSize of it
 *
 * Return the sequence's first seqLen rows, token 0 first ([seqLen, d]); rows past seqLen are unused.
 * Run `llm-tutor lesson serving/paged-kv` for the lesson, `llm-tutor hint` for a hint.
 */
export function gatherPagedKv(blockTable: number[], blocks: Matrix[], blockSize: number, seqLen: number): Matrix {
  throw new Error('not implemented');
}
