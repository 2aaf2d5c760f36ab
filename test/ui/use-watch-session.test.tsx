import { Text } from 'ink';
import { render } from 'ink-testing-library';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { WatchSnapshot } from '../../src/core/workspace/watch-session.js';
import { stageRefreshMs, throttleStages, useWatchSession } from '../../src/ui/use-watch-session.js';

/** A stand-in for a WatchSession: snapshots replaced on every change, listeners told of each. */
function fakeSession() {
  let snapshot = { phase: 'idle', hints: [] } as unknown as WatchSnapshot;
  const listeners = new Set<(s: WatchSnapshot) => void>();
  return {
    getSnapshot: () => snapshot,
    subscribe: (listener: (s: WatchSnapshot) => void) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    set(patch: Partial<WatchSnapshot>) {
      snapshot = { ...snapshot, ...patch };
      for (const listener of listeners) listener(snapshot);
    },
    listeners,
  };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('throttleStages', () => {
  test('a change of stage alone shows at most every 60 ms, as the latest stage', () => {
    const session = fakeSession();
    const store = throttleStages(session);
    const shown: (string | undefined)[] = [];
    store.subscribe(() => shown.push(store.getSnapshot().stage));
    session.set({ phase: 'grading', stage: 'starting' });
    session.set({ stage: 'bundle' });
    session.set({ stage: 'reference' });
    expect(shown).toEqual(['starting']);
    expect(store.getSnapshot().stage).toBe('starting');
    vi.advanceTimersByTime(stageRefreshMs - 1);
    expect(shown).toEqual(['starting']);
    vi.advanceTimersByTime(1);
    expect(shown).toEqual(['starting', 'reference']);
    session.set({ stage: 'sandbox' });
    vi.advanceTimersByTime(stageRefreshMs);
    expect(shown).toEqual(['starting', 'reference', 'sandbox']);
  });

  test('any other change shows at once, with the latest stage, and the pending stage timer is dropped', () => {
    const session = fakeSession();
    const store = throttleStages(session);
    const listener = vi.fn();
    store.subscribe(listener);
    session.set({ phase: 'grading', stage: 'starting' });
    session.set({ stage: 'sandbox' });
    session.set({ notice: 'No more hints' });
    expect(listener).toHaveBeenCalledTimes(2);
    expect(store.getSnapshot()).toMatchObject({ stage: 'sandbox', notice: 'No more hints' });
    vi.advanceTimersByTime(stageRefreshMs * 2);
    expect(listener).toHaveBeenCalledTimes(2);
  });

  test('unsubscribing stops the session listener and the timer; changes before subscribing are picked up', () => {
    const session = fakeSession();
    const store = throttleStages(session);
    session.set({ notice: 'early' });
    const listener = vi.fn();
    const off = store.subscribe(listener);
    expect(store.getSnapshot().notice).toBe('early');
    session.set({ phase: 'grading', stage: 'starting' });
    session.set({ stage: 'bundle' });
    off();
    expect(session.listeners.size).toBe(0);
    vi.advanceTimersByTime(stageRefreshMs);
    expect(listener).toHaveBeenCalledTimes(1);
  });
});

describe('useWatchSession', () => {
  test('re-renders on every change, and on a new stage after the throttle', async () => {
    const session = fakeSession();
    function Probe() {
      const snap = useWatchSession(session);
      return <Text>{`${snap.phase}:${snap.stage ?? '-'}`}</Text>;
    }
    const { lastFrame, unmount } = render(<Probe />);
    expect(lastFrame()).toBe('idle:-');
    session.set({ phase: 'grading', stage: 'starting' });
    await vi.advanceTimersByTimeAsync(0);
    expect(lastFrame()).toBe('grading:starting');
    session.set({ stage: 'bundle' });
    await vi.advanceTimersByTimeAsync(0);
    expect(lastFrame()).toBe('grading:starting');
    await vi.advanceTimersByTimeAsync(stageRefreshMs);
    expect(lastFrame()).toBe('grading:bundle');
    unmount();
    expect(session.listeners.size).toBe(0);
  });
});
