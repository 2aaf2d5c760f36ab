/**
 * memory/kv-cache — the bytes of the KV cache of a decoder.
 *
 *   cfg.layers         Transformer layers
 *   cfg.kvHeads        heads with their own keys and values (fewer than the
 *                      query heads with grouped-query attention)
 *   cfg.headDim        values per head
 *   cfg.seqLen         tokens cached per sequence
 *   cfg.batch          sequences
 *   cfg.bytesPerValue  2 for fp16/bf16, 1 for int8, 4 for fp32
 *
 * Returns bytes.
 * Run `llm-tutor lesson memory/kv-cache` for the lesson, `llm-tutor hint` for a hint.
 */
export function kvCacheBytes(cfg: { layers: number; kvHeads: number; headDim: number; seqLen: number; batch: number; bytesPerValue: number }): number {
  throw new Error('not implemented');
}
