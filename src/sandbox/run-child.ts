import { fork, type ChildProcess, type Serializable } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ChildMessage, WireError } from '../core/wire.js';
import { bundleLearnerFile, type BundleResult } from './bundle.js';

export interface SandboxLimits {
  /** Wall-clock limit for the whole run, enforced with SIGKILL. */
  timeoutMs: number;
  /** V8 old-space limit for the child, in MiB. */
  memoryMb: number;
  /** Bytes kept of each of stdout and stderr. */
  outputBytes: number;
  /** Inputs are frozen rather than copied for each call; changing one throws. */
  readOnlyInputs?: boolean;
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
 * Runs a bundled learner file in a child Node process with the permission model
 * on (read access to the bundle only; no writes, child processes or workers),
 * an empty environment, a heap cap and a wall-clock limit. Calls the entry
 * function once per case and returns everything observed; decides nothing.
 */
export function runInSandbox(bundleFile: string, entry: string, cases: unknown[][], limits: SandboxLimits = defaultLimits): Promise<SandboxRun> {
  const child = spawnChild(bundleFile, bundleFile, limits.memoryMb);
  return superviseRun(child, entry, cases, limits);
}

export function spawnChild(script: string, readable: string, memoryMb: number): ChildProcess {
  return fork(script, [], {
    execArgv: ['--experimental-permission', `--allow-fs-read=${readable}`, '--enable-source-maps', `--max-old-space-size=${memoryMb}`, '--no-warnings'],
    serialization: 'advanced',
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: {},
    cwd: os.tmpdir(),
  });
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
        if (Number.isInteger(message.index) && message.index >= 0 && message.index < this.caseCount && run.outcomes[message.index] === undefined) {
          run.outcomes[message.index] = message.ok
            ? { ok: true, value: message.value, mutated: typeof message.mutated === 'string' ? message.mutated : undefined, durationMs: Number(message.durationMs) || 0 }
            : { ok: false, error: message.error, durationMs: Number(message.durationMs) || 0 };
        }
        this.current = undefined;
        return false;
      case 'async-error':
        if (run.asyncErrors.length < 5) run.asyncErrors.push(message.error);
        return false;
      default:
        return false;
    }
  }

  /** The time limit was reached: the child is being killed during the case in progress, if any. */
  timeOut(): void {
    this.run.timedOut = { caseIndex: this.current };
  }

  /** The child ended before the run was done (unless it was killed for time). */
  crash(code: number | null, signal: string | null, stderr: string): void {
    if (this.run.timedOut) return;
    this.run.crashed = { code, signal, outOfMemory: /heap out of memory|Allocation failed|Reached heap limit/i.test(stderr), caseIndex: this.current };
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

/**
 * Talks to a sandbox child until it reports that it has finished, crashes or
 * runs out of time. With `loadUrl` the child is a warm loader, already running,
 * that must first import the bundle.
 */
function superviseRun(child: ChildProcess, entry: string, cases: unknown[][], limits: SandboxLimits, loadUrl?: string): Promise<SandboxRun> {
  const stdout = new CappedBuffer(limits.outputBytes);
  const stderr = new CappedBuffer(limits.outputBytes);
  child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));

  const recorder = new RunRecorder(cases.length);
  let done = false;
  const send = (message: unknown) => {
    try {
      child.send(message as Serializable);
    } catch {
      // The child is gone; its exit is reported below.
    }
  };

  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      recorder.timeOut();
      child.kill('SIGKILL');
    }, limits.timeoutMs);

    child.on('message', (raw: unknown) => {
      const message = raw as ChildMessage | { type: 'loaded' };
      if (typeof message !== 'object' || message === null) return;
      if (message.type === 'loaded') send({ type: 'run', module: 'main', entry, cases, readOnly: limits.readOnlyInputs });
      else if (recorder.take(message)) {
        done = true;
        // Nothing the child does after reporting can change the verdict: stop it now.
        child.kill('SIGKILL');
      }
    });

    child.on('error', () => {
      // 'exit' follows and reports what happened.
    });

    const finish = (code: number | null, signal: string | null) => {
      clearTimeout(timer);
      if (!done) recorder.crash(code, signal, stderr.toString());
      // Let the pipes drain before reading the captured output.
      setImmediate(() => resolve(recorder.finish(stdout, stderr)));
    };
    if (child.exitCode !== null || child.signalCode !== null) finish(child.exitCode, child.signalCode);
    else child.on('exit', finish);

    send(loadUrl ? { type: 'load', url: loadUrl } : { type: 'run', module: 'main', entry, cases, readOnly: limits.readOnlyInputs });
  });
}

/** Where one grading's bundle goes, and how it is run. */
export interface SandboxSlot {
  /** Bundles the learner file for this slot's child. */
  bundle(learnerFile: string, allowedRoot: string): Promise<BundleResult>;
  run(entry: string, cases: unknown[][], limits: SandboxLimits): Promise<SandboxRun>;
  dispose(): Promise<void>;
}

/**
 * A slot for one grading, the path of `check`: its child starts at once and
 * loads Node while the learner's file is bundled.
 */
export async function coldSlot(): Promise<SandboxSlot> {
  return new WarmSandbox(defaultLimits.memoryMb, { ahead: false }).acquire();
}

// Captures process.send first: the harness removes it from the learner's reach when the bundle loads.
export const loaderSource = `const send = process.send.bind(process);
process.once('message', (m) => {
  import(m.url).then(
    () => send({ type: 'loaded' }),
    (e) => {
      send({ type: 'load-error', error: { name: String(e && e.name || 'Error'), message: String(e && e.message || e), stack: e && e.stack } });
      send({ type: 'done' });
    },
  );
});
`;

/**
 * Keeps one sandbox child started ahead of time, for watch mode: the next
 * grading only writes its bundle and tells the waiting child to import it, so
 * it skips Node's start-up. Every grading still gets a fresh process.
 */
export class WarmSandbox {
  private next: Promise<{ dir: string; child: ChildProcess }> | undefined;
  private closed = false;

  /** With `ahead` (the default) a new child starts as soon as one is put to work, ready for the next grading. */
  constructor(
    private readonly memoryMb = defaultLimits.memoryMb,
    private readonly options: { ahead?: boolean } = {},
  ) {}

  private async start(): Promise<{ dir: string; child: ChildProcess }> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'llm-tutor-warm-'));
    const loader = path.join(dir, 'loader.mjs');
    await fs.writeFile(loader, loaderSource);
    // The child may read its folder: the loader and the bundle written there later.
    const child = spawnChild(loader, `${dir}${path.sep}`, this.memoryMb);
    child.on('error', () => {});
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
    const bundleFile = path.join(dir, 'bundle.mjs');
    let used = false;
    return {
      bundle: (learnerFile, allowedRoot) => bundleLearnerFile(learnerFile, allowedRoot, bundleFile),
      run: (entry, cases, limits) => {
        used = true;
        const result = superviseRun(child, entry, cases, limits, pathToFileURL(bundleFile).href);
        // Start the following child while this one runs.
        if (this.options.ahead !== false) this.warm();
        return result;
      },
      dispose: async () => {
        if (!used || child.exitCode === null) child.kill('SIGKILL');
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
      child.kill('SIGKILL');
      await fs.rm(dir, { recursive: true, force: true });
    }
  }
}
