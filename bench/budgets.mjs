// The budgets of SPEC §9 and how a figure is judged against them.
// Machines of the same kind differ about 2× in speed, so a command's budget is a ratio to `node -e 0` measured in the
// same run; an absolute budget (in ms, or tokens/s) is for a machine where `node -e 0` takes 60 ms and is scaled by
// the floor measured here (a slower machine gets proportionally more time, or fewer tokens per second). Memory is not scaled.

/** The floor the absolute budgets are written for. */
export const nominalFloorMs = 60;

/** At most `value` × `node -e 0`. */
export const ratio = (value) => ({ kind: 'ratio', value });
/** At most `value` ms on a machine whose floor is 60 ms. */
export const ms = (value) => ({ kind: 'ms', value });
/** At least `value` `unit` on a machine whose floor is 60 ms. */
export const atLeast = (value, unit) => ({ kind: 'atLeast', value, unit });
/** At most `value` MiB, whatever the machine. */
export const mib = (value) => ({ kind: 'mib', value });

const round = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

/** A figure's median in its unit, for a reader. */
export function showFigure(f) {
  if (f.unit === 'bytes') return `${(f.median / 2 ** 20).toFixed(0)} MiB`;
  if (f.unit) return `${round(f.median)} ${f.unit}`;
  return f.median >= 10_000 ? `${(f.median / 1000).toFixed(1)} s` : `${f.median.toFixed(0)} ms`;
}

/**
 * `{ limit, met, budgetText, limitText }` for figure `f` against its budget, with `floorMs` the median of
 * `node -e 0` in the same run: `limit` is the budget on this machine, in the figure's unit.
 */
export function judge(f, floorMs) {
  const b = f.budget;
  const scale = floorMs / nominalFloorMs;
  switch (b.kind) {
    case 'ratio': {
      const limit = b.value * floorMs;
      return { limit, met: f.median <= limit, budgetText: `≤ ${b.value}× \`node -e 0\``, limitText: `${limit.toFixed(0)} ms` };
    }
    case 'ms': {
      const limit = b.value * scale;
      const text = (x) => (x >= 10_000 ? `${(x / 1000).toFixed(x >= 100_000 ? 0 : 1)} s` : `${x.toFixed(0)} ms`);
      return { limit, met: f.median <= limit, budgetText: `≤ ${text(b.value)} (at a 60 ms floor)`, limitText: text(limit) };
    }
    case 'atLeast': {
      const limit = b.value / scale;
      return { limit, met: f.median >= limit, budgetText: `≥ ${b.value} ${b.unit} (at a 60 ms floor)`, limitText: `≥ ${limit.toFixed(0)} ${b.unit}` };
    }
    case 'mib': {
      const limit = b.value * 2 ** 20;
      const text = b.value >= 1024 ? `${(b.value / 1024).toFixed(1)} GiB` : `${b.value} MiB`;
      return { limit, met: f.median <= limit, budgetText: `≤ ${text}`, limitText: text };
    }
    default:
      throw new Error(`unknown budget kind ${b.kind}`);
  }
}

/** The Markdown rows of the budgets table: every figure that has a budget, in order, judged. */
export function budgetTable(figures, floorMs) {
  const rows = [
    '| SPEC §9 | figure | median | × `node -e 0` | budget | limit here | |',
    '| --- | --- | ---: | ---: | --- | ---: | --- |',
  ];
  for (const f of figures) {
    if (!f.budget) continue;
    if (f.notMeasured) {
      rows.push(`| ${f.budgetName ?? f.label} | ${f.label} | not measured: ${f.notMeasured} |  |  |  | |`);
      continue;
    }
    const j = judge(f, floorMs);
    const multiple = f.unit ? '' : `${(f.median / floorMs).toFixed(1)}×`;
    rows.push(`| ${f.budgetName ?? ''} | ${f.label} | ${showFigure(f)} | ${multiple} | ${j.budgetText} | ${j.limitText} | ${j.met ? 'met' : '**not met**'} |`);
  }
  return rows;
}
