/**
 * Starting and supervising a sandbox child for one grading: the run folder,
 * the launch command (isolation.ts), the framed channel, time and memory
 * limits, and the recording of what the child reports into a SandboxRun;
 * warm and cold slots for watch mode and check. Over 300 lines because a
 * run's supervision (limits, recorder, exit) is one piece of bookkeeping,
 * shared with the class sandbox (submission-sandbox.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants as fsConstants, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { serialize } from 'node:v8';
import type { Readable, Writable } from 'node:stream';
import { harnessFile } from '../core/common/paths.js';
import { hasLiveArgs, readChildMessage, type CallResult, type Carry, type ChildControl, type ChildMessage, type ParentMessage, type WireError } from './wire.js';
import { bundleLearnerFile, type BundleResult } from './bundle.js';
import { childReadFd, childWriteFd, encodeFrameParts, FrameReader, maxFrameBytes } from './channel.js';
import { currentIsolation, launchCommand } from './isolation.js';
import { killTree, trackChild } from './live-children.js';
import { t } from '../i18n/i18n.js';

export interface SandboxLimits {
  /** Wall-clock limit for the whole run, enforced with SIGKILL. */
  timeoutMs: number;
  /** V8 old-space limit for the child, in MiB. */
  memoryMb: number;
  /** Bytes kept of each of stdout and stderr. */
  outputBytes: number;
  /** Inputs are frozen rather than copied for each call; changing one throws. */
  readOnlyInputs?: boolean;
  /** Stepwise runs: per case, the values of the previous call's output its arguments take (see `applyCarry` in wire.ts). */
  links?: (Carry[] | null)[];
  /** Per case, the export it calls instead of the entry (an exercise of two functions); null or absent: the entry. */
  entries?: (string | null)[];
  /** Ranges of calls whose results the child sends together (one property check's calls; see ParentMessage). */
  together?: [from: number, end: number][];
}

export const defaultLimits: SandboxLimits = { timeoutMs: 5000, memoryMb: 512, outputBytes: 8192 };

/** What one call gave, as the parent read it. */
export type CaseOutcome = CallResult;

/** What happened in one sandbox run, as observed by the parent. */
export interface SandboxRun {
  loadError?: WireError;
  exports?: string[];
  outcomes: (CaseOutcome | undefined)[];
  /** Set when the run was killed for exceeding its time limit; the case that was running, if any. */
  timedOut?: { caseIndex?: number };
  /** Set when the run was stopped because its grading was cancelled (a newer save in watch mode); nothing else about it counts. */
  aborted?: true;
  /** Set when the child ended before reporting that it had finished. */
  crashed?: { code: number | null; signal: string | null; outOfMemory: boolean; caseIndex?: number; /** Set when the tutor stopped the child for what it sent. */ reason?: string };
  asyncErrors: WireError[];
  stdout: string;
  stderr: string;
  /** Bytes of output dropped past the cap. */
  droppedBytes: number;
  durationMs: number;
}

