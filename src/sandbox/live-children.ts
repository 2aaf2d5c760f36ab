import type { ChildProcess } from 'node:child_process';

/** Every sandbox child still running. */
const live = new Set<ChildProcess>();

/** Tracks a sandbox child until it exits, so that a tutor being stopped can kill it. */
export function trackChild(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  child.once('error', () => live.delete(child));
}

/**
 * Kills a sandbox child and everything in its process group (it is started
 * as the leader of one): bubblewrap forks before the sandbox is set up, and a
 * fork whose parent is killed at that moment would otherwise wait forever.
 */
export function killTree(child: ChildProcess): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  } catch {
    // No such group any more.
  }
  try {
    child.kill('SIGKILL');
  } catch {
    // Already gone.
  }
}

/** Kills every sandbox child at once, synchronously: for a tutor that is exiting or being stopped by a signal. */
export function killAllSandboxChildren(): void {
  for (const child of live) killTree(child);
  live.clear();
}

const exitSignals = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const;

/**
 * Makes sure no sandbox child outlives this process: on exit, and on SIGINT,
 * SIGTERM or SIGHUP (what `timeout`, systemd and `docker stop` send to the
 * tutor's pid alone), every child is killed first; the process then ends as
 * the signal asks (exit code 128 + its number). Also keeps SIGUSR1 from
 * opening this process's inspector: Node starts one on that signal unless a
 * listener is installed, and the tutor must never be debuggable by a signal.
 */
export function guardProcess(): void {
  process.on('exit', killAllSandboxChildren);
  process.on('SIGUSR1', () => {});
  for (const [name, number] of Object.entries(exitSignals)) {
    process.on(name, () => {
      killAllSandboxChildren();
      process.exit(128 + number);
    });
  }
}
