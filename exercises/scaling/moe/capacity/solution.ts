/**
 * moe/capacity — model solution: the capacity from the factor, then every
 * first choice in token order, every second choice, …, each taking a slot of
 * its expert while one is free and dropped otherwise.
 */
export function dispatch(experts: number[][], numExperts: number, capacityFactor: number): { slots: number[][][]; dropped: [token: number, choice: number][] } {
  const T = experts.length;
  const k = T > 0 ? experts[0].length : 0;
  const capacity = Math.floor((capacityFactor * T * k) / numExperts);
  const slots: number[][][] = Array.from({ length: numExperts }, () => []);
  const dropped: [token: number, choice: number][] = [];
  for (let choice = 0; choice < k; choice++) {
    for (let token = 0; token < T; token++) {
      const e = experts[token][choice];
      if (slots[e].length < capacity) slots[e].push([token, choice]);
      else dropped.push([token, choice]);
    }
  }
  return { slots, dropped };
}
