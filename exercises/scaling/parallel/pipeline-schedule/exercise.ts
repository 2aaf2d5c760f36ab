import { defineExercise, type PlanDrawing, type PlanViolation, type Rng } from 'llm-tutor/pack';

export type Kind = 'gpipe' | '1f1b';
export type Grid = string[][];
type Args = [stages: number, microbatches: number, kind: Kind];

const range = (n: number) => Array.from({ length: Math.max(0, n) }, (_, i) => i);
/** The shading of an idle slot in a drawing: the bubble. */
export const IDLE = '░░';

/**
 * The order in which stage s runs its forwards and backwards. GPipe: every
 * forward, then every backward. 1F1B: min(p − 1 − s, m) warm-up forwards,
 * then one forward and one backward in turn, then the remaining backwards.
 * `warmup` changes the number of warm-up forwards (a misconception's).
 */
export function stageOrder(p: number, m: number, kind: Kind, s: number, warmup = p - 1 - s): string[] {
  if (kind === 'gpipe') return [...range(m).map((i) => `F${i}`), ...range(m).map((i) => `B${i}`)];
  const w = Math.min(warmup, m);
  const order = range(w).map((i) => `F${i}`);
  for (let i = 0; i < m - w; i++) order.push(`F${w + i}`, `B${i}`);
  for (let i = m - w; i < m; i++) order.push(`B${i}`);
  return order;
}

/**
 * Places each stage's operations, in its order, at the earliest slot where
 * its input is ready: F i on stage s once stage s − 1 has run F i, B i once
 * stage s + 1 has run B i (on the last stage, once it has run F i). Returns
 * grid[time][stage].
 */
export function placeInOrder(p: number, m: number, orders: string[][]): Grid {
  const done = new Map<string, number>(); // `${op}@${stage}` → its slot
  const next = range(p).map(() => 0);
  const grid: Grid = [];
  for (let t = 0; next.some((k, s) => k < orders[s].length); t++) {
    if (t > 4 * (m + p) + 4) throw new Error('not applicable: these stage orders wait on each other for ever');
    grid.push(range(p).map(() => ''));
    for (let s = 0; s < p; s++) {
      const op = orders[s][next[s]];
      if (op === undefined) continue;
      const i = op.slice(1);
      const needs = op[0] === 'F' ? (s > 0 ? `F${i}@${s - 1}` : undefined) : s < p - 1 ? `B${i}@${s + 1}` : `F${i}@${s}`;
      const ready = needs === undefined || (done.has(needs) && done.get(needs)! < t);
      if (!ready) continue;
      grid[t][s] = op;
      next[s]++;
    }
    for (let s = 0; s < p; s++) if (grid[t][s]) done.set(`${grid[t][s]}@${s}`, t);
  }
  return grid;
}

/** The reference timetable: each stage's order of `kind`, every operation as early as its input allows. */
export function pipelinePlan(p: number, m: number, kind: Kind): Grid {
  return placeInOrder(p, m, range(p).map((s) => stageOrder(p, m, kind, s)));
}

/** The slots of a timetable: 2(m + p − 1), or none without microbatches. */
export const minimalLength = (p: number, m: number) => (m === 0 ? 0 : 2 * (m + p - 1));

/** The bubble: the share of a stage's slots it is idle, (p − 1)/(m + p − 1). */
export const bubbleFraction = (p: number, m: number) => (p - 1) / (m + p - 1);

/** Microbatches in flight on each stage after each slot (forwards done − backwards done): inFlight[time][stage]. */
export function inFlight(grid: Grid, p: number): number[][] {
  const count = range(p).map(() => 0);
  return grid.map((row) => range(p).map((s) => (count[s] += row[s]?.[0] === 'F' ? 1 : row[s]?.[0] === 'B' ? -1 : 0)));
}

/** The timetable as stages × time, idle slots shaded. */
export function drawGrid(grid: Grid, p: number, marks: [number, number][] = []): PlanDrawing {
  return {
    rowTitle: 'stage',
    colTitle: 'time',
    rows: range(p).map(String),
    cols: grid.map((_, t) => String(t)),
    cells: range(p).map((s) => grid.map((row) => row[s] || IDLE)),
    marks,
  };
}

