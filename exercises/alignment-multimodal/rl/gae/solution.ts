/**
 * rl/gae — model solution: the backward loop of CleanRL's ppo.py.
 * values[T] is the bootstrap value of the state after the rollout.
 */
export function gae(rewards: Vector, values: Vector, gamma: number, lambda: number): { advantages: Vector; returns: Vector } {
  const T = rewards.length;
  const advantages: Vector = new Array(T).fill(0);
  let lastAdvantage = 0;
  for (let t = T - 1; t >= 0; t--) {
    const delta = rewards[t] + gamma * values[t + 1] - values[t];
    lastAdvantage = delta + gamma * lambda * lastAdvantage;
    advantages[t] = lastAdvantage;
  }
  const returns = advantages.map((a, t) => a + values[t]);
  return { advantages, returns };
}
