import { useMemo, useSyncExternalStore } from 'react';
import type { WatchSession, WatchSnapshot } from '../core/workspace/watch-session.js';

/** How often, at most, the screen shows which stage a grading is in (milliseconds). */
export const stageRefreshMs = 60;

export type SnapshotSource = Pick<WatchSession, 'subscribe' | 'getSnapshot'>;

/** Whether `next` differs from `shown` in the grading stage alone. */
function onlyStageChanged(shown: WatchSnapshot, next: WatchSnapshot): boolean {
  const keys = new Set([...Object.keys(shown), ...Object.keys(next)] as (keyof WatchSnapshot)[]);
  for (const key of keys) if (key !== 'stage' && shown[key] !== next[key]) return false;
  return true;
}

/**
 * The snapshots of `source` as the screen shows them: every change at once,
 * except a change of the grading stage alone, which shows at most every
 * `refreshMs` milliseconds (the latest stage then). Each new stage label
 * re-renders the whole screen, which costs the grading itself time (about
 * 15 ms of a 90 ms save).
 */
export function throttleStages(source: SnapshotSource, refreshMs = stageRefreshMs): SnapshotSource {
  let shown = source.getSnapshot();
  return {
    getSnapshot: () => shown,
    subscribe: (listener) => {
      let timer: NodeJS.Timeout | undefined;
      const show = () => {
        clearTimeout(timer);
        timer = undefined;
        shown = source.getSnapshot();
        listener(shown);
      };
      const unsubscribe = source.subscribe((next) => {
        if (!onlyStageChanged(shown, next)) show();
        else timer ??= setTimeout(show, refreshMs);
      });
      // Whatever changed before this subscription shows at once.
      shown = source.getSnapshot();
      return () => {
        clearTimeout(timer);
        unsubscribe();
      };
    },
  };
}

/** The session's latest snapshot; re-renders on every change, and on a new grading stage at most every `refreshMs`. */
export function useWatchSession(session: SnapshotSource, refreshMs = stageRefreshMs): WatchSnapshot {
  const store = useMemo(() => throttleStages(session, refreshMs), [session, refreshMs]);
  return useSyncExternalStore(store.subscribe, store.getSnapshot);
}
