/**
 * parallel/pipeline-schedule — model solution. Each stage has a fixed order
 * of operations: GPipe runs every forward, then every backward (Huang et al.
 * 2019); 1F1B (PipeDream-Flush, Narayanan et al. 2021) runs p − 1 − s
 * warm-up forwards, then one forward and one backward in turn, then the
 * remaining backwards. Slot by slot, each stage runs its next operation as
 * soon as its input was produced in an earlier slot.
 */
export function pipelineSchedule(stages: number, microbatches: number, kind: "gpipe" | "1f1b"): string[][] {
  const p = stages;
  const m = microbatches;
  const orders: string[][] = [];
  for (let s = 0; s < p; s++) {
    const order: string[] = [];
    const warmup = kind === 'gpipe' ? m : Math.min(p - 1 - s, m);
    for (let i = 0; i < warmup; i++) order.push(`F${i}`);
    for (let i = 0; i < m - warmup; i++) order.push(`F${warmup + i}`, `B${i}`);
    for (let i = m - warmup; i < m; i++) order.push(`B${i}`);
    orders.push(order);
  }
  // finished[s] holds the operations stage s completed in earlier slots.
  const finished = orders.map(() => new Set<string>());
  const next = orders.map(() => 0);
  const grid: string[][] = [];
  while (next.some((k, s) => k < orders[s].length)) {
    const row = orders.map(() => '');
    for (let s = 0; s < p; s++) {
      const op = orders[s][next[s]];
      if (op === undefined) continue;
      const i = op.slice(1);
      const ready = op[0] === 'F' ? s === 0 || finished[s - 1].has(`F${i}`) : s === p - 1 ? finished[s].has(`F${i}`) : finished[s + 1].has(`B${i}`);
      if (ready) {
        row[s] = op;
        next[s]++;
      }
    }
    row.forEach((op, s) => op && finished[s].add(op));
    grid.push(row);
  }
  return grid;
}
