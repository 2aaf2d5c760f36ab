import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';

/** Tells when one of a set of files changes. */
export interface FileWatcher {
  /** Watches `files` from now on, instead of the files watched so far. */
  watch(files: string[]): void;
  close(): void;
}

export interface FileWatcherEvents {
  /** One of the files changed (once per burst of changes). */
  onChange: () => void;
  /** Watching failed; no more changes will be told. */
  onError: (error: unknown) => void;
}

/** Makes the watcher a session uses; tests pass one they drive themselves. */
export type CreateFileWatcher = (events: FileWatcherEvents) => FileWatcher;

/**
 * Watches files through their folders (`fs.watch`), and tells of a change
 * `debounceMs` milliseconds after the last one (editors write in bursts).
 */
export class FolderWatcher implements FileWatcher {
  private watchers: FSWatcher[] | undefined;
  private watched = '';
  private debounce: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly events: FileWatcherEvents,
    private readonly debounceMs = 10,
  ) {}

  watch(files: string[]): void {
    if (this.closed) return;
    const sorted = [...new Set(files)].sort();
    if (this.watchers && sorted.join('\n') === this.watched) return;
    this.stopWatching();
    this.watched = sorted.join('\n');
    const wanted = new Set(sorted);
    const watchers: FSWatcher[] = [];
    this.watchers = watchers;
    try {
      // Watch the folders, not the files: an editor that saves by renaming a new file over the old
      // one replaces the file, and a watch on the old file would go quiet (seen with chokidar too).
      for (const dir of new Set(sorted.map((f) => path.dirname(f)))) {
        const watcher = watch(dir, (_event, name) => {
          if (!name || !wanted.has(path.join(dir, name.toString()))) return;
          clearTimeout(this.debounce);
          this.debounce = setTimeout(() => this.events.onChange(), this.debounceMs);
        });
        watcher.on('error', this.events.onError);
        watchers.push(watcher);
      }
    } catch (error) {
      this.events.onError(error);
    }
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.debounce);
    this.stopWatching();
  }

  private stopWatching(): void {
    for (const w of this.watchers ?? []) w.close();
  }
}
