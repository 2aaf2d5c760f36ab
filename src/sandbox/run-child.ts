import { fork } from 'node:child_process';
import os from 'node:os';
import type { ChildMessage, WireError } from '../core/wire.js';

export interface SandboxLimits {
  /** Wall-clock limit for the whole run, enforced with SIGKILL. */
  timeoutMs: number;
  /** V8 old-space limit for the child, in MiB. */
  memoryMb: number;
  /** Bytes kept of each of stdout and stderr. */
  outputBytes: number;
}

export const defaultLimits: SandboxLimits = { timeoutMs: 5000, memoryMb: 512, outputBytes: 8192 };

export type CaseOutcome =
  | { ok: true; value: unknown; mutated?: string; durationMs: number }
  | { ok: false; error: WireError; durationMs: number };

/** What happened in one sandbox run, as observed by the parent. */
export interface SandboxRun {
  loadError?: WireError;
  exports?: string[];
  outcomes: (CaseOutcome | undefined)[];
  /** Set when the run was killed for exceeding its time limit; the case that was running, if any. */
  timedOut?: { caseIndex?: number };
  /** Set when the child ended before reporting that it had finished. */
  crashed?: { code: number | null; signal: string | null; outOfMemory: boolean; caseIndex?: number };
  asyncErrors: WireError[];
  stdout: string;
  stderr: string;
  /** Bytes of output dropped past the cap. */
  droppedBytes: number;
  durationMs: number;
}

class CappedBuffer {
  private text = '';
  dropped = 0;
  constructor(private readonly cap: number) {}
  push(chunk: Buffer): void {
    const room = this.cap - Buffer.byteLength(this.text);
    if (room <= 0) {
      this.dropped += chunk.length;
      return;
    }
    const kept = chunk.subarray(0, room);
    this.text += kept.toString('utf8');
    this.dropped += chunk.length - kept.length;
  }
  toString(): string {
    return this.text;
  }
}

/**
 * Runs a bundled learner file in a child Node process with the permission model
 * on (read access to the bundle only; no writes, child processes or workers),
 * an empty environment, a heap cap and a wall-clock limit. Calls the entry
 * function once per case and returns everything observed; decides nothing.
 */
export function runInSandbox(bundleFile: string, entry: string, cases: unknown[][], limits: SandboxLimits = defaultLimits): Promise<SandboxRun> {
  const started = performance.now();
  const child = fork(bundleFile, [], {
    execArgv: [
      '--experimental-permission',
      `--allow-fs-read=${bundleFile}`,
      '--enable-source-maps',
      `--max-old-space-size=${limits.memoryMb}`,
      '--no-warnings',
    ],
    serialization: 'advanced',
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: {},
    cwd: os.tmpdir(),
  });
  const stdout = new CappedBuffer(limits.outputBytes);
  const stderr = new CappedBuffer(limits.outputBytes);
  child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));

  const run: SandboxRun = { outcomes: new Array(cases.length).fill(undefined), asyncErrors: [], stdout: '', stderr: '', droppedBytes: 0, durationMs: 0 };
  let current: number | undefined;
  let done = false;

  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      run.timedOut = { caseIndex: current };
      child.kill('SIGKILL');
    }, limits.timeoutMs);

    child.on('message', (raw: unknown) => {
      const message = raw as ChildMessage;
      if (typeof message !== 'object' || message === null) return;
      switch (message.type) {
        case 'ready':
          if (Array.isArray(message.exports)) run.exports = message.exports.filter((e): e is string => typeof e === 'string');
          break;
        case 'load-error':
          run.loadError = message.error;
          break;
        case 'case-start':
          if (Number.isInteger(message.index)) current = message.index;
          break;
        case 'case-result':
          if (Number.isInteger(message.index) && message.index >= 0 && message.index < cases.length && run.outcomes[message.index] === undefined) {
            run.outcomes[message.index] = message.ok
              ? { ok: true, value: message.value, mutated: typeof message.mutated === 'string' ? message.mutated : undefined, durationMs: Number(message.durationMs) || 0 }
              : { ok: false, error: message.error, durationMs: Number(message.durationMs) || 0 };
          }
          current = undefined;
          break;
        case 'async-error':
          if (run.asyncErrors.length < 5) run.asyncErrors.push(message.error);
          break;
        case 'done':
          done = true;
          // Nothing the child does after reporting can change the verdict: stop it now.
          child.kill('SIGKILL');
          break;
      }
    });

    child.on('error', () => {
      // 'exit' follows and reports what happened.
    });

    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (!done && !run.timedOut) {
        const text = stderr.toString();
        run.crashed = {
          code,
          signal,
          outOfMemory: /heap out of memory|Allocation failed|Reached heap limit/i.test(text),
          caseIndex: current,
        };
      }
      // Let the pipes drain before reading the captured output.
      setImmediate(() => {
        run.stdout = stdout.toString();
        run.stderr = stderr.toString();
        run.droppedBytes = stdout.dropped + stderr.dropped;
        run.durationMs = performance.now() - started;
        resolve(run);
      });
    });

    child.send({ type: 'run', entry, cases });
  });
}
