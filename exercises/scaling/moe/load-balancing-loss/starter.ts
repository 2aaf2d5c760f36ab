/**
 * moe/load-balancing-loss — the auxiliary loss of Hugging Face's
 * load_balancing_loss_func (Switch Transformer eqs. 4–6, top-k).
 *
 *   p_t        = softmax(routerLogits[t])   over all E experts
 *   choices    = each token's k most probable experts (ties: lower index first)
 *   f[slot][e] = fraction of the T tokens whose slot-th choice is e     [k, E]
 *   P[e]       = mean over the tokens of p_t[e]                          [E]
 *   loss       = E · Σ_slot Σ_e f[slot][e] · P[e]
 *
 * routerLogits is [T, E]. Perfectly balanced routing gives exactly k.
 * Run `llm-tutor lesson moe/load-balancing-loss` for the lesson, `llm-tutor hint` for a hint.
 */
export function loadBalancingLoss(routerLogits: Matrix, k: number): number {
  throw new Error('not implemented');
}
