/**
 * Runs esbuild builds with a time limit, and survives esbuild's process
 * dying. esbuild's JS API talks to one long-lived esbuild process; when that
 * process dies (a stack overflow on a pathological file) every build in
 * flight fails and every later one fails too, until `stop()` is called, after
 * which the next build starts a new process. A build has no way to be
 * cancelled, so one that runs out of time is ended the same way.
 *
 * Builds that were in flight when the process died are not to blame: each is
 * run again. After a crash nobody knows which build caused it, so each is run
 * again alone; one that crashes esbuild alone is the culprit.
 */
import { loadEsbuild } from '../core/common/cjs.js';

/** How a build ended. `error` is what esbuild threw: usually a failure listing the errors in the code. */
export type BuildOutcome<T> = { kind: 'done'; value: T } | { kind: 'failed'; error: unknown } | { kind: 'timeout' } | { kind: 'crash' };

/** The time limit of a build when the caller gives none, in ms: far above any honest bundle. */
export const defaultBuildTimeoutMs = 30_000;

let generation = 0;
/** Why each stopped generation of the esbuild process was stopped. */
const stoppedFor = new Map<number, 'timeout' | 'crash'>();

// Builds share the esbuild process; a build run again after a crash has it alone.
let shared = 0;
let exclusivePending = 0;
let exclusiveActive = false;
let waiters: (() => void)[] = [];

function wake(): void {
  const woken = waiters;
  waiters = [];
  for (const resume of woken) resume();
}

async function acquire(exclusive: boolean): Promise<() => void> {
  if (exclusive) {
    exclusivePending++;
    while (shared > 0 || exclusiveActive) await new Promise<void>((resume) => waiters.push(resume));
    exclusivePending--;
    exclusiveActive = true;
    return () => {
      exclusiveActive = false;
      wake();
    };
  }
  while (exclusivePending > 0 || exclusiveActive) await new Promise<void>((resume) => waiters.push(resume));
  shared++;
  return () => {
    shared--;
    wake();
  };
}

/** Stops esbuild's process of generation `of`, once; the next build starts a new one. */
function stopService(of: number, why: 'timeout' | 'crash'): void {
  if (of !== generation) return;
  stoppedFor.set(of, why);
  generation++;
  void loadEsbuild().stop();
}

function serviceDied(error: unknown): boolean {
  return error instanceof Error && !('errors' in error) && /^The service (was stopped|is no longer running)/.test(error.message);
}

type Attempt<T> = { kind: 'done'; value: T } | { kind: 'failed'; error: unknown } | { kind: 'timeout' } | { kind: 'died' };

async function attempt<T>(build: () => Promise<T>, timeoutMs: number, onLate: (settled: Promise<unknown>) => void): Promise<Attempt<T>> {
  let timer: NodeJS.Timeout | undefined;
  // A build that throws at once is a failure like any other.
  const running = new Promise<T>((resolve) => resolve(build())).then(
    (value): Attempt<T> => ({ kind: 'done', value }),
    (error: unknown): Attempt<T> => (serviceDied(error) ? { kind: 'died' } : { kind: 'failed', error }),
  );
  const timedOut = new Promise<Attempt<T>>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'timeout' }), timeoutMs);
  });
  try {
    const first = await Promise.race([running, timedOut]);
    if (first.kind === 'timeout') onLate(running);
    return first;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs one esbuild build (`build` calls esbuild.build) within `timeoutMs`.
 * A build past its limit is reported as a time-out at once but left to
 * finish: on a loaded machine an honest build only finishes late, and
 * stopping the shared process would make every build beside it start again
 * (under load, again and again). One still running `runawayMs` after it
 * started is a runaway: esbuild's process is stopped then, so it stops using
 * a core, and builds that were sharing it are run again. Each attempt has
 * the whole time limit; waiting for another build's lone run does not count.
 */
export async function runBuild<T>(build: () => Promise<T>, timeoutMs = defaultBuildTimeoutMs, runawayMs = defaultBuildTimeoutMs): Promise<BuildOutcome<T>> {
  let alone = false;
  for (;;) {
    const release = await acquire(alone);
    const started = generation;
    const startedAt = performance.now();
    let result: Attempt<T>;
    try {
      result = await attempt(build, timeoutMs, (settled) => {
        const watchdog = setTimeout(() => stopService(started, 'timeout'), Math.max(0, runawayMs - (performance.now() - startedAt)));
        watchdog.unref();
        void settled.finally(() => clearTimeout(watchdog));
      });
    } finally {
      release();
    }
    if (result.kind !== 'died') return result;
    // The process died under this build: stopped for another build's time-out, or crashed.
    stopService(started, 'crash');
    if (stoppedFor.get(started) === 'timeout') continue;
    if (alone) return { kind: 'crash' };
    alone = true;
  }
}