const snippet = (x: unknown) => (JSON.stringify(x) ?? String(x)).slice(0, 100);

/** Why `grid` is not `grid[time][stage]` of "F<i>", "B<i>" or "", with p stages and microbatches below m; or undefined. */
function malformed(grid: unknown, p: number, m: number): string | undefined {
  if (!Array.isArray(grid)) return `pipelineSchedule returned ${snippet(grid)}, not a list of time slots.`;
  for (const [t, row] of grid.entries()) {
    if (!Array.isArray(row) || row.length !== p) return `grid[${t}] is ${snippet(row)}: each time slot is a list of ${p} entries, one per stage.`;
    for (const [s, cell] of row.entries()) {
      const op = typeof cell === 'string' ? /^([FB])(\d+)$/.exec(cell) : null;
      if (cell === '' || (op && Number(op[2]) < m && String(Number(op[2])) === op[2])) continue;
      return `grid[${t}][${s}] is ${snippet(cell)}; an entry is "F<i>" or "B<i>" for a microbatch i from 0 to ${m - 1}, or "" for an idle slot.`;
    }
  }
  return undefined;
}

/**
 * Runs the timetable and returns the first property that breaks: its shape,
 * each operation at most once per stage, the dependencies, completeness, the
 * kind's rule (GPipe: forwards before backwards on each stage; 1F1B: at most
 * p − s microbatches in flight on stage s), and the length 2(m + p − 1).
 */
export function checkGrid(grid: Grid, stages: number, microbatches: number, kind: Kind): PlanViolation | undefined {
  const p = stages;
  const m = microbatches;
  const shape = malformed(grid, p, m);
  if (shape) return { property: 'a timetable is grid[time][stage] of "F<i>", "B<i>" or ""', message: shape };
  const draw = (marks: [number, number][]) => drawGrid(grid, p, marks);
  const at = new Map<string, number>(); // `${op}@${stage}` → its slot
  for (const [t, row] of grid.entries()) {
    for (const [s, op] of row.entries()) {
      if (!op) continue;
      const key = `${op}@${s}`;
      if (at.has(key)) {
        return {
          property: 'each forward and backward runs exactly once on every stage',
          message: `stage ${s} runs ${op} twice, at times ${at.get(key)} and ${t}.`,
          drawing: draw([[s, t], [s, at.get(key)!]]),
        };
      }
      at.set(key, t);
    }
  }
  for (const [t, row] of grid.entries()) {
    for (const [s, op] of row.entries()) {
      if (!op) continue;
      const i = op.slice(1);
      const [needs, from, what] =
        op[0] === 'F'
          ? s > 0
            ? [`F${i}`, s - 1, `its input, the output of F${i} on stage ${s - 1}`]
            : [undefined, s, '']
          : s < p - 1
            ? [`B${i}`, s + 1, `its gradient, from B${i} on stage ${s + 1}`]
            : [`F${i}`, s, `the loss of microbatch ${i}, which F${i} on this last stage computes`];
      if (needs === undefined) continue;
      const when = at.get(`${needs}@${from}`);
      if (when === undefined || when >= t) {
        const property = op[0] === 'F' ? 'F i on stage s comes after F i on stage s − 1' : s < p - 1 ? 'B i on stage s comes after B i on stage s + 1' : 'B i on the last stage comes after F i on it';
        const where = `stage ${from}`;
        const said = when === undefined ? `${where} never runs ${needs}` : when === t ? `${where} runs ${needs} in the same slot` : `${where} runs ${needs} only at time ${when}`;
        return {
          property,
          message: `at time ${t}, stage ${s} runs ${op}, but ${said}. ${op} needs ${what}, ready in the slot after it.`,
          drawing: draw(when === undefined ? [[s, t]] : [[s, t], [from, when]]),
        };
      }
    }
  }
  const last = grid.length - 1;
  for (const s of range(p)) {
    for (const op of range(m).flatMap((i) => [`F${i}`, `B${i}`])) {
      if (!at.has(`${op}@${s}`)) {
        return {
          property: 'each forward and backward runs exactly once on every stage',
          message: `stage ${s} never runs ${op}: every microbatch goes forward and backward through every stage.`,
          drawing: last >= 0 ? draw([[s, last]]) : undefined,
        };
      }
    }
  }
  if (kind === 'gpipe') {
    for (const s of range(p)) {
      const firstB = grid.findIndex((row) => row[s][0] === 'B');
      const lateF = firstB < 0 ? -1 : grid.findIndex((row, t) => t > firstB && row[s][0] === 'F');
      if (lateF >= 0) {
        return {
          property: 'GPipe: every forward on a stage comes before any backward on it',
          message: `stage ${s} runs ${grid[lateF][s]} at time ${lateF}, after ${grid[firstB][s]} at time ${firstB}. GPipe runs all m forwards, then all m backwards (that is 1F1B's order).`,
          drawing: draw([[s, lateF], [s, firstB]]),
        };
      }
    }
  } else {
    const flight = inFlight(grid, p);
    for (const [t, row] of flight.entries()) {
      const s = row.findIndex((k, q) => k > p - q);
      if (s >= 0) {
        return {
          property: '1F1B: at most p − s microbatches in flight on stage s',
          message: `after time ${t}, stage ${s} holds the activations of ${row[s]} microbatches (forwards done − backwards done); 1F1B keeps at most p − s = ${p - s} there by starting a backward as soon as one is ready.`,
          drawing: draw([[s, t]]),
        };
      }
    }
  }
  const want = minimalLength(p, m);
  if (grid.length !== want) {
    const beyond = range(p).find((s) => grid.slice(want).some((row) => row[s]));
    const t = beyond === undefined ? want : grid.findIndex((row, k) => k >= want && row[beyond]);
    return {
      property: `the timetable takes 2(m + p − 1) = ${want} slots`,
      message: `yours takes ${grid.length}. Each stage has 2m = ${2 * m} operations and must wait p − 1 = ${p - 1} slots for the first forward to reach it and p − 1 more for the last backward to leave; start each operation as soon as its input is ready.`,
      drawing: draw(want < grid.length && want > 0 ? [[beyond ?? 0, Math.min(t, last)]] : []),
    };
  }
  return undefined;
}

