import { anyOf, defineExercise, type PlanDrawing, type PlanViolation, type Rng } from 'llm-tutor/pack';

export type Phase = 'reduce-scatter' | 'all-gather';
export interface Send {
  from: number;
  to: number;
  chunk: number;
}
export interface Step {
  phase: Phase;
  sends: Send[];
}
export type Plan = Step[];
type Args = [ranks: number];

const mod = (a: number, n: number) => ((a % n) + n) % n;
const ranksOf = (n: number) => Array.from({ length: n }, (_, r) => r);
const ringSend = (n: number, r: number, chunk: number): Send => ({ from: r, to: (r + 1) % n, chunk: mod(chunk, n) });

/**
 * The reference plan: at reduce-scatter step s (from 0) rank r passes chunk
 * r − s on, which it has just added to; after N − 1 steps rank r holds chunk
 * r + 1 complete. At all-gather step s it passes chunk r + 1 − s, the one it
 * completed or has just received whole.
 */
export function ringPlan(n: number): Plan {
  const steps: Plan = [];
  for (let s = 0; s < n - 1; s++) steps.push({ phase: 'reduce-scatter', sends: ranksOf(n).map((r) => ringSend(n, r, r - s)) });
  for (let s = 0; s < n - 1; s++) steps.push({ phase: 'all-gather', sends: ranksOf(n).map((r) => ringSend(n, r, r + 1 - s)) });
  return steps;
}

/**
 * What a chunk holds, as a count per rank of how many times that rank's
 * original chunk has been added into it: [1, 1, 1, 1] is the full sum of 4
 * ranks, [2, 1, 1, 1] counts rank 0 twice.
 */
type Holding = number[];

const complete = (h: Holding) => h.every((k) => k === 1);
const list = (xs: number[]) => (xs.length === 1 ? `${xs[0]}` : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`);

/** A chunk's content in words: "the full sum", "ranks 2 and 3 only (2 of 4)", "rank 1's values twice". */
export function describeHolding(h: Holding): string {
  const n = h.length;
  const twice = ranksOf(n).filter((q) => h[q] > 1);
  if (twice.length) return `rank${twice.length > 1 ? 's' : ''} ${list(twice)}'s values ${h[twice[0]] === 2 ? 'twice' : `${h[twice[0]]} times`}`;
  const has = ranksOf(n).filter((q) => h[q] === 1);
  if (has.length === n) return 'the full sum';
  if (has.length === 0) return 'nothing';
  return `the values of rank${has.length > 1 ? 's' : ''} ${list(has)} only (${has.length} of ${n})`;
}

/** A drawing cell: `c2 Σ` complete, `c2 3/4` three ranks' values of four, `c2 ×2` a rank counted twice. */
export function cellOf(chunk: number, h: Holding): string {
  const n = h.length;
  const most = Math.max(...h);
  if (most > 1) return `c${chunk} ×${most}`;
  const count = h.filter((k) => k === 1).length;
  return count === n ? `c${chunk} Σ` : `c${chunk} ${count}/${n}`;
}

/** Runs a well-formed plan: every rank's chunks after each step, and what each rank received at each step. */
export function simulate(plan: Plan, n: number): { held: Holding[][]; received: { chunk: number; holding: Holding }[][][] } {
  // held[r][c]: rank r starts with its own values in every chunk.
  let held: Holding[][] = ranksOf(n).map((r) => ranksOf(n).map(() => ranksOf(n).map((q) => (q === r ? 1 : 0))));
  const received: { chunk: number; holding: Holding }[][][] = [];
  for (const step of plan) {
    // Every send of a step reads the sender's chunk from before the step.
    const before = held;
    held = before.map((chunks) => chunks.map((h) => [...h]));
    for (const { from, to, chunk } of step.sends) {
      const incoming = before[from][chunk];
      held[to][chunk] = step.phase === 'reduce-scatter' ? held[to][chunk].map((k, q) => k + incoming[q]) : [...incoming];
    }
    received.push(ranksOf(n).map((r) => step.sends.filter((x) => x.to === r).map((x) => ({ chunk: x.chunk, holding: held[r][x.chunk] }))));
  }
  return { held, received };
}

