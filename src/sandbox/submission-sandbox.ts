/**
 * One sandboxed child for all of a student's files in class grading: each
 * exercise runs in turn while the child stays clean, and a dirty, crashed or
 * timed-out child is replaced (docs/security.md, "one child per submission").
 * Over 300 lines because the output segmentation, the clean-state protocol
 * and the replacement rules only make sense together.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ChildControl, ChildMessage, WireError } from './wire.js';
import { buildBundle, type BundleResult, type MultiBundleResult } from './bundle.js';
import { bundleFileName, CappedBuffer, coldSlot, cpuSecondsFor, defaultLimits, RunClock, RunRecorder, runMessage, startSandboxChild, type SandboxLimits, type SandboxProcess, type SandboxRun, type SandboxSlot } from './run-child.js';
import { t } from '../i18n/i18n.js';

/** How long the parent waits, after a run reports it is done, for the run's output boundary to come through the pipes. */
const boundaryGraceMs = 1000;

/**
 * One output stream of a shared child, cut into one segment per run at the
 * boundary lines the harness writes after each run.
 */
class SegmentedStream {
  private readonly mark: Buffer;
  private carry = Buffer.alloc(0);
  private readonly segments: CappedBuffer[] = [];
  /** Boundaries seen so far: segment `n` is complete once `seen > n`. */
  seen = 0;
  private waiters: (() => void)[] = [];

  constructor(boundary: string, private readonly cap: number) {
    this.mark = Buffer.from(`\n${boundary}\n`);
  }

  segment(n: number): CappedBuffer {
    return (this.segments[n] ??= new CappedBuffer(this.cap));
  }

  push(chunk: Buffer): void {
    let buf = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    for (let at = buf.indexOf(this.mark); at >= 0; at = buf.indexOf(this.mark)) {
      this.segment(this.seen).push(buf.subarray(0, at));
      this.seen++;
      buf = buf.subarray(at + this.mark.length);
    }
    // Hold back a tail that may be the start of a boundary split across chunks.
    const keep = Math.min(buf.length, this.mark.length - 1);
    this.segment(this.seen).push(buf.subarray(0, buf.length - keep));
    this.carry = Buffer.from(buf.subarray(buf.length - keep));
    this.wake();
  }

  /** The stream has ended: what was held back belongs to the current segment. */
  end(): void {
    this.segment(this.seen).push(this.carry);
    this.carry = Buffer.alloc(0);
    this.seen = Number.POSITIVE_INFINITY;
    this.wake();
  }

  private wake(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) w();
  }

  /** Resolves true once segment `n` is complete, false after `ms`. */
  async complete(n: number, ms: number): Promise<boolean> {
    const deadline = performance.now() + ms;
    while (this.seen <= n) {
      const left = deadline - performance.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return true;
  }
}

interface ActiveRun {
  onMessage(message: ChildMessage): void;
  onViolation(why: string): void;
  onExit(code: number | null, signal: string | null): void;
}

/**
 * A sandbox child that runs one learner module after another from a bundle
 * holding all of a submission's files. It is used for the next run only while
 * the harness reports it clean (no built-in changed, no timer left pending)
 * and its output came through in order; otherwise it is killed.
 */
class SharedChild {
  runs = 0;
  private readonly boundary: string;
  private exited = false;
  private killed = false;
  private readonly out: SegmentedStream;
  private readonly err: SegmentedStream;
  private active: ActiveRun | undefined;
  private loading: Promise<WireError | undefined> | undefined;
  private loadWaiter: ((error: WireError | undefined) => void) | undefined;

  private child: SandboxProcess | undefined;
  private readonly started: Promise<void>;

  constructor(starting: Promise<SandboxProcess>, private readonly bundleUrl: string, outputBytes: number) {
    const boundary = `llm-tutor-boundary-${randomBytes(12).toString('hex')}`;
    this.boundary = boundary;
    this.out = new SegmentedStream(boundary, outputBytes);
    this.err = new SegmentedStream(boundary, outputBytes);
    this.started = starting.then(
      (child) => this.attach(child),
      (error: Error) => {
        this.exited = true;
        this.startError = error.message;
        this.out.end();
        this.err.end();
      },
    );
  }

  private startError: string | undefined;
  /** Whether the harness has said it is up (listening, no learner code run yet), and who waits for it. */
  private up = false;
  private upWaiters: (() => void)[] = [];