/** Every stage running its own order back to back from time 0, without waiting for its input. */
export const notOffset = (p: number, m: number, kind: Kind): Grid => {
  const orders = range(p).map((s) => stageOrder(p, m, kind, s));
  return range(2 * m).map((t) => orders.map((o) => o[t] ?? ''));
};

/** GPipe with the backward running from stage 0 to the last stage, as the forward does. */
export function backwardForwardDirection(p: number, m: number, kind: Kind): Grid {
  if (kind !== 'gpipe') throw new Error('not applicable: written for the GPipe timetable');
  const grid = pipelinePlan(p, m, kind);
  // The backward slots mirrored across the stages: B i on stage s at m + p − 1 + i + s.
  return grid.map((row, t) => (t < m + p - 1 ? row : row.map((_, s) => row[p - 1 - s])));
}

/** One stage busy at a time: GPipe stage by stage (every forward of stage 0, then stage 1…), 1F1B microbatch by microbatch. */
export function oneStageAtATime(p: number, m: number, kind: Kind): Grid {
  const grid: Grid = range(2 * m * p).map(() => range(p).map(() => ''));
  for (const i of range(m)) {
    for (const s of range(p)) {
      if (kind === 'gpipe') {
        grid[s * m + i][s] = `F${i}`;
        grid[p * m + (p - 1 - s) * m + i][s] = `B${i}`;
      } else {
        grid[2 * p * i + s][s] = `F${i}`;
        grid[2 * p * i + p + (p - 1 - s)][s] = `B${i}`;
      }
    }
  }
  return grid;
}

