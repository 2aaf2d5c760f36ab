import { constants, lstatSync, promises as fs, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../../errors.js';
import { t } from '../../i18n/i18n.js';

const MiB = 1024 * 1024;

/** The largest size, in bytes, of each kind of file llm-tutor reads from a workspace or a submission. */
export const readLimits = {
  /** `.llm-tutor/state.json`. */
  state: 16 * MiB,
  /** `llm-tutor.json`, and a pack's `pack.json`. */
  config: 1 * MiB,
  /** A pack's lesson, starter, solution and definition files. */
  exerciseText: 4 * MiB,
  /** A learner's file, read by the tutor itself (a backup before `reset`, the text of an error's line). */
  learnerFile: 4 * MiB,
} as const;

/** Why a file was refused. */
export type UnsafeFileReason = 'symlink' | 'linked-folder' | 'fifo' | 'folder' | 'device' | 'socket' | 'not-regular' | 'too-large' | 'unreadable';

/**
 * A file llm-tutor will not read: a symbolic link, a FIFO, a device, a folder,
 * a file over its size limit, or one it may not open. The message is one
 * line: the file, what it is, and what to do.
 */
export class UnsafeFileError extends UserError {
  constructor(
    /** The file's path. */
    readonly file: string,
    readonly reason: UnsafeFileReason,
    message: string,
  ) {
    super(message, { exitCode: 1 });
    this.name = 'UnsafeFileError';
  }
}

export interface SafeReadOptions {
  /** The largest size accepted, in bytes (see {@link readLimits}). */
  maxBytes: number;
  /** What to do about a refused file, closing the one-line message: "remove it and run `llm-tutor init`". */
  fix: string;
  /** How messages name the file (default: its path). */
  label?: string;
  /**
   * A folder that holds the file: no folder between it and the file may be a
   * symbolic link (the folder itself may be one). Such a link is refused with
   * its own fix: replace it with the folder.
   */
  within?: string;
}

/** Keeps a message on one line whatever a path holds. */
export function flat(text: string): string {
  return text.replace(/[\s\p{Cc}]+/gu, ' ').trim();
}

/** A size in bytes, KiB or MiB, to one decimal, rounded up (so that a size over a limit never reads as the limit). */
function formatSize(bytes: number): string {
  const [unit, size] = bytes >= MiB ? ['MiB', MiB] : bytes >= 1024 ? ['KiB', 1024] : ['bytes', 1];
  const value = Math.ceil((bytes / size) * 10) / 10;
  return `${value} ${unit}`;
}

/** What a folder entry that is not a regular file is: the reason recorded. */
export function kindOf(stats: Pick<Stats, 'isSymbolicLink' | 'isFIFO' | 'isDirectory' | 'isCharacterDevice' | 'isBlockDevice' | 'isSocket'>): UnsafeFileReason {
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isFIFO()) return 'fifo';
  if (stats.isDirectory()) return 'folder';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'device';
  if (stats.isSocket()) return 'socket';
  return 'not-regular';
}

/**
 * The one-line message about `label`, an entry of kind `reason` where a
 * regular file (or, with `wanted: 'folder'`, a folder) should be, ending with
 * what to do: "x is a FIFO (named pipe), not a regular file: <fix>."
 */
export function notRegularMessage(label: string, reason: UnsafeFileReason, fix: string, wanted: 'file' | 'folder' = 'file'): string {
  const folder = wanted === 'folder';
  switch (reason) {
    case 'symlink':
      return t`${label} is a symbolic link, which llm-tutor does not follow: ${fix}.`;
    case 'fifo':
      return folder ? t`${label} is a FIFO (named pipe), not a folder: ${fix}.` : t`${label} is a FIFO (named pipe), not a regular file: ${fix}.`;
    case 'folder':
      return t`${label} is a folder, not a regular file: ${fix}.`;
    case 'device':
      return folder ? t`${label} is a device, not a folder: ${fix}.` : t`${label} is a device, not a regular file: ${fix}.`;
    case 'socket':
      return folder ? t`${label} is a socket, not a folder: ${fix}.` : t`${label} is a socket, not a regular file: ${fix}.`;
    default:
      return folder ? t`${label} is not a folder: ${fix}.` : t`${label} is not a regular file: ${fix}.`;
  }
}

/**
 * Checks what `stats` describes: a regular file no larger than the limit.
 * Throws {@link UnsafeFileError} otherwise.
 */
function requireRegular(file: string, stats: Stats, options: SafeReadOptions): void {
  const label = flat(options.label ?? file);
  if (!stats.isFile()) {
    const reason = kindOf(stats);
    throw new UnsafeFileError(file, reason, notRegularMessage(label, reason, options.fix));
  }
  if (stats.size > options.maxBytes) {
    throw new UnsafeFileError(file, 'too-large', t`${label} is ${formatSize(stats.size)}, over the ${formatSize(options.maxBytes)} limit for this file: ${options.fix}.`);
  }
}

