/**
 * memory/zero — model solution (Rajbhandari et al. 2020, Fig. 1).
 * Each of the three kinds of model state is held whole, or divided by N once
 * its stage shards it: optimiser states from stage 1, gradients from stage 2,
 * weights at stage 3.
 */
export function zeroBytesPerGpu(params: number, gpus: number, stage: 0 | 1 | 2 | 3): number {
  const K = 12; // fp32 master weights, m and v
  const held = (bytesPerParameter: number, shardedFrom: number) =>
    stage >= shardedFrom ? (bytesPerParameter * params) / gpus : bytesPerParameter * params;
  return held(2, 3) + held(2, 2) + held(K, 1);
}