function cases(rng: Rng): { name: string; args: Args }[] {
  const p = rng.int(2, 6);
  const m = rng.int(p + 1, 10);
  return [
    { name: "1F1B, 4 stages, 8 microbatches: the lesson's timetable", args: [4, 8, '1f1b'] },
    { name: "GPipe, 4 stages, 8 microbatches: the lesson's timetable", args: [4, 8, 'gpipe'] },
    { name: 'GPipe, 3 stages, 4 microbatches', args: [3, 4, 'gpipe'] },
    { name: '1F1B, 3 stages, 4 microbatches', args: [3, 4, '1f1b'] },
    { name: 'GPipe, 2 stages, 6 microbatches', args: [2, 6, 'gpipe'] },
    { name: '1F1B, 5 stages, 3 microbatches: fewer microbatches than stages', args: [5, 3, '1f1b'] },
    { name: `GPipe, ${p} stages, ${m} microbatches (random)`, args: [p, m, 'gpipe'] },
    { name: `1F1B, ${p} stages, ${m} microbatches (random)`, args: [p, m, '1f1b'] },
    { name: 'GPipe, 4 stages, 1 microbatch: no pipelining at all', args: [4, 1, 'gpipe'] },
    { name: '1F1B, 1 stage, 3 microbatches: no pipeline', args: [1, 3, '1f1b'] },
    { name: '1F1B, 3 stages, 0 microbatches: an empty timetable', args: [3, 0, '1f1b'] },
  ];
}

const isGrid = (x: unknown): x is Grid => Array.isArray(x) && x.every((row) => Array.isArray(row) && row.every((c) => typeof c === 'string'));

