/**
 * objectives/skip-gram — word2vec's skip-gram loss with negative sampling, for one word pair.
 *
 *   center: v_c, the center word's input vector [d]
 *   context: u_o, the context word's output vector [d]
 *   negatives: [K, d], the output vectors u_k of K sampled words (K may be 0)
 *
 *   loss = −log σ(u_o·v_c) − Σ_k log σ(−u_k·v_c)       σ(x) = 1 / (1 + e^−x)
 *
 * Compute log σ stably: the scores may be near ±1000.
 * Run `llm-tutor lesson objectives/skip-gram` for the lesson, `llm-tutor hint` for a hint.
 */
export function skipGramLoss(center: Vector, context: Vector, negatives: Matrix): number {
  throw new Error('not implemented');
}