export class CappedBuffer {
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
 * Runs a bundle (written by `bundleLearnerFile` into `runDir`) in a sandbox
 * child: the permission model (read access to `runDir` only; no writes,
 * child processes or workers), an empty environment, a heap cap, resource
 * limits and a wall-clock limit, inside bubblewrap where the machine allows
 * it. Calls the entry function once per case and returns everything
 * observed; decides nothing.
 */
export async function runInSandbox(runDir: string, entry: string, cases: unknown[][], limits: SandboxLimits = defaultLimits): Promise<SandboxRun> {
  const child = await startSandboxChild(runDir, limits.memoryMb, cpuSecondsFor(limits.timeoutMs));
  return superviseRun(child, entry, cases, limits, pathToFileURL(path.join(runDir, bundleFileName)).href);
}

/**
 * Frozen case lists as the child gets them: V8's bytes and which calls are live. An exercise's cases are the same
 * for every submission of a class and every save in watch mode, and a tokenizer's or a trained model's take tens of
 * milliseconds to serialise: once is enough.
 */
const encodedCases = new WeakMap<readonly unknown[][], { bytes: Buffer; live: boolean[] }>();

function encodeCases(cases: readonly unknown[][]): { bytes: Buffer; live: boolean[] } {
  let encoded = encodedCases.get(cases);
  if (!encoded) {
    // Which calls need their arguments turned into their live form (walked once here, per frozen case).
    encoded = { bytes: serialize(cases), live: cases.map(hasLiveArgs) };
    encodedCases.set(cases, encoded);
  }
  return encoded;
}

/**
 * The message that runs `cases` of a learner module's `entry`, with the options of `limits` the harness applies.
 * A frozen list of cases goes as bytes serialised once (see encodeCases); any other as it is.
 */
export function runMessage(module: string, entry: string, cases: readonly unknown[][], limits: SandboxLimits, boundary?: string): ParentMessage {
  const encoded = Object.isFrozen(cases) ? encodeCases(cases) : undefined;
  return {
    type: 'run',
    module,
    entry,
    ...(encoded ? { cases: [], casesBytes: encoded.bytes, live: encoded.live } : { cases: cases as unknown[][], live: cases.map(hasLiveArgs) }),
    ...(limits.readOnlyInputs ? { readOnly: true } : {}),
    ...(limits.links ? { links: limits.links } : {}),
    ...(limits.entries ? { entries: limits.entries } : {}),
    ...(limits.together?.length ? { together: limits.together } : {}),
    ...(boundary !== undefined ? { boundary } : {}),
  };
}

/** The bundle's name in a run's folder. */
export const bundleFileName = 'bundle.mjs';

/** CPU seconds for a child that runs cases for up to `timeoutMs` of wall-clock time: a backstop, never the limit that bites first. */
export function cpuSecondsFor(timeoutMs: number): number {
  return Math.ceil((2 * timeoutMs) / 1000) + 10;
}

/** A started sandbox child and the two pipes of its message channel. */
export interface SandboxProcess {
  process: ChildProcess;
  /** Sends a message (a frame on the child's file descriptor 4); a child that is gone is ignored. `written` is called once it is written or dropped. */
  send(message: unknown, written?: () => void): void;
  /**
   * Calls `handler` with each well-formed message; a malformed or oversized
   * frame kills the child and is passed to `onViolation` first.
   */
  listen(handler: (message: ChildMessage | ChildControl) => void, onViolation: (why: string) => void): void;
  kill(): void;
  /**
   * How the child ended, as Node would say it had Node been started directly:
   * bubblewrap reports a child killed by a signal as exit code 128 + its number.
   */
  exitOf(code: number | null, signal: NodeJS.Signals | null): { code: number | null; signal: string | null };
}

/**
 * Starts a sandbox child running the harness, copied into `runDir` (the
 * folder the child may read; its bundle is written there later), under the
 * isolation chosen for this process.
 */
export async function startSandboxChild(runDir: string, memoryMb: number, cpuSeconds: number): Promise<SandboxProcess> {
  // Copied once per run folder: a submission's folder serves every fresh child it needs.
  const copyHarness = fs.copyFile(harnessFile, path.join(runDir, 'harness.mjs'), fsConstants.COPYFILE_EXCL).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  const [isolation] = await Promise.all([currentIsolation(), copyHarness]);
  const launch = launchCommand(isolation.mode, { runDir, script: path.join(runDir, 'harness.mjs'), memoryMb, cpuSeconds });
  // The leader of a process group of its own, so that killing it kills whatever it forked too (see killTree).
  const child = spawn(launch.command, launch.args, { stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'], env: {}, cwd: runDir, detached: true });
  trackChild(child);
  // Once it has exited, its pipes are closed on this side after a moment (time for its last output to be read):
  // a process it left behind must not keep them, and with them the tutor, open.
  // Unreferenced: it must not keep a tutor that is done waiting, only free one that a stray process would hold.
  child.once('exit', () => {
    setTimeout(() => {
      for (const stream of child.stdio) stream?.destroy();
    }, 250).unref();
  });
  const input = child.stdio[childWriteFd] as Readable;
  const output = child.stdio[childReadFd] as Writable;
  input.on('error', () => {});
  output.on('error', () => {});
  const kill = () => killTree(child);
  return {
    process: child,
    send(message, written) {
      if (output.destroyed || child.exitCode !== null || child.signalCode !== null) return void written?.();
      // The length and the body as two writes of one batch: a body of megabytes is not copied again into a frame.
      const [head, body] = encodeFrameParts(message);
      output.cork();
      output.write(head);
      output.write(body, () => written?.());
      output.uncork();
    },
    listen(handler, onViolation) {
      const reader = new FrameReader(
        (raw) => {
          const message = readChildMessage(raw);
          if (message) handler(message);
        },
        (violation) => {
          kill();
          onViolation(violation.kind === 'too-large' ? t`sent a message of ${(violation.bytes / 2 ** 20).toFixed(0)} MiB (the limit is ${maxFrameBytes / 2 ** 20} MiB)` : t`sent a message the tutor could not read (${violation.message})`);
        },
      );
      input.on('data', (chunk: Buffer) => reader.push(chunk));
    },
    kill,
    exitOf(code, signal) {
      if (isolation.mode === 'bwrap' && code !== null && code > 128 && code < 128 + 65) {
        const name = Object.entries(os.constants.signals).find(([, n]) => n === code - 128)?.[0];
        if (name) return { code: null, signal: name };
      }
      return { code, signal };
    },
  };
}

/**
 * What one run has seen so far: the harness's messages turned into results,
 * the case in progress, and how the run ended. The supervisors (one run per
 * child here, several per child in SubmissionSandbox) own the child and its
 * timers; this owns what a run means.
 */
export class RunRecorder {
  readonly run: SandboxRun;
  private current: number | undefined;
  private readonly started = performance.now();

  constructor(private readonly caseCount: number) {
    this.run = { outcomes: new Array(caseCount).fill(undefined), asyncErrors: [], stdout: '', stderr: '', droppedBytes: 0, durationMs: 0 };
  }

  /** Records a message from the harness. Returns true when it says the run is done. */
  take(message: ChildMessage): boolean {
    const run = this.run;
    switch (message.type) {
      case 'done':
        return true;
      case 'case-start':
        if (Number.isInteger(message.index)) this.current = message.index;
        return false;
      case 'ready':
        if (Array.isArray(message.exports)) run.exports = message.exports.filter((e): e is string => typeof e === 'string');
        return false;
      case 'load-error':
        run.loadError = message.error;
        return false;
      case 'case-result':
        this.record(message.index, message);
        this.current = undefined;
        return false;
      case 'case-results': {
        const { from, results } = message;
        for (let k = 0; k < results.length; k++) this.record(from + k, results[k]);
        // The call announced as running has its result: none is running until the next is announced.
        if (this.current !== undefined && this.current >= from && this.current < from + results.length) this.current = undefined;
        return false;
      }
      case 'async-error':
        if (run.asyncErrors.length < 5) run.asyncErrors.push(message.error);
        return false;
      default:
        return false;
    }
  }

  /** Keeps the first result of call `index` (a child may send anything: one out of range or a second one is ignored). */
  private record(index: number, result: CallResult): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.caseCount || this.run.outcomes[index] !== undefined) return;
    this.run.outcomes[index] = result.ok
      ? { ok: true, value: result.value, mutated: typeof result.mutated === 'string' ? result.mutated : undefined, durationMs: Number(result.durationMs) || 0 }
      : { ok: false, error: result.error, durationMs: Number(result.durationMs) || 0 };
  }

  /** The time limit was reached: the child is being killed during the case in progress, if any. */
  timeOut(): void {
    this.run.timedOut = { caseIndex: this.current };
  }

  private startFailed = false;
  /** The child never said it was up within `ms`: it is being killed, and the run is reported as not started. */
  notStarted(ms: number): void {
    this.startFailed = true;
    this.run.loadError = { name: 'Error', message: t`the sandbox did not start within ${(ms / 1000).toFixed(0)} s (the machine may be overloaded; try again)` };
  }

  /** The grading was cancelled: the child is being killed. */
  abort(): void {
    this.run.aborted = true;
  }

  /** The child ended before the run was done (unless it was killed for time or for a cancelled grading). */
  crash(code: number | null, signal: string | null, stderr: string): void {
    if (this.run.timedOut || this.run.aborted || this.startFailed) return;
    this.run.crashed = {
      code,
      signal,
      outOfMemory: /heap out of memory|Allocation failed|Reached heap limit/i.test(stderr),
      caseIndex: this.current,
      ...(this.violationReason ? { reason: this.violationReason } : {}),
    };
  }

  private violationReason: string | undefined;
  /** The child was killed for what it sent (a frame too large or malformed); its exit is reported as a crash with this reason. */
  violation(why: string): void {
    this.violationReason ??= why;
  }

  /** The run with its captured output and duration. */
  finish(stdout: CappedBuffer, stderr: CappedBuffer): SandboxRun {
    this.run.stdout = stdout.toString();
    this.run.stderr = stderr.toString();
    this.run.droppedBytes = stdout.dropped + stderr.dropped;
    this.run.durationMs = performance.now() - this.started;
    return this.run;
  }
}

/** How long a sandbox child may take to start (Node's start, the sandbox's set-up) before its run is given up. */
export const startLimitMs = 30_000;

/**
 * A run's time limit, counted from when its child is up (its harness
 * listening, no learner code run yet), so that a slow process start on a
 * busy machine is not put down to the learner's code. Until then only the
 * start limit applies.
 */
export class RunClock {
  private timer: NodeJS.Timeout | undefined;
  private started = false;

