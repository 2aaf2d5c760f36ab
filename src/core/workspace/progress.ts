import type { ExerciseRef } from '../packs/packs.js';
import type { HintId, State } from '../common/schemas.js';
import { nextHint, type HintSource, type LatestGrading } from './hints.js';
import { StateStore } from './state-store.js';

/**
 * How many of `exercises` pass in `state`, out of how many; with `packId`,
 * only the exercises of that pack count.
 */
export function countSolved(exercises: readonly ExerciseRef[], state: State, packId?: string): { solved: number; total: number } {
  const counted = packId === undefined ? exercises : exercises.filter((r) => r.packId === packId);
  return { solved: counted.filter((r) => state.exercises[r.key]?.status === 'passed').length, total: counted.length };
}

/**
 * Reveals the hint that {@link nextHint} chooses for the exercise `key`, given
 * the hints the learner has seen so far and the latest grading, and saves it
 * in the progress file after those already revealed. Returns the hint
 * revealed and the saved state; both are undefined when nothing was left to
 * reveal (and nothing is written).
 */
export async function revealHint(store: StateStore, key: string, source: HintSource, latest: LatestGrading | undefined, seen: readonly HintId[]): Promise<{ hint?: HintId; state?: State }> {
  const hint = nextHint(source, latest, seen);
  if (hint === undefined) return {};
  const state = await store.update((s) => {
    const progress = StateStore.progressOf(s, key);
    if (!progress.revealedHints.includes(hint)) progress.revealedHints.push(hint);
    s.exercises[key] = progress;
  });
  return { hint, state };
}
