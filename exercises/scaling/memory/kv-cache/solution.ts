/**
 * memory/kv-cache — model solution.
 * Every token of every sequence stores, in every layer, a key and a value
 * vector of headDim for each KV head.
 */
export function kvCacheBytes(cfg: { layers: number; kvHeads: number; headDim: number; seqLen: number; batch: number; bytesPerValue: number }): number {
  const valuesPerToken = 2 * cfg.layers * cfg.kvHeads * cfg.headDim; // K and V
  return valuesPerToken * cfg.seqLen * cfg.batch * cfg.bytesPerValue;
}