  constructor(
    private readonly limitMs: number,
    private readonly recorder: RunRecorder,
    private readonly kill: () => void,
    upAlready = false,
  ) {
    if (upAlready) this.start();
    else {
      this.timer = setTimeout(() => {
        recorder.notStarted(startLimitMs);
        kill();
      }, startLimitMs);
    }
  }

  /** The child is up: the run's own limit starts now (once). */
  start(): void {
    if (this.started) return;
    this.started = true;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.recorder.timeOut();
      this.kill();
    }, this.limitMs);
  }

  stop(): void {
    this.started = true;
    clearTimeout(this.timer);
  }
}

/**
 * Talks to a sandbox child until it reports that it has finished, crashes,
 * runs out of time or `cancel` aborts (the child is then killed at once). The
 * child is a harness waiting to be told to import the bundle at `bundleUrl`.
 */
function superviseRun(child: SandboxProcess, entry: string, cases: unknown[][], limits: SandboxLimits, bundleUrl: string, cancel?: AbortSignal, onSent?: () => void): Promise<SandboxRun> {
  const stdout = new CappedBuffer(limits.outputBytes);
  const stderr = new CappedBuffer(limits.outputBytes);
  child.process.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.process.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));

  const recorder = new RunRecorder(cases.length);
  let done = false;

  return new Promise((resolve) => {
    const clock = new RunClock(limits.timeoutMs, recorder, () => child.kill());
    const abort = () => {
      recorder.abort();
      child.kill();
    };
    if (cancel?.aborted) abort();
    else cancel?.addEventListener('abort', abort, { once: true });

    child.listen(
      (message) => {
        if (done) return;
        if (message.type === 'up') clock.start();
        else if (message.type === 'loaded') child.send(runMessage('main', entry, cases, limits), onSent);
        else if (recorder.take(message)) {
          done = true;
          // Nothing the child does after reporting can change the verdict: stop it now.
          child.kill();
        }
      },
      (why) => recorder.violation(why),
    );

    child.process.on('error', () => {
      // 'exit' follows and reports what happened.
    });

    const finish = (exitCode: number | null, exitSignal: NodeJS.Signals | null) => {
      clock.stop();
      cancel?.removeEventListener('abort', abort);
      const { code, signal } = child.exitOf(exitCode, exitSignal);
      if (!done) recorder.crash(code, signal, stderr.toString());
      // Let the pipes drain before reading the captured output.
      setImmediate(() => resolve(recorder.finish(stdout, stderr)));
    };
    const proc = child.process;
    if (proc.exitCode !== null || proc.signalCode !== null) finish(proc.exitCode, proc.signalCode);
    else proc.on('exit', finish);

    child.send({ type: 'load', url: bundleUrl });
  });
}

