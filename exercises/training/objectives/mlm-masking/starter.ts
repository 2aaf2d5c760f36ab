/**
 * objectives/mlm-masking — BERT's masked-LM inputs and labels, with the randomness given.
 *
 *   tokens: token ids of a sequence
 *   u.pick, u.action, u.random: one uniform number in [0, 1) per position
 *   cfg: maskId (the id of [MASK]), vocabSize, rate (0.15 in BERT), special (ids never picked)
 *
 * Position t is picked when tokens[t] is not special and u.pick[t] < rate. A picked token
 * becomes [MASK] if u.action[t] < 0.8, the id ⌊u.random[t]·vocabSize⌋ if u.action[t] < 0.9,
 * and stays as it is otherwise. labels[t] = tokens[t] at picked positions, −100 elsewhere.
 * Run `llm-tutor lesson objectives/mlm-masking` for the lesson, `llm-tutor hint` for a hint.
 */
export function mlmMask(
  tokens: number[],
  u: { pick: Vector; action: Vector; random: Vector },
  cfg: { maskId: number; vocabSize: number; rate: number; special: number[] },
): { inputs: number[]; labels: number[] } {
  throw new Error('not implemented');
}
