import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { UserError } from '../../errors.js';
import type { BackendName } from '../../reference/backend.js';
import { applyAttempt, recordAttempt } from './check.js';
import { loadDefinition } from '../packs/definitions.js';
import { gradePrepared, prepareExercise, type GradeEvent, type PreparedExercise } from '../grading/grade.js';
import { readExerciseFile, type ExerciseRef } from '../packs/packs.js';
import type { State } from '../common/schemas.js';
import { StateStore } from './state-store.js';
import type { Verdict } from '../grading/verdict.js';
import { exerciseOfFile, exercisesRootOf, learnerFileOf, type Workspace } from './workspace.js';

type GradeStage = Extract<GradeEvent, { type: 'stage' }>['stage'];
/** How often, at most, the screen shows which stage a grading is in. */
const stageRefreshMs = 60;

/** What the screen shows; replaced (never mutated) on every change. */
export interface WatchSnapshot {
  exercise: ExerciseRef;
  exercises: ExerciseRef[];
  progress: State;
  learnerFile: string;
  lessonSummary: string;
  phase: 'loading' | 'grading' | 'idle';
  /** The grading stage while grading. */
  stage?: string;
  verdict?: Verdict;
  /** A problem that stopped grading (a broken exercise definition, a missing file). */
  problem?: string;
  hints: string[];
  hintsRevealed: number;
  watching: 'files' | 'manual';
  /** Set when the file watcher failed: the UI suggests --manual-run. */
  watchProblem?: string;
  /** Set when every exercise of the current exercise's pack passes. */
  packDone?: { packId: string; title: string; description: string; solved: number; total: number; next?: ExerciseRef };
  /** A short message about the last action ("Reset ...", "No more hints"). */
  notice?: string;
}

export interface WatchOptions {
  seed: number;
  backend?: BackendName;
  /** Re-grade only on request (the `r` key), not on file changes. */
  manual?: boolean;
  /** Milliseconds to wait after a change before grading (editors write in bursts). */
  debounceMs?: number;
}

/** The lesson's first paragraph after its title: the idea in two or three sentences. */
export function lessonSummary(markdown: string): string {
  const paragraphs = markdown
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p && !p.startsWith('#'));
  return (paragraphs[0] ?? '').replace(/\*\*/g, '').replace(/^The idea\.\s*/, '').replace(/\s+/g, ' ');
}

type Listener = (snapshot: WatchSnapshot) => void;
interface Watcher {
  close(): Promise<void>;
}

/**
 * The state behind `llm-tutor next` in a terminal: the current exercise, its
 * verdict, revealed hints and progress; grades on every save of the learner's
 * files. Knows nothing of terminals: the Ink UI subscribes to snapshots and
 * calls the actions. Progress and hints are saved as they happen.
 */
export class WatchSession {
  private snapshot: WatchSnapshot;
  private readonly listeners = new Set<Listener>();
  private prepared = new Map<string, PreparedExercise>();
  private sandbox: import('../../sandbox/run-child.js').WarmSandbox | undefined;
  private watcher: Watcher | undefined;
  private watchedFiles: string[] = [];
  private debounce: NodeJS.Timeout | undefined;
  private grading: Promise<void> | undefined;
  private again = false;
  private closed = false;
  private generation = 0;

  constructor(
    private readonly workspace: Workspace,
    private readonly exercises: ExerciseRef[],
    private readonly options: WatchOptions,
    state: State,
    first: ExerciseRef,
  ) {
    this.snapshot = {
      exercise: first,
      exercises,
      progress: state,
      learnerFile: learnerFileOf(workspace, first),
      lessonSummary: '',
      phase: 'loading',
      hints: [],
      hintsRevealed: StateStore.progressOf(state, first.key).hintsRevealed,
      watching: options.manual ? 'manual' : 'files',
    };
  }