export default defineExercise<Args, Grid>({
  entry: 'pipelineSchedule',
  signature: 'pipelineSchedule(stages: number, microbatches: number, kind: "gpipe" | "1f1b"): string[][]',
  compare: 'exact',
  cases,
  reference: (_ctx, stages, microbatches, kind) => pipelinePlan(stages, microbatches, kind),
  trace: (_ctx, stages, microbatches, kind) => {
    const grid = pipelinePlan(stages, microbatches, kind);
    return {
      'slots, 2(m + p − 1)': grid.length,
      'bubble, (p − 1)/(m + p − 1)': microbatches === 0 ? 0 : bubbleFraction(stages, microbatches),
      'most in flight on each stage': range(stages).map((s) => Math.max(0, ...inFlight(grid, stages).map((row) => row[s]))),
      'in flight after each slot (stage × time)': range(stages).map((s) => inFlight(grid, stages).map((row) => row[s])),
    };
  },
  schedule: { check: checkGrid },
  properties: [
    {
      name: 'every pipeline of 1 to 5 stages and 0 to 9 microbatches gets a timetable that checks out, of both kinds',
      cases: () => [
        {
          name: 'p = 1, 2, 3, 5 and m = 0, 1, 2, 5, 9, GPipe and 1F1B',
          calls: [1, 2, 3, 5].flatMap((p) => [0, 1, 2, 5, 9].flatMap((m) => (['gpipe', '1f1b'] as const).map((kind) => [p, m, kind] as Args))),
        },
      ],
      holds: (outputs, calls) => {
        for (const [i, [p, m, kind]] of calls.entries()) {
          let violation: PlanViolation | undefined;
          try {
            violation = checkGrid(outputs[i] as Grid, p, m, kind);
          } catch (error) {
            violation = { property: 'the timetable can be simulated', message: (error as Error).message };
          }
          if (violation) return `For ${p} stage${p > 1 ? 's' : ''}, ${m} microbatch${m === 1 ? '' : 'es'} and ${kind}, your timetable breaks a property: ${violation.property}: ${violation.message}`;
        }
        return undefined;
      },
    },
    {
      name: 'each stage is idle (p − 1)/(m + p − 1) of the time, in GPipe and in 1F1B alike',
      cases: () => [
        { name: '4 stages, 8 microbatches: 3/11', calls: [[4, 8, 'gpipe'], [4, 8, '1f1b']] },
        { name: '3 stages, 12 microbatches: 2/14', calls: [[3, 12, 'gpipe'], [3, 12, '1f1b']] },
      ],
      holds: (outputs, calls) => {
        for (const [i, [p, m, kind]] of calls.entries()) {
          const grid = outputs[i];
          if (!isGrid(grid) || grid.length === 0) return `pipelineSchedule(${p}, ${m}, "${kind}") returned ${snippet(grid)}, not a list of time slots of strings.`;
          for (const s of range(p)) {
            const idle = grid.filter((row) => !row[s]).length;
            const want = bubbleFraction(p, m);
            if (Math.abs(idle / grid.length - want) > 1e-12) {
              return `In your ${kind} timetable for ${p} stages and ${m} microbatches, stage ${s} is idle ${idle} of ${grid.length} slots (${(idle / grid.length).toFixed(3)}), not (p − 1)/(m + p − 1) = ${p - 1}/${m + p - 1} (${want.toFixed(3)}): every stage waits p − 1 slots for the first forward and p − 1 for the last backward, and no longer.`;
            }
          }
        }
        return undefined;
      },
    },
  ],
  misconceptions: [
    {
      id: 'stages-not-offset',
      title: { en: 'every stage starts at time 0', 'zh-CN': '每个 stage 都从时刻 0 开始' },
      message: {
        en:
          'Stage s cannot run F0 before stage s − 1 has: its input is that stage\'s output. Your stages all start at time 0, so stage 1 runs F0 in the same slot as stage 0. ' +
          'Offset each stage by its distance from the start: in GPipe, F i runs on stage s at time s + i (with 4 stages, stage 3 starts F0 at time 3).',
        'zh-CN':
          'stage s 不能在 stage s − 1 之前运行 F0：它的输入就是那个 stage 的输出。你的所有 stage 都从时刻 0 开始，' +
          '于是 stage 1 和 stage 0 在同一个时隙运行 F0。应按每个 stage 与起点的距离把它错开：在 GPipe 中，F i 在时刻 s + i 运行于 stage s（有 4 个 stage 时，' +
          'stage 3 在时刻 3 开始 F0）。',
      },
      hint: {
        en:
          'At time 0 only stage 0 has an input. When does the output of F0 on stage 0 reach stage 1?',
        'zh-CN':
          '在时刻 0，只有 stage 0 有输入。stage 0 上 F0 的输出什么时候到达 stage 1？',
      },
      wrong: (_ctx, stages, microbatches, kind) => notOffset(stages, microbatches, kind),
    },
    {
      id: 'backward-wrong-direction',
      title: { en: 'the backward runs from the first stage to the last', 'zh-CN': '反向从第一个 stage 走到最后一个' },
      message: {
        en:
          'The backward pass goes the other way: the gradient starts at the loss, on the last stage, and B i on stage s needs the gradient from B i on stage s + 1. ' +
          'With 4 stages and 8 microbatches, B0 runs on stage 3 at time 11, on stage 2 at 12, stage 1 at 13 and stage 0 at 14; yours starts it on stage 0 at time 11.',
        'zh-CN':
          '反向传播的方向相反：梯度从损失开始，也就是从最后一个 stage 开始，stage s 上的 B i 需要 stage s + 1 上 B i 的梯度。' +
          '4 个 stage、8 个微批次时，B0 在时刻 11 运行于 stage 3，12 于 stage 2，13 于 stage 1，14 于 stage 0；' +
          '而你的时间表在时刻 11 从 stage 0 开始它。',
      },
      hint: { en: 'Where is the loss computed, and which stage receives its gradient first?', 'zh-CN': '损失在哪里计算？哪个 stage 最先收到它的梯度？' },
      wrong: (_ctx, stages, microbatches, kind) => backwardForwardDirection(stages, microbatches, kind),
    },
    {
      id: 'all-forwards-first',
      title: { en: '1F1B with every forward first, as GPipe', 'zh-CN': '1F1B 像 GPipe 一样先跑完所有前向' },
      message: {
        en:
          'That is GPipe\'s order: stage 0 then holds the activations of all m microbatches before its first backward (8 in the lesson). ' +
          '1F1B runs only p − 1 − s warm-up forwards on stage s (3 on stage 0 with 4 stages), then alternates one forward and one backward, so at most p − s microbatches (4) are ever in flight there.',
        'zh-CN':
          '这是 GPipe 的顺序：stage 0 在第一个反向之前要保存全部 m 个微批次的激活值（课程示例中为 8 个）。1F1B 在 stage s 上只运行 p − 1 − s 个预热前向（4 个 stage 时 stage 0 为 3 个），' +
          '然后一个前向、一个反向地交替，所以那里在途的微批次始终不超过 p − s 个（4 个）。',
      },
      hint: {
        en:
          'In 1F1B, how many forwards does stage 0 run before its first backward when there are 4 stages?',
        'zh-CN':
          '在 1F1B 中，有 4 个 stage 时，stage 0 在第一个反向之前运行几个前向？',
      },
      wrong: (_ctx, stages, microbatches) => pipelinePlan(stages, microbatches, 'gpipe'),
    },
    {
      id: 'warmup-off-by-one',
      title: { en: '1F1B with one warm-up forward too many', 'zh-CN': '1F1B 的预热前向多了一个' },
      message: {
        en:
          'Stage s runs p − 1 − s warm-up forwards, not p − s: its next forward is the one that fills it to p − s microbatches in flight, and a backward must follow right after. ' +
          'With p − s warm-ups, stage 0 of the lesson holds 5 microbatches after time 4 instead of at most 4.',
        'zh-CN':
          'stage s 运行 p − 1 − s 个预热前向，而不是 p − s 个：它的下一个前向会让在途的微批次达到 p − s 个，之后必须紧跟一个反向。' +
          '用 p − s 个预热前向时，课程示例的 stage 0 在时刻 4 之后保存了 5 个微批次，而不是最多 4 个。',
      },
      hint: {
        en:
          'Count the microbatches in flight on stage 0 of the lesson after its warm-up and the first forward of the steady state: is it more than p − s?',
        'zh-CN':
          '数一数课程示例中 stage 0 在预热和稳态的第一个前向之后在途的微批次数：是否超过了 p − s？',
      },
      wrong: (_ctx, stages, microbatches, kind) => (kind === 'gpipe' ? pipelinePlan(stages, microbatches, kind) : placeInOrder(stages, microbatches, range(stages).map((s) => stageOrder(stages, microbatches, kind, s, stages - s)))),
    },
    {
      id: 'one-stage-at-a-time',
      title: { en: 'one stage busy at a time: no pipelining', 'zh-CN': '一次只有一个 stage 在忙：没有流水起来' },
      message: {
        en:
          'Your timetable is right but serial: only one stage works in any slot, so it takes 2·m·p slots (64 for 4 stages and 8 microbatches) instead of 2(m + p − 1) = 22. ' +
          'Start each operation as soon as its input is ready: stage 1 can run F0 at time 1 while stage 0 runs F1.',
        'zh-CN':
          '你的时间表是对的，但是串行的：任何时隙都只有一个 stage 在工作，所以要 2·m·p 个时隙（4 个 stage、8 个微批次时为 64 个），' +
          '而不是 2(m + p − 1) = 22 个。让每个操作在输入就绪后尽早开始：stage 0 运行 F1 的同时，stage 1 就可以运行 F0。',
      },
      hint: {
        en:
          'In your timetable, what is stage 1 doing while stage 0 runs F1? Could it already run F0?',
        'zh-CN':
          '在你的时间表中，stage 0 运行 F1 时，stage 1 在做什么？它是否已经可以运行 F0 了？',
      },
      wrong: (_ctx, stages, microbatches, kind) => oneStageAtATime(stages, microbatches, kind),
    },
  ],
  hints: [
    {
      en:
        'Draw 3 stages and 2 microbatches on paper: a row per stage, a column per slot. Put F0 on stage 0 at time 0 and follow it through the stages, then back as B0 from the last stage.',
      'zh-CN':
        '在纸上画 3 个 stage、2 个微批次：每个 stage 一行，每个时隙一列。把 F0 放在 stage 0 的时刻 0，跟着它穿过各个 stage，' +
        '再作为 B0 从最后一个 stage 往回走。',
    },
    {
      en:
        'GPipe: F i on stage s at time s + i; the backward starts on the last stage right after its last forward, at time m + p − 1, and B i reaches stage s at m + p − 1 + i + (p − 1 − s).',
      'zh-CN':
        'GPipe：stage s 上的 F i 在时刻 s + i；反向在最后一个 stage 的最后一个前向之后立即开始，即时刻 m + p − 1，' +
        'B i 在 m + p − 1 + i + (p − 1 − s) 到达 stage s。',
    },
    { text: {
        en:
          '1F1B: stage s runs min(p − 1 − s, m) warm-up forwards, then a forward and a backward in turn, then its remaining backwards; place each operation in the first slot after its input is ready.',
        'zh-CN':
          '1F1B：stage s 先运行 min(p − 1 − s, m) 个预热前向，然后前向和反向交替，最后运行剩余的反向；每个操作都放在其输入就绪后的第一个时隙。',
      }, misconception: 'all-forwards-first' },
  ],
});
