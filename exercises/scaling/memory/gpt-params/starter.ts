/**
 * memory/gpt-params — the number of parameters of a GPT-2-style model.
 *
 *   cfg.vocab     tokens in the vocabulary (rows of the token embedding wte)
 *   cfg.context   positions (rows of the learned position embedding wpe)
 *   cfg.dModel    C, the model width
 *   cfg.nLayers   the number of blocks
 *   cfg.dFF       the MLP's hidden width (4·C in GPT-2)
 *   cfg.tied      whether the output head reuses wte (GPT-2) or is its own
 *                 [C, vocab] matrix without bias
 *
 * Every linear layer of a block has a bias; every LayerNorm has a gain and a
 * bias. Returns an exact integer.
 * Run `llm-tutor lesson memory/gpt-params` for the lesson, `llm-tutor hint` for a hint.
 */
export function gptParamCount(cfg: { vocab: number; context: number; dModel: number; nLayers: number; dFF: number; tied: boolean }): number {
  throw new Error('not implemented');
}
