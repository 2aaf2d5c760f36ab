/**
 * objectives/perplexity — model solution.
 * The causal-LM loss (row t scored against token t + 1, the mean over T − 1
 * positions, in nats), then its exponential.
 */
function logSumExp(z: Vector): number {
  const m = Math.max(...z);
  let total = 0;
  for (const v of z) total += Math.exp(v - m);
  return m + Math.log(total);
}

export function perplexity(logits: Matrix, tokens: number[]): number {
  const positions = tokens.length - 1;
  let total = 0;
  for (let t = 0; t < positions; t++) {
    total += logSumExp(logits[t]) - logits[t][tokens[t + 1]];
  }
  return Math.exp(total / positions);
}
