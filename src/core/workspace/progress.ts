import type { ExerciseRef } from '../packs/packs.js';
import type { State } from '../common/schemas.js';
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
 * Reveals one more hint of the exercise `key`, of the `hintCount` it has, when
 * the learner has seen `seen` so far, and saves it in the progress file (the
 * saved count never goes down). Returns how many are revealed now (at most
 * `hintCount`) and the saved state, which is undefined when nothing was left
 * to reveal.
 */
export async function revealHint(store: StateStore, key: string, hintCount: number, seen: number): Promise<{ revealed: number; state?: State }> {
  const revealed = Math.min(hintCount, seen + 1);
  if (revealed <= seen) return { revealed };
  const state = await store.update((s) => {
    const progress = StateStore.progressOf(s, key);
    progress.hintsRevealed = Math.max(progress.hintsRevealed, revealed);
    s.exercises[key] = progress;
  });
  return { revealed, state };
}
