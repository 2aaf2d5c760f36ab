/**
 * lora/param-count — how many parameters LoRA trains, and how many stay frozen.
 *
 *   cfg.dModel   d, the model width
 *   cfg.dFF      the MLP's hidden width
 *   cfg.nLayers  the number of Transformer blocks
 *   cfg.r        the adapters' rank
 *   cfg.targets  which weights of every block get an adapter
 *
 * The weights of one block, as [in, out]:
 *   q, k, v, o: [d, d]    up: [d, dFF]    down: [dFF, d]
 *
 * Returns exact integers:
 * - trainable: the adapters' parameters, over all layers. An adapter on an
 *   [in, out] weight is A: [in, r] and B: [r, out]. A target listed twice still
 *   gets one adapter.
 * - frozen: every block's q, k, v, o, up and down weights, whatever the targets
 *   (embeddings, norms and biases are not counted).
 * Run `llm-tutor lesson lora/param-count` for the lesson, `llm-tutor hint` for a hint.
 */
export function loraParamCount(cfg: {
  dModel: number;
  dFF: number;
  nLayers: number;
  r: number;
  targets: ('q' | 'k' | 'v' | 'o' | 'up' | 'down')[];
}): { trainable: number; frozen: number } {
  throw new Error('not implemented');
}
