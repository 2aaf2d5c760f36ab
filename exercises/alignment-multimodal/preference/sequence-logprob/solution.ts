/**
 * preference/sequence-logprob — model solution: the sum over the response's
 * tokens of log softmax(logits[t − 1])[tokens[t]], as _get_batch_logps in the
 * DPO authors' trainers.py computes it with average_log_prob=False.
 */
function logSoftmaxAt(row: Vector, k: number): number {
  const max = Math.max(...row);
  let sum = 0;
  for (const z of row) sum += Math.exp(z - max);
  return row[k] - max - Math.log(sum);
}

export function sequenceLogProb(logits: Matrix, tokens: number[], promptLen: number): number {
  let total = 0;
  for (let t = Math.max(promptLen, 1); t < tokens.length; t++) {
    total += logSoftmaxAt(logits[t - 1], tokens[t]);
  }
  return total;
}