/** Where one grading's bundle goes, and how it is run. */
export interface SandboxSlot {
  /** Bundles the learner file for this slot's child, within `timeoutMs` (bundling counts in the exercise's time limit). */
  bundle(learnerFile: string, allowedRoot: string, timeoutMs?: number): Promise<BundleResult>;
  /**
   * Runs the bundle; when `signal` aborts, the child is killed and the run comes back with `aborted` set.
   * `onSent` is called once the cases are written to the child (it may not be, for a run that ends before).
   */
  run(entry: string, cases: unknown[][], limits: SandboxLimits, signal?: AbortSignal, onSent?: () => void): Promise<SandboxRun>;
  dispose(): Promise<void>;
}

/**
 * A slot for one grading, the path of `check`: its child starts at once and
 * loads Node while the learner's file is bundled.
 */
export async function coldSlot(timeoutMs = defaultLimits.timeoutMs): Promise<SandboxSlot> {
  return new WarmSandbox(defaultLimits.memoryMb, { ahead: false, timeoutMs }).acquire();
}

/**
 * Keeps one sandbox child started ahead of time, for watch mode: the next
 * grading only writes its bundle and tells the waiting child to import it, so
 * it skips Node's start-up. Every grading still gets a fresh process.
 */
export class WarmSandbox {
  private next: Promise<{ dir: string; child: SandboxProcess }> | undefined;
  private closed = false;

