export { expectClose } from '../../helpers/matrices.js';

// Checks shared by the tests of the mini-gpt pack's model exercises.

/**
 * The largest |got − want| / (atol + rtol·|want|) over two nested number
 * arrays (or objects of them) of one shape: below 1 means `got` passes the exercise's comparison,
 * and how far below says how much room float32 rounding leaves.
 */
export function maxRatio(got: unknown, want: unknown, { atol, rtol }: { atol: number; rtol: number }): number {
  if (typeof want === 'number') return Math.abs((got as number) - want) / (atol + rtol * Math.abs(want));
  if (!Array.isArray(want)) {
    const [g, w] = [got as Record<string, unknown>, want as Record<string, unknown>];
    if (Object.keys(g).sort().join() !== Object.keys(w).sort().join()) throw new Error(`keys differ: ${Object.keys(g)} vs ${Object.keys(w)}`);
    return Object.keys(w).reduce((worst, key) => Math.max(worst, maxRatio(g[key], w[key], { atol, rtol })), 0);
  }
  const [g, w] = [got as unknown[], want as unknown[]];
  if (!Array.isArray(g) || g.length !== w.length) throw new Error(`shapes differ: ${g?.length} vs ${w.length}`);
  return w.reduce((worst: number, x, i) => Math.max(worst, maxRatio(g[i], x, { atol, rtol })), 0);
}
