/**
 * memory/activations — the bytes one Transformer layer keeps for the backward
 * pass (Korthikanti et al. 2022: 16-bit activations, 1-byte dropout masks).
 *
 *   cfg.seq        s, tokens per sequence
 *   cfg.batch      b, sequences in the (micro)batch
 *   cfg.hidden     h, the model width
 *   cfg.heads      a, attention heads
 *   cfg.recompute  "none": every activation the backward pass needs is kept
 *                  "full": only the layer's input is kept; the rest is
 *                  recomputed in the backward pass
 *
 * Returns bytes per layer.
 * Run `llm-tutor lesson memory/activations` for the lesson, `llm-tutor hint` for a hint.
 */
export function activationBytesPerLayer(cfg: { seq: number; batch: number; hidden: number; heads: number; recompute: "none" | "full" }): number {
  throw new Error('not implemented');
}
