/**
 * objectives/mlm-masking — model solution.
 * BERT's masking, with the randomness given: a position is picked when its
 * token is not special and u.pick < rate; a picked token becomes [MASK]
 * (u.action < 0.8), a random id (< 0.9) or stays, and is labelled with the
 * original token. Every other label is −100.
 */
export function mlmMask(
  tokens: number[],
  u: { pick: Vector; action: Vector; random: Vector },
  cfg: { maskId: number; vocabSize: number; rate: number; special: number[] },
): { inputs: number[]; labels: number[] } {
  const inputs = [...tokens];
  const labels = tokens.map(() => -100);
  for (let t = 0; t < tokens.length; t++) {
    if (cfg.special.includes(tokens[t]) || u.pick[t] >= cfg.rate) continue;
    labels[t] = tokens[t];
    if (u.action[t] < 0.8) inputs[t] = cfg.maskId;
    else if (u.action[t] < 0.9) inputs[t] = Math.floor(u.random[t] * cfg.vocabSize);
  }
  return { inputs, labels };
}
