/**
 * distill/kd-loss — the knowledge-distillation loss of Hinton et al., as PyTorch computes it.
 *
 *   p = softmax(teacher[r] / T)      q = softmax(student[r] / T)      for each row r
 *   loss = T² · (1/rows) · Σ_r Σ_v p_v · (log p_v − log q_v)
 *
 * student and teacher are [rows, V] logits; T > 0. Compute log-softmax stably.
 * Run `llm-tutor lesson distill/kd-loss` for the lesson, `llm-tutor hint` for a hint.
 */
export function distillationLoss(student: Matrix, teacher: Matrix, t: number): number {
  throw new Error('not implemented');
}