function tooLarge(file: string, options: SafeReadOptions): UnsafeFileError {
  return new UnsafeFileError(file, 'too-large', t`${flat(options.label ?? file)} is over the ${formatSize(options.maxBytes)} limit for this file: ${options.fix}.`);
}

function unreadable(file: string, options: SafeReadOptions): UnsafeFileError {
  return new UnsafeFileError(file, 'unreadable', t`${flat(options.label ?? file)} cannot be read (permission denied): check the file's permissions.`);
}

/**
 * What is at `entry`, without following a link; undefined when nothing is (or a
 * part of its path is a file). Permission denied is an {@link UnsafeFileError} naming `file`.
 */
async function lstatIfPresent(entry: string, file: string, options: SafeReadOptions): Promise<Stats | undefined> {
  try {
    return await fs.lstat(entry);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    if (code === 'EACCES') throw unreadable(file, options);
    throw error;
  }
}

/** Throws when a folder between `within` and `file` is a symbolic link; false when one is missing. */
async function foldersAreReal(file: string, options: SafeReadOptions): Promise<boolean> {
  if (!options.within) return true;
  const root = path.resolve(options.within);
  const relative = path.relative(root, path.dirname(path.resolve(file)));
  if (relative === '') return true;
  if (relative.startsWith('..') || path.isAbsolute(relative)) throw new Error(`${file} is not inside ${root}`);
  let dir = root;
  for (const part of relative.split(path.sep)) {
    dir = path.join(dir, part);
    const stats = await lstatIfPresent(dir, file, options);
    if (!stats) return false;
    if (stats.isSymbolicLink()) {
      throw new UnsafeFileError(file, 'linked-folder', t`${flat(options.label ?? file)} is inside ${flat(path.relative(root, dir) || dir)}, a symbolic link, which llm-tutor does not follow: replace the link with the folder itself.`);
    }
    if (!stats.isDirectory()) return false;
  }
  return true;
}

// Never follow a link at the last component, never wait for a writer (a FIFO), never adopt a terminal.
const openFlags = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

/**
 * Reads a file of a workspace or a submission as UTF-8 text, safely: a
 * symbolic link (at the file, or at a folder below `within`), a FIFO, a
 * device, a socket, a folder or a file over `maxBytes` is refused with an
 * {@link UnsafeFileError} whose one-line message names the file and ends
 * with `fix`. The file is opened without following a link and without
 * blocking, checked on the open handle, and read from that same handle.
 * Returns undefined when the file does not exist.
 */
export async function readRegularFile(file: string, options: SafeReadOptions): Promise<string | undefined> {
  return (await readRegularFileBytes(file, options))?.toString('utf8');
}

/** {@link readRegularFile}, giving the bytes as they are. */
export async function readRegularFileBytes(file: string, options: SafeReadOptions): Promise<Buffer | undefined> {
  if (!(await foldersAreReal(file, options))) return undefined;
  // A first look by name, so that a FIFO or a device is never even opened.
  const named = await lstatIfPresent(file, file, options);
  if (!named) return undefined;
  requireRegular(file, named, options);
  let handle: FileHandle;
  try {
    handle = await fs.open(file, openFlags);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    if (code === 'EACCES' || code === 'EPERM') throw unreadable(file, options);
    // Replaced by a link or a socket since the first look.
    if (code === 'ELOOP' || code === 'EMLINK' || code === 'ENXIO') requireRegular(file, await fs.lstat(file), options);
    throw error;
  }
  try {
    // The handle is what will be read: check it, not the name.
    requireRegular(file, await handle.stat(), options);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      // Read one byte past the limit, so that a file that grew since the check is caught.
      const buffer = Buffer.allocUnsafe(Math.min(64 * 1024, options.maxBytes + 1 - total));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      chunks.push(buffer.subarray(0, bytesRead));
      total += bytesRead;
      if (total > options.maxBytes) throw tooLarge(file, options);
    }
    return Buffer.concat(chunks, total);
  } finally {
    await handle.close();
  }
}

/**
 * Checks, without reading it, that a workspace file is absent or a regular
 * file within its limit (the same rules as {@link readRegularFile}). Returns
 * whether it exists.
 */
export async function checkRegularFile(file: string, options: SafeReadOptions): Promise<boolean> {
  if (!(await foldersAreReal(file, options))) return false;
  const stats = await lstatIfPresent(file, file, options);
  if (!stats) return false;
  requireRegular(file, stats, options);
  return true;
}

/** Whether anything (a file, a folder, a link, even a dangling one) is at `file`; links are not followed. */
export function entryExists(file: string): boolean {
  try {
    return lstatSync(file, { throwIfNoEntry: false }) !== undefined;
  } catch {
    // ENOTDIR, EACCES: nothing llm-tutor could use is there.
    return false;
  }
}
