/**
 * Watch mode's state: one class, the session behind the interactive screen
 * (its snapshot, and every action a key can take: grade, next, reset, hint,
 * open the editor). Over 300 lines because the actions share the snapshot and
 * its generation counter; file watching, throttling and grading live elsewhere
 * (file-watcher.ts, ui/use-watch-session.ts, check.ts).
 */
import path from 'node:path';
import { UserError } from '../../errors.js';
import { openInEditor, type EditorLauncher, type EditorResult, type TerminalHandover } from '../../launch/editor.js';
import type { BackendName } from '../../reference/backend.js';
import { applyAttempt, gradeAndRecord } from './check.js';
import { FolderWatcher, type CreateFileWatcher, type FileWatcher } from './file-watcher.js';
import { loadDefinition } from '../packs/definitions.js';
import { prepareExercise, type PreparedExercise } from '../grading/grade.js';
import { readExerciseFile, withheldSolution, type ExerciseRef } from '../packs/packs.js';
import { afterPassView, lessonSummary, type AfterPassView } from '../packs/lesson-sections.js';
import type { State } from '../common/schemas.js';
import { gradedFilesOf, gradedPaths, importsToRegrade, markChangedDefinitions, markChangedPasses } from './graded-files.js';
import { countSolved, revealHint } from './progress.js';
import { gradingOfVerdict, revealedHints, type HintSource, type RevealedHint } from './hints.js';
import { StateStore } from './state-store.js';
import type { Verdict } from '../grading/verdict.js';
import { learnerFileOf, type Workspace } from './workspace.js';
import { t } from '../../i18n/i18n.js';

/** What the screen shows; replaced (never mutated) on every change. */
export interface WatchSnapshot {
  exercise: ExerciseRef;
  exercises: ExerciseRef[];
  progress: State;
  learnerFile: string;
  lessonSummary: string;
  /** What the screen shows once the file passes: the lesson's "Check yourself" and "In practice" sections, and the properties checked on the learner's code. */
  afterPass: AfterPassView;
  phase: 'loading' | 'grading' | 'idle';
  /** The grading stage while grading. */
  stage?: string;
  verdict?: Verdict;
  /** A problem that stopped grading (a broken exercise definition, a missing file). */
  problem?: string;
  /** The hints revealed so far, in the order they were, ready to print. */
  hints: RevealedHint[];
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
  /** The locale of the lesson summary, the hints and the diagnosis (default en). */
  locale?: string;
  /** Overrides every exercise's time limit (milliseconds). */
  timeoutMs?: number;
  /** Makes the file watcher (default: a {@link FolderWatcher} waiting `debounceMs`). */
  createWatcher?: CreateFileWatcher;
  /** Opens a file in the learner's editor (default: {@link openInEditor}). */
  launchEditor?: EditorLauncher;
}

