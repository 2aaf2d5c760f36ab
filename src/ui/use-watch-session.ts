import { useSyncExternalStore } from 'react';
import type { WatchSession, WatchSnapshot } from '../core/workspace/watch-session.js';

/** The session's latest snapshot; re-renders on every change. */
export function useWatchSession(session: Pick<WatchSession, 'subscribe' | 'getSnapshot'>): WatchSnapshot {
  return useSyncExternalStore(session.subscribe, session.getSnapshot);
}
