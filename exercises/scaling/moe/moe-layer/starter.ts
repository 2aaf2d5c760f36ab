/**
 * moe/moe-layer — a sparse mixture-of-experts layer, as Mixtral's.
 *
 *   logits     = x·p.router                          [T, E]
 *   route      each token to its k most probable experts (softmax over all
 *              E, ties to the lower index), weights renormalised over the k
 *   expert(x)  = (silu(x·w1) ⊙ (x·w3))·w2,  silu(z) = z / (1 + e^(−z))
 *   out[t]     = Σ over token t's k experts of weight · expert(x[t])
 *
 * x is [T, C]; w1 and w3 are [C, H], w2 is [H, C]. Return out, [T, C].
 * Run `llm-tutor lesson moe/moe-layer` for the lesson, `llm-tutor hint` for a hint.
 */
export function moeLayer(x: Matrix, p: { router: Matrix; experts: { w1: Matrix; w3: Matrix; w2: Matrix }[] }, k: number): Matrix {
  throw new Error('not implemented');
}
