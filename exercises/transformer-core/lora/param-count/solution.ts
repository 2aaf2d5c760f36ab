/**
 * lora/param-count — model solution.
 * Per layer, each distinct target gets an adapter A: [in, r] plus B: [r, out],
 * r·(in + out) parameters; the frozen weights are all six matrices of the layer,
 * adapted or not. Both counts are then multiplied by the number of layers.
 */
export function loraParamCount(cfg: {
  dModel: number;
  dFF: number;
  nLayers: number;
  r: number;
  targets: ('q' | 'k' | 'v' | 'o' | 'up' | 'down')[];
}): { trainable: number; frozen: number } {
  const d = cfg.dModel;
  const shapes: Record<string, [number, number]> = {
    q: [d, d],
    k: [d, d],
    v: [d, d],
    o: [d, d],
    up: [d, cfg.dFF],
    down: [cfg.dFF, d],
  };
  let trainablePerLayer = 0;
  for (const target of new Set(cfg.targets)) {
    const [din, dout] = shapes[target];
    trainablePerLayer += cfg.r * (din + dout);
  }
  let frozenPerLayer = 0;
  for (const [din, dout] of Object.values(shapes)) frozenPerLayer += din * dout;
  return { trainable: cfg.nLayers * trainablePerLayer, frozen: cfg.nLayers * frozenPerLayer };
}
