/**
 * rl/grpo-advantages — GRPO's group-relative advantages.
 *
 * rewards holds groupSize completions per prompt, prompt after prompt (consecutive blocks).
 * For each group:  A_i = (r_i − mean) / (std + 1e-4),  std with n − 1 as torch.std (0 for a group of one).
 * Run `llm-tutor lesson rl/grpo-advantages` for the lesson, `llm-tutor hint` for a hint.
 */
export function grpoAdvantages(rewards: Vector, groupSize: number): Vector {
  throw new Error('not implemented');
}
