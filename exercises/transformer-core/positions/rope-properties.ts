import { randomMatrix, type PropertyCheck, type Rng } from 'llm-tutor/pack';
import { isMatrix, show, wrongKind } from '../properties.js';
import { pairOf, type Layout } from './rope-math.js';

// The "Check yourself" properties of the two RoPE layouts (positions/rope and
// positions/rope-half-split): a rotation keeps lengths, of each pair and so of each row.

type RopeArgs = [x: number[][], positions: number[], base: number];

const length = (xs: readonly number[]) => Math.hypot(...xs);

/** Lengths agree within a tolerance relative to the input's length (float32-like 1e-6 is plenty for float64 code). */
const sameLength = (want: number, got: number) => Math.abs(got - want) <= 1e-6 * (1 + want);

function normCases(rng: Rng): { name: string; calls: RopeArgs[] }[] {
  return [
    { name: 'T=3, d=8, positions [0, 5, 1000]', calls: [[randomMatrix(rng, 3, 8), [0, 5, 1000], 10000]] },
    { name: 'T=2, d=6, positions [37, 100000], base 500000', calls: [[randomMatrix(rng, 2, 6), [37, 100000], 500000]] },
  ];
}

/** The first row whose length changed, in words; undefined when none did. */
function rowChange(x: number[][], out: number[][]): string | undefined {
  const r = x.findIndex((row, i) => out[i]?.length !== row.length || !sameLength(length(row), length(out[i])));
  if (r < 0) return undefined;
  if (out[r]?.length !== x[r].length) return `row ${r} of your output has ${out[r]?.length ?? 0} numbers instead of ${x[r].length}`;
  return `row ${r} has length ${show(length(x[r]))} in x and ${show(length(out[r]))} in your output`;
}

/** The first pair whose length changed, in words; undefined when none did. */
function pairChange(x: number[][], out: number[][], layout: Layout): string | undefined {
  for (let r = 0; r < x.length; r++) {
    const d = x[r].length;
    for (let i = 0; i < d / 2; i++) {
      const [a, b] = pairOf(layout, i, d);
      const [before, after] = [length([x[r][a], x[r][b]]), length([out[r]?.[a], out[r]?.[b]])];
      if (!sameLength(before, after)) return `in row ${r}, pair ${i} (dimensions ${a} and ${b}) has length ${show(before)} in x and ${show(after)} in your output`;
    }
  }
  return undefined;
}

/** "each row keeps its length" and "each pair keeps its length", for the RoPE of `entry` with pairs of `layout`. */
export function ropeNormProperties(entry: string, layout: Layout): PropertyCheck<RopeArgs, number[][]>[] {
  const check = (change: (x: number[][], out: number[][]) => string | undefined, why: string) => (outputs: number[][][], calls: RopeArgs[]) => {
    const odd = wrongKind(entry, 'a matrix', outputs, isMatrix);
    if (odd) return odd;
    const found = change(calls[0][0], outputs[0]);
    return found && `${found[0].toUpperCase()}${found.slice(1)}. ${why}`;
  };
  const pairs = layout === 'neighbours' ? '(2i, 2i+1)' : '(i, i + d/2)';
  return [
    {
      name: 'each row keeps its length',
      cases: normCases,
      holds: check(rowChange, 'RoPE only rotates pairs of numbers, and a rotation never stretches a vector: every row of the output has the length of its row of x.'),
    },
    {
      name: `each pair ${pairs} keeps its length`,
      cases: normCases,
      holds: check(
        (x, out) => pairChange(x, out, layout),
        `Each pair ${pairs} is turned by its own angle, as a point turns around the origin: its distance from the origin, √(x² + y²), stays the same.`,
      ),
    },
  ];
}
