import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { UserError } from '../../errors.js';
import { writeFailureReason } from '../common/errno.js';
import { parseJsonWith, writeFileAtomic } from '../common/json-file.js';
import { readLimits, readRegularFile, UnsafeFileError } from '../common/safe-read.js';
import { exerciseProgressSchema, stateSchema, type ExerciseProgress, type State } from '../common/schemas.js';
import { t } from '../../i18n/i18n.js';

export function emptyState(): State {
  return { formatVersion: 1, packVersions: {}, packExercises: {}, exercises: {} };
}

export function emptyProgress(): ExerciseProgress {
  return { status: 'pending', attempts: 0, revealedHints: [] };
}

/** Thrown when the state file exists but cannot be read as progress; a backup has been written. */
export class CorruptStateError extends UserError {
  constructor(
    readonly file: string,
    readonly backup: string,
    reason: string,
  ) {
    super(t`Progress file ${file} is damaged (${reason}). A copy is kept at ${backup}.`, {
      next: t('Run `llm-tutor doctor --repair` to keep what can be read and rebuild the rest by re-grading your edited files (they are not changed).'),
      exitCode: 2,
    });
    this.name = 'CorruptStateError';
  }
}

/** Thrown when the state file cannot be written (a read-only folder, a full disk): the file on disk is unchanged. */
export class StateWriteError extends UserError {
  override name = 'StateWriteError';
}

/** Progress is the learner's own: the file and its backups are readable by them alone. */
const privateMode = 0o600;

/**
 * Keeps a copy of a damaged state file's text (read from the regular file
 * itself, never through a link) next to it, private to its owner. Something
 * already at the backup's name is never written through: a backup of the same
 * text is reused, anything else gets a name of its own.
 */
async function keepBackup(file: string, text: string): Promise<string> {
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 8);
  for (let attempt = 0; ; attempt++) {
    const backup = `${file}.corrupt-${hash}${attempt ? `-${attempt}` : ''}`;
    try {
      await fs.writeFile(backup, text, { flag: 'wx', mode: privateMode });
      return backup;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const existing = await fs.lstat(backup).catch(() => undefined);
      if (existing?.isFile() && existing.size === Buffer.byteLength(text)) return backup;
    }
  }
}

/** What to do about a progress file llm-tutor will not read. */
export const stateFix = (): string => t('run `llm-tutor doctor --repair` to move it aside and start a new progress file');

/**
 * Progress of one workspace, kept in `.llm-tutor/state.json`. Reads validate
 * against the schema; writes are atomic (temp file, fsync, rename), so a kill
 * at any moment leaves the old or the new file. A damaged file is never reset
 * silently: reading it keeps a backup and throws {@link CorruptStateError}.
 */
/** The last update queued on each state file (by path), so that updates in one process never interleave. */
const pendingUpdates = new Map<string, Promise<void>>();

export class StateStore {
  /**
   * @param file the state file
   * @param workspaceDir the workspace holding it: no folder between the two may be a symbolic link
   */
  constructor(
    readonly file: string,
    readonly workspaceDir?: string,
  ) {}

  /**
   * The state file's text, or undefined when there is none. A link, a FIFO, a
   * device or a file over 16 MiB throws {@link UnsafeFileError}.
   */
  private readText(): Promise<string | undefined> {
    return readRegularFile(this.file, { maxBytes: readLimits.state, fix: stateFix(), within: this.workspaceDir });
  }

  async read(): Promise<State> {
    const text = await this.readText();
    if (text === undefined) return emptyState();
    try {
      return parseJsonWith(text, stateSchema, this.file);
    } catch (error) {
      const reason = text.trim() === '' ? t('the file is empty') : error instanceof UserError ? error.message.replace(`${this.file}: `, '') : String(error);
      throw new CorruptStateError(this.file, await keepBackup(this.file, text), reason);
    }
  }

  async write(state: State): Promise<void> {
    try {
      await writeFileAtomic(this.file, `${JSON.stringify(stateSchema.parse(state), null, 2)}\n`, { mode: privateMode });
    } catch (error) {
      const reason = writeFailureReason(error);
      if (!reason) throw error;
      throw new StateWriteError(t`Cannot save progress to ${this.file}: ${reason}.`, { next: t('Make the workspace folder writable (or move it), then run the command again.'), exitCode: 1 });
    }
  }

  /**
   * Reads, applies `change` and writes back; returns the new state. Updates
   * of one state file in this process run one after another, each reading
   * what the previous one wrote: a hint revealed while a grading is saved is
   * not lost to a write from a state read before it.
   */
  update(change: (state: State) => void): Promise<State> {
    const previous = pendingUpdates.get(this.file) ?? Promise.resolve();
    const next = previous.then(
      () => this.readChangeWrite(change),
      () => this.readChangeWrite(change),
    );
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    pendingUpdates.set(this.file, settled);
    void settled.then(() => {
      if (pendingUpdates.get(this.file) === settled) pendingUpdates.delete(this.file);
    });
    return next;
  }

  private async readChangeWrite(change: (state: State) => void): Promise<State> {
    const state = await this.read();
    change(state);
    await this.write(state);
    return state;
  }

  /** Progress of one exercise (a fresh record when there is none). */
  static progressOf(state: State, key: string): ExerciseProgress {
    return state.exercises[key] ?? emptyProgress();
  }

  /**
   * Replaces a damaged state file with what can be salvaged from it (every
   * exercise entry that still validates), keeping the damaged file as a backup.
   * Something llm-tutor will not read (a link, a FIFO, a device, a file over
   * the limit) is renamed aside as it is, unread, and progress starts afresh.
   * Returns how many entries were kept, and where the backup or the moved
   * entry is.
   */
  async repair(): Promise<{ kept: number; dropped: number; backup?: string; movedAside?: string }> {
    let text: string | undefined;
    try {
      text = await this.readText();
    } catch (error) {
      if (!(error instanceof UnsafeFileError) || error.reason === 'unreadable' || error.reason === 'linked-folder') throw error;
      const movedAside = `${this.file}.unsafe-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      await fs.rename(this.file, movedAside);
      await this.write(emptyState());
      return { kept: 0, dropped: 0, movedAside };
    }
    if (text === undefined) {
      await this.write(emptyState());
      return { kept: 0, dropped: 0 };
    }
    const backup = await keepBackup(this.file, text);
    const state = emptyState();
    let dropped = 0;
    try {
      const raw = JSON.parse(text) as { exercises?: Record<string, unknown>; packVersions?: Record<string, unknown>; builtinPacksKnown?: unknown };
      for (const [key, value] of Object.entries(raw.exercises ?? {})) {
        const parsed = exerciseProgressSchema.safeParse(value);
        if (parsed.success) state.exercises[key] = parsed.data;
        else dropped++;
      }
      for (const [key, value] of Object.entries(raw.packVersions ?? {})) if (typeof value === 'string') state.packVersions[key] = value;
      const known = stateSchema.shape.builtinPacksKnown.safeParse(raw.builtinPacksKnown);
      if (known.success && known.data) state.builtinPacksKnown = known.data;
    } catch {
      // Not JSON at all: nothing to salvage.
    }
    await this.write(state);
    return { kept: Object.keys(state.exercises).length, dropped, backup };
  }
}

/** The state file of a workspace folder. */
export function stateFileOf(workspaceDir: string): string {
  return path.join(workspaceDir, '.llm-tutor', 'state.json');
}
