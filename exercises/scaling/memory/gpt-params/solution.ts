/**
 * memory/gpt-params — model solution: GPT-2's layout, part by part.
 * Embeddings wte [vocab, C] and wpe [context, C]; per block two LayerNorms
 * (gain and bias), attention c_attn [C, 3C] and c_proj [C, C], MLP c_fc
 * [C, dFF] and c_proj [dFF, C], each with its bias; a final LayerNorm; and an
 * output head [C, vocab] without bias only when it is not tied to wte.
 */
export function gptParamCount(cfg: { vocab: number; context: number; dModel: number; nLayers: number; dFF: number; tied: boolean }): number {
  const c = cfg.dModel;
  const linear = (inputs: number, outputs: number) => inputs * outputs + outputs;
  const layerNorm = 2 * c;

  const embeddings = cfg.vocab * c + cfg.context * c;
  const attention = linear(c, 3 * c) + linear(c, c);
  const mlp = linear(c, cfg.dFF) + linear(cfg.dFF, c);
  const block = layerNorm + attention + layerNorm + mlp;
  const head = cfg.tied ? 0 : c * cfg.vocab;

  return embeddings + cfg.nLayers * block + layerNorm + head;
}
