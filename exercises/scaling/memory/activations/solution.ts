/**
 * memory/activations — model solution (Korthikanti et al. 2022, §4.1).
 * Without recomputation: attention 11sbh + 5as²b, MLP 19sbh, LayerNorms 4sbh,
 * so sbh(34 + 5as/h). With full recomputation: the layer's input, 2sbh.
 */
export function activationBytesPerLayer(cfg: { seq: number; batch: number; hidden: number; heads: number; recompute: "none" | "full" }): number {
  const { seq: s, batch: b, hidden: h, heads: a } = cfg;
  if (cfg.recompute === 'full') return 2 * s * b * h;
  return s * b * h * (34 + (5 * a * s) / h);
}
