/**
 * collectives/ring-all-reduce — model solution: the ring all-reduce of
 * Patarasuk and Yuan (2009), as NCCL and Horovod run it. In the
 * reduce-scatter, rank r passes on at step s the chunk it has just added
 * into, (r − s) mod N, so after N − 1 steps it holds chunk (r + 1) mod N
 * complete; in the all-gather it passes on, at step s, chunk (r + 1 − s)
 * mod N: the one it finished, then each one it has just received whole.
 */
type Phase = 'reduce-scatter' | 'all-gather';
type Send = { from: number; to: number; chunk: number };

export function ringAllReduceSchedule(ranks: number): { phase: "reduce-scatter" | "all-gather"; sends: { from: number; to: number; chunk: number }[] }[] {
  const n = ranks;
  const mod = (a: number) => ((a % n) + n) % n;
  const step = (phase: Phase, chunkOf: (r: number) => number) => {
    const sends: Send[] = [];
    for (let r = 0; r < n; r++) sends.push({ from: r, to: mod(r + 1), chunk: mod(chunkOf(r)) });
    return { phase, sends };
  };
  const plan: { phase: Phase; sends: Send[] }[] = [];
  for (let s = 0; s < n - 1; s++) plan.push(step('reduce-scatter', (r) => r - s));
  for (let s = 0; s < n - 1; s++) plan.push(step('all-gather', (r) => r + 1 - s));
  return plan;
}