  getSnapshot = (): WatchSnapshot => this.snapshot;

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private set(patch: Partial<WatchSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...patch };
    for (const listener of this.listeners) listener(this.snapshot);
  }

  /** Opens the first exercise and grades it. */
  async start(): Promise<void> {
    const { WarmSandbox } = await import('../../sandbox/run-child.js');
    this.sandbox = new WarmSandbox();
    this.sandbox.warm();
    await this.open(this.snapshot.exercise);
  }

  /** Shows an exercise, loads its definition and grades its file. */
  async open(ref: ExerciseRef): Promise<void> {
    const generation = ++this.generation;
    const state = await this.workspace.state.read();
    this.set({
      exercise: ref,
      learnerFile: learnerFileOf(this.workspace, ref),
      phase: 'loading',
      verdict: undefined,
      problem: undefined,
      packDone: undefined,
      notice: undefined,
      progress: state,
      hints: [],
      hintsRevealed: StateStore.progressOf(state, ref.key).hintsRevealed,
      lessonSummary: '',
    });
    try {
      const [lesson, definition] = await Promise.all([readExerciseFile(ref, 'lesson'), loadDefinition(ref)]);
      if (generation !== this.generation) return;
      this.set({ lessonSummary: lessonSummary(lesson), hints: definition.hints });
    } catch (error) {
      this.set({ phase: 'idle', problem: messageOf(error) });
      return;
    }
    await this.watchFiles([learnerFileOf(this.workspace, ref)]);
    await this.rerun();
  }

  /** Grades the current exercise now (or once more after the grading under way). */
  rerun(): Promise<void> {
    if (this.grading) {
      this.again = true;
      return this.grading;
    }
    this.grading = this.gradeOnce().finally(() => {
      this.grading = undefined;
      if (this.again && !this.closed) {
        this.again = false;
        void this.rerun();
      }
    });
    return this.grading;
  }

  private async preparedFor(ref: ExerciseRef): Promise<PreparedExercise> {
    const key = `${ref.key}@${this.options.seed}`;
    let prepared = this.prepared.get(key);
    if (!prepared) {
      prepared = prepareExercise(ref, await loadDefinition(ref), this.options.seed, { backend: this.options.backend });
      this.prepared.set(key, prepared);
      // A failed reference run is not cached: the next grading tries again.
      prepared.reference.catch(() => this.prepared.delete(key));
    }
    return prepared;
  }

  private async gradeOnce(): Promise<void> {
    if (this.closed) return;
    const ref = this.snapshot.exercise;
    const generation = this.generation;
    this.set({ phase: 'grading', stage: 'starting', problem: undefined });
    // Each new stage label re-renders the whole screen, which costs the grading itself time
    // (about 15 ms of a 90 ms save): show the stage it is in at most every stageRefreshMs.
    let stage: GradeStage | undefined;
    let stageTimer: NodeJS.Timeout | undefined;
    const showStage = (next: GradeStage) => {
      stage = next;
      stageTimer ??= setTimeout(() => {
        stageTimer = undefined;
        if (generation === this.generation && this.snapshot.phase === 'grading' && stage) this.set({ stage });
      }, stageRefreshMs);
    };
    try {
      const prepared = await this.preparedFor(ref);
      const state = await this.workspace.state.read();
      const verdict = await gradePrepared(prepared, {
        learnerFile: learnerFileOf(this.workspace, ref),
        allowedRoot: exercisesRootOf(this.workspace),
        sandbox: this.sandbox,
        onEvent: (event) => {
          if (event.type === 'stage') showStage(event.stage);
        },
        describeImport: (file) => {
          const imported = exerciseOfFile(this.workspace, file);
          return imported ? { key: imported.key, passed: state.exercises[imported.key]?.status === 'passed' } : undefined;
        },
      });
      if (generation !== this.generation || this.closed) return;
      // Show the verdict first; the progress file is written right after.
      this.set({ phase: 'idle', stage: undefined, verdict, progress: withAttempt(this.snapshot.progress, ref, verdict) });
      this.set({ progress: await recordAttempt(this.workspace.state, ref, verdict) });
      await this.watchFiles(verdict.learnerFiles.length ? verdict.learnerFiles : [verdict.learnerFile]);
    } catch (error) {
      if (generation !== this.generation || this.closed) return;
      this.set({ phase: 'idle', stage: undefined, problem: messageOf(error) });
    } finally {
      clearTimeout(stageTimer);
    }
  }

  /** Watches the learner's file and the files it imports; re-grades on change. */
  private async watchFiles(files: string[]): Promise<void> {
    if (this.options.manual || this.closed) return;
    const sorted = [...new Set(files)].sort();
    if (this.watcher && sorted.join('\n') === this.watchedFiles.join('\n')) return;
    await this.watcher?.close();
    this.watchedFiles = sorted;
    const wanted = new Set(sorted);
    const watchers: FSWatcher[] = [];
    const failed = (error: unknown) =>
      this.set({ watchProblem: `Watching your files failed (${messageOf(error)}). Press r to re-grade, or restart with --manual-run.` });
    try {
      // Watch the folders, not the files: an editor that saves by renaming a new file over the old
      // one replaces the file, and a watch on the old file would go quiet (seen with chokidar too).
      for (const dir of new Set(sorted.map((f) => path.dirname(f)))) {
        const watcher = watch(dir, (_event, name) => {
          if (!name || !wanted.has(path.join(dir, name.toString()))) return;
          clearTimeout(this.debounce);
          this.debounce = setTimeout(() => void this.rerun(), this.options.debounceMs ?? 10);
        });
        watcher.on('error', failed);
        watchers.push(watcher);
      }
    } catch (error) {
      failed(error);
    }
    this.watcher = {
      close: async () => {
        for (const w of watchers) w.close();
      },
    };
  }

  /** Reveals the next hint of the current exercise and saves it. */
  async revealHint(): Promise<void> {
    const { exercise, hints, hintsRevealed } = this.snapshot;
    if (hints.length === 0) return;
    if (hintsRevealed >= hints.length) {
      this.set({ notice: 'That was the last hint.' });
      return;
    }
    const progress = await this.workspace.state.update((state) => {
      const p = StateStore.progressOf(state, exercise.key);
      p.hintsRevealed = Math.max(p.hintsRevealed, hintsRevealed + 1);
      state.exercises[exercise.key] = p;
    });
    this.set({ hintsRevealed: hintsRevealed + 1, progress, notice: undefined });
  }

  /** Whether the current exercise's latest verdict is a pass. */
  get passed(): boolean {
    return this.snapshot.verdict?.status === 'pass' && this.snapshot.verdict.exerciseKey === this.snapshot.exercise.key;
  }

  /**
   * Moves on after a pass: to the next unsolved exercise of the same pack, or
   * to the pack-finished screen when there is none. Never without a pass.
   */
  async goNext(): Promise<void> {
    if (!this.passed) {
      this.set({ notice: 'Make this exercise pass first: `n` moves on only after a pass.' });
      return;
    }
    const { exercise, progress } = this.snapshot;
    const order = this.exercises;
    const start = order.indexOf(exercise);
    const unsolved = (r: ExerciseRef) => progress.exercises[r.key]?.status !== 'passed';
    const samePack = order.filter((r) => r.packId === exercise.packId);
    const nextInPack = [...order.slice(start + 1), ...order.slice(0, start)].find((r) => r.packId === exercise.packId && unsolved(r));
    if (nextInPack) {
      await this.open(nextInPack);
      return;
    }
    const nextElsewhere = order.find(unsolved);
    this.set({
      packDone: {
        packId: exercise.packId,
        title: exercise.pack.manifest.title,
        description: exercise.pack.manifest.description,
        solved: samePack.length,
        total: samePack.length,
        next: nextElsewhere,
      },
    });
  }

  /** Opens any exercise (from the list). */
  jump(ref: ExerciseRef): Promise<void> {
    return this.open(ref);
  }

  /** Restores an exercise's starter, keeping a backup; returns the backup path. */
  async reset(ref: ExerciseRef): Promise<string | undefined> {
    const { resetExercise } = await import('./reset.js');
    const backup = await resetExercise(this.workspace, ref);
    const progress = await this.workspace.state.read();
    this.set({ progress, notice: `Restored the starter of ${ref.id}${backup ? `; your file is kept at ${path.relative(this.workspace.dir, backup)}` : ''}.` });
    if (ref.key === this.snapshot.exercise.key) await this.rerun();
    return backup;
  }

  /** The model solution, once the current exercise passes. */
  async solution(): Promise<string | undefined> {
    if (!this.passed) return undefined;
    return readExerciseFile(this.snapshot.exercise, 'solution');
  }

  setNotice(notice: string | undefined): void {
    this.set({ notice });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.debounce);
    await this.watcher?.close();
    await this.grading?.catch(() => {});
    await this.sandbox?.close();
  }
}

/** A copy of `state` with the attempt applied, as the progress file will hold it. */
function withAttempt(state: State, ref: ExerciseRef, verdict: Verdict): State {
  const copy = structuredClone(state);
  applyAttempt(copy, ref, verdict);
  return copy;
}

function messageOf(error: unknown): string {
  if (error instanceof UserError) return error.next ? `${error.message} ${error.next}` : error.message;
  return error instanceof Error ? error.message : String(error);
}