  private attach(child: SandboxProcess): void {
    this.child = child;
    if (this.killed) child.kill();
    const proc = child.process;
    proc.stdout!.on('data', (chunk: Buffer) => this.out.push(chunk));
    proc.stderr!.on('data', (chunk: Buffer) => this.err.push(chunk));
    proc.on('error', () => {});
    child.listen(
      (message) => this.onMessage(message),
      (why) => this.active?.onViolation(why),
    );
    proc.on('exit', (exitCode, exitSignal) => {
      const { code, signal } = child.exitOf(exitCode, exitSignal);
      this.exited = true;
      // Let the pipes drain before the run reads its output.
      setImmediate(() => {
        this.out.end();
        this.err.end();
        this.loadWaiter?.({ name: 'Error', message: signal ? t`the sandbox process ended while starting (signal ${signal})` : t`the sandbox process ended while starting (exit code ${code})` });
        this.active?.onExit(code, signal);
      });
    });
  }

  get usable(): boolean {
    return !this.exited && !this.killed;
  }

  kill(): void {
    this.killed = true;
    this.child?.kill();
  }

  private send(message: unknown, written?: () => void): void {
    if (this.child) this.child.send(message, written);
    else written?.();
  }

  private onMessage(message: ChildMessage | ChildControl): void {
    if (message.type === 'up') {
      if (!this.up) {
        this.up = true;
        for (const wake of this.upWaiters.splice(0)) wake();
      }
    } else if (message.type === 'loaded') {
      this.loadWaiter?.(undefined);
      this.loadWaiter = undefined;
    } else if (this.loadWaiter) {
      // The bundle itself failed to load (the loader reports it, then "done").
      if (message.type === 'load-error') {
        this.loadWaiter(message.error);
        this.loadWaiter = undefined;
      }
    } else if (this.active) {
      this.active.onMessage(message);
    } else if (message.type === 'async-error') {
      // Code of a finished run is still running: the next run gets a fresh process.
      this.kill();
    }
  }

  private load(): Promise<WireError | undefined> {
    this.loading ??= new Promise((resolve) => {
      this.loadWaiter = resolve;
      this.send({ type: 'load', url: this.bundleUrl });
    });
    return this.loading;
  }

  /** Runs one module's cases; the time limit counts from now, or for a child not up yet from when it is. */
  run(module: string, entry: string, cases: unknown[][], limits: SandboxLimits, onSent?: () => void): Promise<SandboxRun> {
    const index = this.runs++;
    const recorder = new RunRecorder(cases.length);
    return new Promise((resolve) => {
      let settled = false;
      // The limit counts once the child is up: a fresh child's start, slow on a busy machine, is not the file's.
      const clock = new RunClock(limits.timeoutMs, recorder, () => this.kill(), this.up);
      if (!this.up) this.upWaiters.push(() => clock.start());
      const settle = async (clean: boolean) => {
        if (settled) return;
        settled = true;
        clock.stop();
        const [outDone, errDone] = await Promise.all([this.out.complete(index, boundaryGraceMs), this.err.complete(index, boundaryGraceMs)]);
        if (!clean || !outDone || !errDone) this.kill();
        this.active = undefined;
        resolve(recorder.finish(this.out.segment(index), this.err.segment(index)));
      };
      this.active = {
        onMessage: (message) => {
          if (recorder.take(message)) void settle(message.type === 'done' && message.clean === true);
        },
        onViolation: (why) => recorder.violation(why),
        onExit: (code, signal) => {
          if (!settled) recorder.crash(code, signal, this.err.segment(index).toString());
          void settle(false);
        },
      };
      void this.started.then(() => {
        if (this.startError) {
          recorder.run.loadError = { name: 'Error', message: t`the sandbox could not be started (${this.startError})` };
          void settle(false);
          return;
        }
        if (this.exited) {
          const { code, signal } = this.child!.exitOf(this.child!.process.exitCode, this.child!.process.signalCode);
          this.active?.onExit(code, signal);
          return;
        }
        return this.load().then((loadError) => {
        if (settled) return;
        if (loadError) {
          recorder.run.loadError = loadError;
          void settle(false);
          return;
        }
        this.send(runMessage(module, entry, cases, limits, this.boundary), onSent);
        });
      });
    });
  }

}

/**
 * The sandbox for one submission in class grading: all its learner files in
 * one bundle, run one exercise after another in one child process rather
 * than a process each (a Node start costs more than most exercises). The
 * child keeps the permission model, heap cap and per-exercise time limit of a
 * single run, and is replaced by a fresh one whenever a run leaves it unclean
 * (a built-in patched, a timer pending, output out of order), crashes or times
 * out. A crash in a child that ran other files first is run again in a fresh
 * process, so the verdict is the file's own; a time-out is not (the child was
 * clean when the file's run began, so the time was the file's own, spent
 * once). A file whose code does not bundle, or a bundle that fails, falls
 * back to a process of its own.
 */