/** The plan as ranks × steps: in each cell, the chunk the rank received at that step and what that chunk holds afterwards. */
export function drawPlan(plan: Plan, n: number, marks: [number, number][] = []): PlanDrawing {
  const { received } = simulate(plan, n);
  const cells = ranksOf(n).map((r) =>
    plan.map((_, s) => {
      const got = received[s][r];
      if (got.length === 0) return '';
      return got.length === 1 ? cellOf(got[0].chunk, got[0].holding) : `${got.length} in`;
    }),
  );
  return { rowTitle: 'rank', colTitle: 'step', rows: ranksOf(n).map(String), cols: plan.map((_, s) => String(s + 1)), cells, marks };
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const snippet = (x: unknown) => (JSON.stringify(x) ?? String(x)).slice(0, 100);

/** Why `plan` is not a list of `{ phase, sends: [{ from, to, chunk }] }` with ranks and chunks in 0..n−1, or undefined. */
function malformed(plan: unknown, n: number): string | undefined {
  if (!Array.isArray(plan)) return `ringAllReduceSchedule returned ${snippet(plan)}, not a list of steps.`;
  const inRange = (x: unknown) => Number.isInteger(x) && (x as number) >= 0 && (x as number) < n;
  for (const [s, step] of plan.entries()) {
    if (!isObject(step) || !Array.isArray(step.sends)) return `step ${s + 1} is ${snippet(step)}, not { phase, sends: [...] }.`;
    if (step.phase !== 'reduce-scatter' && step.phase !== 'all-gather') return `step ${s + 1} has phase ${snippet(step.phase)}; a phase is "reduce-scatter" or "all-gather".`;
    for (const send of step.sends) {
      if (!isObject(send) || !inRange(send.from) || !inRange(send.to) || !inRange(send.chunk)) {
        return `step ${s + 1} has the send ${snippet(send)}; a send is { from, to, chunk } with ranks and chunks whole numbers from 0 to ${n - 1}.`;
      }
    }
  }
  return undefined;
}

/**
 * Runs the plan on data and returns the first property that breaks: its
 * shape, the phase order, the ring neighbour rule, one send per rank per
 * step, the full sum on every rank, 2(N − 1) chunks sent by each rank, and
 * 2(N − 1) steps.
 */
export function checkPlan(plan: Plan, ranks: number): PlanViolation | undefined {
  const n = ranks;
  const shape = malformed(plan, n);
  if (shape) return { property: 'a plan is a list of steps { phase, sends: [{ from, to, chunk }] }', message: shape };
  const draw = (marks: [number, number][]) => drawPlan(plan, n, marks);
  let gathering = -1;
  for (const [s, step] of plan.entries()) {
    const senders = step.sends.map((x) => x.from);
    if (step.phase === 'all-gather' && gathering < 0) gathering = s;
    if (step.phase === 'reduce-scatter' && gathering >= 0) {
      return {
        property: 'every reduce-scatter step comes before the all-gather',
        message: `step ${s + 1} is a reduce-scatter step, but step ${gathering + 1} was already an all-gather. A rank can only pass a chunk on whole once every rank has added into it.`,
        drawing: draw((senders.length ? senders : [0]).map((r) => [r, s])),
      };
    }
    for (const { from, to, chunk } of step.sends) {
      if (to !== (from + 1) % n) {
        return {
          property: 'each rank sends only to the next rank on the ring, (r + 1) mod N',
          message: `at step ${s + 1}, rank ${from} sends chunk ${chunk} to rank ${to}; its one link goes to rank ${(from + 1) % n}.`,
          drawing: draw([[to, s], [from, s]]),
        };
      }
    }
    const twice = senders.find((r, i) => senders.indexOf(r) !== i);
    if (twice !== undefined) {
      const chunks = step.sends.filter((x) => x.from === twice).map((x) => x.chunk);
      return {
        property: 'a rank sends one chunk per step',
        message: `at step ${s + 1}, rank ${twice} sends ${chunks.length} chunks (${list(chunks)}). A step is the time to send one chunk, 1/N of the data, over the rank's link.`,
        drawing: draw([[(twice + 1) % n, s], [twice, s]]),
      };
    }
  }
  const { held } = simulate(plan, n);
  const last = plan.length - 1;
  const wrongRanks = ranksOf(n).filter((r) => !held[r].every(complete));
  if (wrongRanks.length) {
    const r = wrongRanks[0];
    const c = held[r].findIndex((h) => !complete(h));
    return {
      property: 'every rank ends with the full sum of every chunk',
      message: `after the last step, rank ${r}'s chunk ${c} holds ${describeHolding(held[r][c])}, not the sum of all ${n} ranks' chunk ${c}.`,
      drawing: last >= 0 ? draw(wrongRanks.map((q) => [q, last])) : undefined,
    };
  }
  for (const r of ranksOf(n)) {
    const sent = plan.reduce((k, step) => k + step.sends.filter((x) => x.from === r).length, 0);
    if (sent !== 2 * (n - 1)) {
      // Mark the first send beyond 2(N − 1), or the last send when there are too few.
      const steps = plan.flatMap((step, s) => step.sends.filter((x) => x.from === r).map(() => s));
      const at = sent > 2 * (n - 1) ? steps[2 * (n - 1)] : (steps.at(-1) ?? 0);
      return {
        property: `each rank sends 2(N − 1) = ${2 * (n - 1)} chunks, 2(N − 1)/N of its data`,
        message: `rank ${r} sends ${sent} chunks (${sent}/${n} of its data). The ring all-reduce needs ${2 * (n - 1)}: N − 1 to add into the others' chunks, N − 1 to pass the finished ones on.`,
        drawing: last >= 0 ? draw([[(r + 1) % n, at]]) : undefined,
      };
    }
  }
  if (plan.length !== 2 * (n - 1)) {
    const idle = plan.findIndex((step) => step.sends.length < n);
    const r = idle >= 0 ? ranksOf(n).find((q) => !plan[idle].sends.some((x) => x.from === q))! : 0;
    return {
      property: `a ring of ${n} needs 2(N − 1) = ${2 * (n - 1)} steps`,
      message: `the plan takes ${plan.length}${idle >= 0 ? `; at step ${idle + 1} rank ${r} sends nothing` : ''}. With every rank sending one chunk in every step, N − 1 steps of each phase are enough.`,
      drawing: draw([[(r + 1) % n, Math.max(idle, 0)]]),
    };
  }
  return undefined;
}

/** The naive all-to-all: every rank sends all its chunks to every other rank, in one step or in N − 1 (one other rank per step); receivers add. */
export function allToAll(n: number) {
  const whole = (r: number, q: number) => ranksOf(n).map((chunk) => ({ from: r, to: q, chunk }));
  const oneStep: Plan = n > 1 ? [{ phase: 'reduce-scatter', sends: ranksOf(n).flatMap((r) => ranksOf(n).filter((q) => q !== r).flatMap((q) => whole(r, q))) }] : [];
  const steps: Plan = Array.from({ length: n - 1 }, (_, t) => ({ phase: 'reduce-scatter', sends: ranksOf(n).flatMap((r) => whole(r, (r + t + 1) % n)) }));
  return anyOf(oneStep, steps);
}

/** Each phase run for N steps instead of N − 1 (the reference's chunk rule otherwise). */
export function nStepsPerPhase(n: number): Plan {
  const steps: Plan = [];
  for (let s = 0; s < n && n > 1; s++) steps.push({ phase: 'reduce-scatter', sends: ranksOf(n).map((r) => ringSend(n, r, r - s)) });
  for (let s = 0; s < n && n > 1; s++) steps.push({ phase: 'all-gather', sends: ranksOf(n).map((r) => ringSend(n, r, r + 1 - s)) });
  return steps;
}

/** The reduce-scatter with every rank sending its own chunk r at every step; the all-gather as the reference. */
export function ownChunkEveryStep(n: number): Plan {
  return ringPlan(n).map((step) => (step.phase === 'reduce-scatter' ? { ...step, sends: step.sends.map((x) => ({ ...x, chunk: x.from })) } : step));
}

/** The all-gather with the reduce-scatter's chunk rule, r − s: each rank starts it with a chunk it has not finished. */
export function gatherUnfinished(n: number): Plan {
  return ringPlan(n).map((step, t) => (step.phase === 'all-gather' ? { ...step, sends: step.sends.map((x) => ({ ...x, chunk: mod(x.from - (t - (n - 1)), n) })) } : step));
}

function cases(rng: Rng): { name: string; args: Args }[] {
  const n = rng.pick([6, 7, 9]);
  return [
    { name: 'N = 4: the lesson\'s table', args: [4] },
    { name: 'N = 2: one step of each phase', args: [2] },
    { name: 'N = 3', args: [3] },
    { name: 'N = 5', args: [5] },
    { name: 'N = 8: the GPUs of one server', args: [8] },
    { name: `N = ${n} (drawn at random from 6, 7 and 9)`, args: [n] },
    { name: 'N = 1: nothing to send', args: [1] },
  ];
}

/** The steps of the reference as its drawing shows them: which chunk each rank sends, and what it received. */
function traceOf(n: number) {
  const plan = ringPlan(n);
  const drawing = drawPlan(plan, n);
  return {
    'chunk sent (rank × step)': ranksOf(n).map((r) => plan.map((step) => step.sends.find((x) => x.from === r)!.chunk)),
    'received, and what it holds after the step (rank × step)': drawing.cells,
  };
}

export default defineExercise<Args, Plan>({
  entry: 'ringAllReduceSchedule',
  signature: 'ringAllReduceSchedule(ranks: number): { phase: "reduce-scatter" | "all-gather"; sends: { from: number; to: number; chunk: number }[] }[]',
  compare: 'exact',
  cases,
  reference: (_ctx, ranks) => ringPlan(ranks),
  trace: (_ctx, ranks) => traceOf(ranks),
  schedule: { check: checkPlan },
  properties: [
    {
      name: 'every ring from 1 to 12 ranks gets a plan that checks out',
      cases: () => [{ name: 'N = 1, 2, …, 12', calls: ranksOf(12).map((r) => [r + 1] as Args) }],
      holds: (outputs, calls) => {
        for (const [i, [n]] of calls.entries()) {
          let violation: PlanViolation | undefined;
          try {
            violation = checkPlan(outputs[i] as Plan, n);
          } catch (error) {
            violation = { property: 'the plan can be simulated', message: (error as Error).message };
          }
          if (violation) return `For N = ${n} your plan breaks a property: ${violation.property}: ${violation.message}`;
        }
        return undefined;
      },
    },
  ],
  misconceptions: [
    {
      id: 'naive-all-to-all',
      title: { en: 'every rank sends all its data to every other rank', 'zh-CN': '每个 rank 把全部数据发给其他每个 rank' },
      message: {
        en:
          'Each rank sends its whole data (all N chunks) to every other rank: (N − 1) copies of it, 3 for N = 4, and through links a ring does not have. ' +
          'The ring all-reduce sends each rank\'s data in N chunks, one chunk per step to the next rank only, 2(N − 1) chunks in all: 6 chunks of 1/4, 1.5 copies, for N = 4.',
        'zh-CN':
          '每个 rank 把它的全部数据（全部 N 块）发给其他每个 rank：共 (N − 1) 份，N = 4 时为 3 份，而且要经过环上不存在的链路。' +
          '环形全归约把每个 rank 的数据分成 N 块，每步只向下一个 rank 发送一块，总共 2(N − 1) 块：N = 4 时是 6 块、每块 1/4，' +
          '即 1.5 份。',
      },
      hint: {
        en:
          'On a ring, which rank is rank 0 connected to? Cut each rank\'s data into N chunks and send only one chunk per step.',
        'zh-CN':
          '在环上，rank 0 和哪个 rank 相连？把每个 rank 的数据切成 N 块，每步只发送一块。',
      },
      wrong: (_ctx, ranks) => allToAll(ranks),
    },
    {
      id: 'n-steps-per-phase',
      title: { en: 'N steps per phase instead of N − 1', 'zh-CN': '每个阶段 N 步，而不是 N − 1 步' },
      message: {
        en:
          'The reduce-scatter takes N − 1 steps, not N: after N − 1 additions a chunk holds all N ranks\' values, and one more step adds a rank\'s values a second time ' +
          '(for N = 4, after step 4 rank 0\'s chunk 0 holds rank 0\'s values twice, until the all-gather overwrites it). Each rank then sends 2N = 8 chunks where 2(N − 1) = 6 are enough, in 8 steps instead of 6.',
        'zh-CN':
          '归约散射需要 N − 1 步，而不是 N 步：经过 N − 1 次累加后，一块已经包含全部 N 个 rank 的值，再多一步就会把某个 rank 的值加第二次（N = 4 时，' +
          '第 4 步之后 rank 0 的第 0 块含有两次 rank 0 的值，直到全收集把它覆盖）。于是每个 rank 发送了 2N = 8 块，' +
          '而 2(N − 1) = 6 块就够了，用了 8 步而不是 6 步。',
      },
      hint: {
        en:
          'Count for N = 2: how many steps does it take for each of the 2 chunks to hold both ranks\' values?',
        'zh-CN':
          '数一数 N = 2 的情形：要几步，2 块中的每一块才能都包含两个 rank 的值？',
      },
      wrong: (_ctx, ranks) => nStepsPerPhase(ranks),
    },
    {
      id: 'own-chunk-every-step',
      title: { en: 'each rank sends its own chunk r at every reduce-scatter step', 'zh-CN': '每个归约散射步都发送自己的第 r 块' },
      message: {
        en:
          'At reduce-scatter step s, rank r must pass on chunk r − s (mod N), the one it has just added into; sending its own chunk r at every step adds rank r\'s values into the same chunk of rank r + 1 again and again ' +
          '(for N = 4, rank 1\'s chunk 0 holds rank 0\'s values 3 times after the reduce-scatter) and no chunk is ever complete: rank 0 ends with chunk 0 holding rank 3\'s values only.',
        'zh-CN':
          '在归约散射第 s 步，rank r 必须传出第 r − s（mod N）块，也就是它刚刚累加过的那一块；每一步都发送自己的第 r 块，会把 rank r 的值一遍又一遍地加进 rank r + 1 的同一块（N = 4 时，' +
          '归约散射结束后 rank 1 的第 0 块含有 3 次 rank 0 的值），而且没有任何一块能凑完整：rank 0 最终的第 0 块只含 rank 3 的值。',
      },
      hint: {
        en:
          'At step 2, which chunk did rank r just receive and add into? That running sum is what it passes on.',
        'zh-CN':
          '在第 2 步，rank r 刚刚收到并累加的是哪一块？它要传下去的正是这个部分和。',
      },
      wrong: (_ctx, ranks) => ownChunkEveryStep(ranks),
    },
    {
      id: 'gather-unfinished-chunk',
      title: { en: 'the all-gather starts from a chunk that is not finished', 'zh-CN': '全收集从尚未完成的块开始' },
      message: {
        en:
          'After the reduce-scatter, rank r holds the full sum of chunk r + 1 (mod N), not chunk r: the all-gather must start from it (chunk r + 1 − s at all-gather step s). ' +
          'Sending chunk r − s passes partial sums on and overwrites the finished ones with them: for N = 4, every rank ends with each chunk c holding rank c\'s values only.',
        'zh-CN':
          '归约散射之后，rank r 持有的是第 r + 1（mod N）块的完整和，而不是第 r 块：全收集必须从它开始（全收集第 s 步发送第 r + 1 − s 块）。' +
          '发送第 r − s 块会把部分和传下去，并用它们覆盖已完成的和：N = 4 时，每个 rank 最终的每个第 c 块都只含 rank c 的值。',
      },
      hint: {
        en:
          'After the reduce-scatter of the lesson\'s table, which chunk does rank 0 hold complete? Start the all-gather with that one.',
        'zh-CN':
          '在课程表格的归约散射结束后，rank 0 持有完整的是哪一块？全收集就从这一块开始。',
      },
      wrong: (_ctx, ranks) => gatherUnfinished(ranks),
    },
  ],
  hints: [
    {
      en:
        'Draw N = 3 by hand: 3 ranks, 3 chunks each. At every step each rank sends one chunk to the next rank. Which chunk must rank 0 send first, and which next, so that a running sum keeps travelling?',
      'zh-CN':
        '先手画 N = 3 的情形：3 个 rank，每个 3 块。每一步每个 rank 向下一个 rank 发送一块。rank 0 第一步要发哪一块、下一步发哪一块，' +
        '才能让部分和一直往前传？',
    },
    {
      en:
        'Reduce-scatter step s (from 0): rank r sends chunk (r − s) mod N to rank (r + 1) mod N, which adds it to its own. After N − 1 steps rank r holds chunk (r + 1) mod N complete.',
      'zh-CN':
        '归约散射第 s 步（从 0 开始）：rank r 把第 (r − s) mod N 块发给 rank (r + 1) mod N，后者把它加到自己的对应块上。' +
        'N − 1 步之后，rank r 持有完整的第 (r + 1) mod N 块。',
    },
    {
      en:
        'All-gather step s: rank r sends chunk (r + 1 − s) mod N, the one it finished or has just received whole; the receiver overwrites its copy. N − 1 steps of each phase; N = 1 needs none.',
      'zh-CN':
        '全收集第 s 步：rank r 发送第 (r + 1 − s) mod N 块，也就是它已完成或刚刚完整收到的那一块；接收方覆盖自己的副本。' +
        '每个阶段 N − 1 步；N = 1 时一步也不需要。',
    },
  ],
});