  /** With `ahead` (the default) a new child starts as soon as one is put to work, ready for the next grading. */
  constructor(
    private readonly memoryMb = defaultLimits.memoryMb,
    private readonly options: { ahead?: boolean; timeoutMs?: number } = {},
  ) {}

  private async start(): Promise<{ dir: string; child: SandboxProcess }> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'llm-tutor-run-'));
    // A watch session may grade exercises with long limits: the CPU backstop allows a minute of them.
    const child = await startSandboxChild(dir, this.memoryMb, cpuSecondsFor(Math.max(this.options.timeoutMs ?? 60_000, defaultLimits.timeoutMs)));
    return { dir, child };
  }

  /** Starts the next child now, so it is ready when a grading needs it. */
  warm(): void {
    if (!this.closed && !this.next) this.next = this.start();
  }

  async acquire(): Promise<SandboxSlot> {
    this.warm();
    const { dir, child } = await this.next!;
    this.next = undefined;
    const bundleFile = path.join(dir, bundleFileName);
    let used = false;
    return {
      bundle: (learnerFile, allowedRoot, timeoutMs) => bundleLearnerFile(learnerFile, allowedRoot, bundleFile, { timeoutMs }),
      run: (entry, cases, limits, signal, onSent) => {
        used = true;
        const result = superviseRun(child, entry, cases, limits, pathToFileURL(bundleFile).href, signal, onSent);
        // Start the following child while this one runs.
        if (this.options.ahead !== false) this.warm();
        return result;
      },
      dispose: async () => {
        if (!used || child.process.exitCode === null) child.kill();
        await fs.rm(dir, { recursive: true, force: true });
      },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    const pending = this.next;
    this.next = undefined;
    if (pending) {
      const { dir, child } = await pending;
      child.kill();
      await fs.rm(dir, { recursive: true, force: true });
    }
  }
}