export class SubmissionSandbox {
  private child: SharedChild | undefined;
  private combined: Promise<{ bundle: Extract<MultiBundleResult, { ok: true }>; modules: Map<string, string> } | undefined>;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly dir: string,
    private readonly learnerFiles: string[],
    private readonly allowedRoot: string,
    private readonly memoryMb: number,
    private readonly cpuSeconds: number,
    private readonly timeoutMs: number,
  ) {
    // The first child starts while the bundle is built (a submission with no files needs none).
    if (learnerFiles.length > 0) this.child = this.spawn();
    this.combined = this.build();
  }

  /**
   * `timeoutMs` is the longest time limit of the submission's exercises: the
   * child's CPU backstop allows that for every file it may run.
   */
  static async open(learnerFiles: string[], allowedRoot: string, options: { memoryMb?: number; timeoutMs?: number } = {}): Promise<SubmissionSandbox> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'llm-tutor-submission-'));
    const cpuSeconds = cpuSecondsFor((options.timeoutMs ?? defaultLimits.timeoutMs) * Math.max(1, learnerFiles.length));
    return new SubmissionSandbox(dir, learnerFiles, allowedRoot, options.memoryMb ?? defaultLimits.memoryMb, cpuSeconds, options.timeoutMs ?? defaultLimits.timeoutMs);
  }

  private get bundleFile(): string {
    return path.join(this.dir, bundleFileName);
  }

  private spawn(): SharedChild {
    // The child may read its folder: the harness and the bundle.
    return new SharedChild(startSandboxChild(this.dir, this.memoryMb, this.cpuSeconds), pathToFileURL(this.bundleFile).href, defaultLimits.outputBytes);
  }

  /** One bundle of every file that bundles; a file esbuild stops on is left out and graded alone. */
  private async build(): Promise<{ bundle: Extract<MultiBundleResult, { ok: true }>; modules: Map<string, string> } | undefined> {
    const modules = new Map(this.learnerFiles.map((file, i) => [file, `m${i}`]));
    while (modules.size > 0) {
      // An unexpected esbuild failure also sends every file alone, where it is reported file by file.
      // The longest exercise limit for the whole bundle: a file that makes it slower is then bundled alone, within its own limit.
      const bundle = await buildBundle(Object.fromEntries([...modules].map(([file, name]) => [name, file])), this.allowedRoot, this.bundleFile, { timeoutMs: this.timeoutMs }).catch(() => undefined);
      if (!bundle) return undefined;
      if (bundle.ok) return { bundle, modules };
      const culprit = bundle.problem.file;
      // A problem in a file that is not one of the exercises' own (a shared helper): every file goes alone.
      if (!culprit || !modules.has(culprit)) return undefined;
      modules.delete(culprit);
    }
    return undefined;
  }

  /** A slot for one exercise of this submission, for `gradePrepared`. */
  async acquire(): Promise<SandboxSlot> {
    let alone: SandboxSlot | undefined;
    let module: string | undefined;
    return {
      bundle: async (learnerFile, allowedRoot, timeoutMs): Promise<BundleResult> => {
        const combined = await this.combined;
        module = combined?.modules.get(learnerFile);
        if (combined && module !== undefined) {
          return { ok: true, file: combined.bundle.file, ...combined.bundle.inputsOf(learnerFile), durationMs: combined.bundle.durationMs / combined.modules.size };
        }
        alone = await coldSlot(timeoutMs ?? defaultLimits.timeoutMs);
        return alone.bundle(learnerFile, allowedRoot, timeoutMs);
      },
      run: (entry, cases, limits, _signal, onSent) => (alone ? alone.run(entry, cases, limits, undefined, onSent) : this.runShared(module!, entry, cases, limits, onSent)),
      dispose: async () => {
        await alone?.dispose();
      },
    };
  }

  private runShared(module: string, entry: string, cases: unknown[][], limits: SandboxLimits, onSent?: () => void): Promise<SandboxRun> {
    const next = this.queue.then(async () => {
      const child = this.live();
      const result = await child.run(module, entry, cases, limits, onSent);
      // A crash may be what a file run earlier left behind: the verdict comes from a fresh process. A time-out is
      // not run again (it would cost twice the limit): nothing an earlier file left can run, the child was clean.
      return child.runs > 1 && result.crashed ? this.live().run(module, entry, cases, limits) : result;
    });
    this.queue = next.catch(() => {});
    return next;
  }

  private live(): SharedChild {
    if (!this.child?.usable) this.child = this.spawn();
    return this.child;
  }

  async close(): Promise<void> {
    this.child?.kill();
    this.child = undefined;
    await fs.rm(this.dir, { recursive: true, force: true });
  }
}