type Listener = (snapshot: WatchSnapshot) => void;

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
  /** Undefined with --manual-run. */
  private readonly watcher: FileWatcher | undefined;
  private readonly launchEditor: EditorLauncher;
  private grading: Promise<void> | undefined;
  /** Cancels the grading under way. */
  private cancel: AbortController | undefined;
  private again = false;
  private closed = false;
  private generation = 0;
  /** The current exercise's hints, once its definition is loaded. */
  private hintSource: HintSource | undefined;

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
      afterPass: { properties: [] },
      phase: 'loading',
      hints: [],
      watching: options.manual ? 'manual' : 'files',
    };
    const createWatcher = options.createWatcher ?? ((events) => new FolderWatcher(events, options.debounceMs));
    this.watcher = options.manual
      ? undefined
      : createWatcher({
          onChange: () => void this.rerun(),
          onError: (error) => this.set({ watchProblem: t`Watching your files failed (${messageOf(error)}). Press r to re-grade, or restart with --manual-run.` }),
        });
    this.launchEditor = options.launchEditor ?? openInEditor;
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
    // The grading under way is of an exercise no longer shown.
    this.cancel?.abort();
    const state = await this.readProgress();
    this.hintSource = undefined;
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
      lessonSummary: '',
      afterPass: { properties: [] },
    });
    try {
      const [lesson, definition] = await Promise.all([readExerciseFile(ref, 'lesson', this.options.locale), loadDefinition(ref)]);
      if (generation !== this.generation) return;
      this.hintSource = definition;
      this.set({ lessonSummary: lessonSummary(lesson), afterPass: afterPassView(lesson, definition), hints: revealedHints(definition, StateStore.progressOf(state, ref.key).revealedHints, this.options.locale) });
    } catch (error) {
      this.set({ phase: 'idle', problem: messageOf(error) });
      return;
    }
    this.watchFiles([learnerFileOf(this.workspace, ref)]);
    await this.rerun();
  }

  /**
   * Grades the current exercise now. A grading under way is of an older save:
   * it is cancelled (its sandbox child killed) and this one starts when it has stopped.
   */
  rerun(): Promise<void> {
    if (this.grading) {
      this.again = true;
      this.cancel?.abort();
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
      const { backend, locale, timeoutMs } = this.options;
      prepared = prepareExercise(ref, await loadDefinition(ref), this.options.seed, { backend, locale, timeoutMs });
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
    // A grading whose exercise is no longer shown (or whose session is closed) shows nothing and records nothing.
    const current = () => generation === this.generation && !this.closed;
    const cancel = new AbortController();
    this.cancel = cancel;
    this.set({ phase: 'grading', stage: 'starting', problem: undefined });
    try {
      await this.regradeChangedImports(ref, cancel.signal, current);
      const { verdict, progress } = await gradeAndRecord(this.workspace, ref, {
        prepared: await this.preparedFor(ref),
        learnerFile: learnerFileOf(this.workspace, ref),
        sandbox: this.sandbox,
        signal: cancel.signal,
        onEvent: (event) => {
          if (event.type === 'stage' && current() && this.snapshot.phase === 'grading') this.set({ stage: event.stage });
        },
        // Show the verdict first; the progress file is written right after.
        onVerdict: (verdict) => {
          if (current()) this.set({ phase: 'idle', stage: undefined, verdict, progress: this.withAttempt(ref, verdict) });
        },
        record: current,
      });
      if (progress) this.set({ progress: await this.marked(progress) });
      // Not saved: the verdict now carries a note saying why.
      else if (current()) this.set({ verdict });
      if (current()) this.watchFiles(verdict.learnerFiles.length ? verdict.learnerFiles : [verdict.learnerFile]);
    } catch (error) {
      // A cancelled grading makes way for the next one, which shows its own verdict.
      if (cancel.signal.aborted || !current()) return;
      this.set({ phase: 'idle', stage: undefined, problem: messageOf(error) });
    }
  }

  /**
   * Grades and records, before `ref`, each exercise whose learner file `ref`'s
   * file was last seen to import and whose record is not about what that file
   * holds now (after a save of it, say): the verdict's note about it then says
   * where it stands now, and the progress shows it.
   */
  private async regradeChangedImports(ref: ExerciseRef, signal: AbortSignal, record: () => boolean): Promise<void> {
    const state = await this.workspace.state.read();
    const seen = this.snapshot.verdict?.exerciseKey === ref.key ? this.snapshot.verdict.learnerFiles : [];
    for (const imported of await importsToRegrade(this.workspace, state, ref, [...seen, ...gradedPaths(this.workspace, state.exercises[ref.key])])) {
      if (record()) this.set({ stage: t`${imported.id}, which this file imports` });
      try {
        const { progress } = await gradeAndRecord(this.workspace, imported, { prepared: await this.preparedFor(imported), learnerFile: learnerFileOf(this.workspace, imported), sandbox: this.sandbox, signal, record });
        if (progress && record()) this.set({ progress: await this.marked(progress) });
      } catch (error) {
        // The exercise on screen is graded all the same, and its note says where this one stands.
        if (signal.aborted) throw error;
      }
    }
  }

  /** Watches the learner's file and the files it imports; re-grades on change. */
  private watchFiles(files: string[]): void {
    if (!this.closed) this.watcher?.watch(files);
  }

  /**
   * Reveals the next hint of the current exercise (the diagnosed mistake's
   * first: see `nextHint`) and saves it.
   */
  async revealHint(): Promise<void> {
    const { exercise, verdict, progress } = this.snapshot;
    const source = this.hintSource;
    if (!source) return;
    const latest = verdict?.exerciseKey === exercise.key ? gradingOfVerdict(verdict) : undefined;
    const { state } = await revealHint(this.workspace.state, exercise.key, source, latest, StateStore.progressOf(progress, exercise.key).revealedHints);
    // Saved either way; shown only if the learner is still on that exercise.
    if (this.snapshot.exercise.key !== exercise.key) return;
    if (!state) this.set({ notice: t('That was the last hint.') });
    else this.set({ hints: revealedHints(source, StateStore.progressOf(state, exercise.key).revealedHints, this.options.locale), progress: await this.marked(state), notice: undefined });
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
      this.set({ notice: t('Make this exercise pass first: `n` moves on only after a pass.') });
      return;
    }
    const { exercise, progress } = this.snapshot;
    const order = this.exercises;
    const start = order.indexOf(exercise);
    const unsolved = (r: ExerciseRef) => progress.exercises[r.key]?.status !== 'passed';
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
        ...countSolved(order, progress, exercise.packId),
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
    const progress = await this.readProgress();
    this.set({ progress, notice: backup ? t`Restored the starter of ${ref.id}; your file is kept at ${path.relative(this.workspace.dir, backup)}.` : t`Restored the starter of ${ref.id}.` });
    if (ref.key === this.snapshot.exercise.key) await this.rerun();
    return backup;
  }

  /** The model solution, once the current exercise passes; else undefined, and the notice says why. */
  async solution(): Promise<string | undefined> {
    const withheld = withheldSolution(this.snapshot.exercise);
    if (withheld) this.setNotice(withheld);
    else if (!this.passed) this.setNotice(t('The model solution opens after your code passes.'));
    else return readExerciseFile(this.snapshot.exercise, 'solution');
    return undefined;
  }

  /**
   * Opens the current learner file in the learner's editor (a terminal editor
   * takes the terminal through `terminal`), and says in the notice what
   * happened, naming the file relative to `cwd`.
   */
  openEditor(cwd: string, terminal: TerminalHandover = {}): EditorResult {
    const { learnerFile } = this.snapshot;
    const file = path.relative(cwd, learnerFile) || learnerFile;
    const result = this.launchEditor(learnerFile, terminal);
    if (result.kind === 'none') this.setNotice(t`Set $EDITOR or $VISUAL to open files from here. Your file: ${file}`);
    else if (result.kind === 'failed') this.setNotice(t`Could not start ${result.command}: ${result.message}`);
    else if (result.kind === 'window') this.setNotice(t`Opened ${file} in ${result.command}.`);
    else this.setNotice(undefined);
    return result;
  }

  /** Progress as the screen shows it: each pass whose files or exercise changed since is `changed`. */
  private async marked(state: State): Promise<State> {
    await markChangedPasses(this.workspace, state);
    await markChangedDefinitions(this.workspace.exercises, state);
    return state;
  }

  /** The progress file's records, as the screen shows them. */
  private async readProgress(): Promise<State> {
    return this.marked(await this.workspace.state.read());
  }

  /** The progress shown, with the attempt applied as the progress file will hold it. */
  private withAttempt(ref: ExerciseRef, verdict: Verdict): State {
    const copy = structuredClone(this.snapshot.progress);
    // A record without a definition digest is never marked changed; the saved record, shown next, carries the digest.
    applyAttempt(copy, ref, verdict, { files: gradedFilesOf(this.workspace, verdict), definition: undefined });
    return copy;
  }

  setNotice(notice: string | undefined): void {
    this.set({ notice });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.cancel?.abort();
    this.watcher?.close();
    await this.grading?.catch(() => {});
    await this.sandbox?.close();
  }
}

function messageOf(error: unknown): string {
  if (error instanceof UserError) return error.next ? `${error.message} ${error.next}` : error.message;
  return error instanceof Error ? error.message : String(error);
}

