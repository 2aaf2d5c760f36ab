/**
 * rl/grpo-advantages — model solution: TRL's GRPOTrainer normalisation,
 * rewards.view(−1, G), mean and torch.std (n − 1) per group, (r − mean)/(std + 1e-4).
 */
export function grpoAdvantages(rewards: Vector, groupSize: number): Vector {
  const advantages: Vector = [];
  for (let start = 0; start < rewards.length; start += groupSize) {
    const group = rewards.slice(start, start + groupSize);
    const mean = group.reduce((a, b) => a + b, 0) / group.length;
    const squares = group.reduce((acc, r) => acc + (r - mean) ** 2, 0);
    const std = group.length > 1 ? Math.sqrt(squares / (group.length - 1)) : 0;
    for (const r of group) advantages.push((r - mean) / (std + 1e-4));
  }
  return advantages;
}
