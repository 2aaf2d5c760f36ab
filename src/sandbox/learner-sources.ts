/**
 * Which of the learner's files a bundle may read, and reading them. Every
 * file must be a regular file whose real path lies inside the learner's own
 * exercises folder and ends in .ts, .js, .mts or .mjs; the resolution is done
 * here, not by esbuild, so that no symlink, package.json, tsconfig.json,
 * folder index or loader can reach a file outside. Messages are one line,
 * name the file and never quote a refused file.
 */
import { constants as fsConstants, promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import { posixRelative } from '../core/common/paths.js';
import { findPathologicalShape } from './source-shape.js';
import { t } from '../i18n/i18n.js';

/** Limits on what one bundle reads of the learner's files. */
export const sourceLimits = {
  /** Bytes of one source file. */
  fileBytes: 1024 * 1024,
  /** Files in one bundle. */
  files: 200,
  /** Bytes of all the files of one bundle. */
  totalBytes: 4 * 1024 * 1024,
} as const;

/** The file name endings a learner file may have, and how esbuild reads each. */
const loaders: Record<string, 'ts' | 'js'> = { '.ts': 'ts', '.mts': 'ts', '.js': 'js', '.mjs': 'js' };
export const sourceExtensions = Object.keys(loaders);

/** The learner's exercises folder, as given and as it really is on disk. */
export interface LearnerRoot {
  given: string;
  real: string;
  /** The folder above it (the workspace or submission), for naming files. */
  workspace: string;
}

/** A learner file a bundle may read. */
export interface LearnerSource {
  /** The path the bundle names it by: its real path, under the exercises folder as given. */
  path: string;
  real: string;
  /** The file's identity when it was resolved, to notice it being swapped before it is read. */
  dev: number;
  ino: number;
}

export type Refused = { refused: string };
export type Resolved = { source: LearnerSource } | Refused;

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 1)} MiB`;

/** Whether `file` lies strictly below `root` (both resolved paths). */
export function isInside(file: string, root: string): boolean {
  const relative = path.relative(root, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

/** A file's name for a message: relative to the workspace when it lies there, else absolute. */
export function shownPath(root: LearnerRoot, file: string): string {
  for (const base of [root.workspace, path.dirname(root.real)]) {
    if (isInside(file, base)) return posixRelative(base, file);
  }
  return file;
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return t('a folder');
  if (stats.isFIFO()) return t('a named pipe');
  if (stats.isSocket()) return t('a socket');
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return t('a device');
  return t('not a regular file');
}

/**
 * Checks the exercises folder itself: it must exist, and must not be a link
 * to somewhere else (which would make whatever it points at "inside").
 */
export async function openLearnerRoot(allowedRoot: string): Promise<LearnerRoot | Refused> {
  const given = path.resolve(allowedRoot);
  const workspace = path.dirname(given);
  let real: string;
  let parent: string;
  try {
    [real, parent] = await Promise.all([fs.realpath(given), fs.realpath(workspace)]);
  } catch {
    return { refused: t`the exercises folder ${given} does not exist: run \`llm-tutor init\` to create the workspace` };
  }
  if (real !== path.join(parent, path.basename(given))) {
    return { refused: t`${path.basename(given)}/ is a link to ${real}: your exercises must be a real folder in the workspace, not a link; replace the link with the folder` };
  }
  if (!(await fs.stat(real)).isDirectory()) return { refused: t`${given} is not a folder: the exercises must be a folder in the workspace` };
  return { given, real, workspace };
}

/**
 * Checks one candidate path: undefined when nothing is there (try the next
 * candidate), else the file or why it is refused. `importText` says how an
 * import named it (`imports "./x.js"`); a module given to the bundle has none.
 */
async function checkCandidate(root: LearnerRoot, candidate: string, specifier?: string): Promise<Resolved | undefined> {
  const shown = shownPath(root, candidate);
  const say = (what: string): Refused => ({ refused: specifier !== undefined ? t`imports "${specifier}": ${shown} ${what}` : `${shown} ${what}` });
  let real: string;
  let stats: Stats;
  try {
    real = await fs.realpath(candidate);
    stats = await fs.stat(real);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    if (code === 'ELOOP') return say(t('is a loop of links: replace the links with the file itself'));
    return say(t`cannot be read (${code ?? 'error'}): check that the file exists and is readable`);
  }
  // The candidate lies in the exercises folder (the callers see to that): a real path elsewhere is a link out.
  if (!isInside(real, root.real)) return say(t`is a link to ${real}, which is outside your exercises folder: replace the link with a file of your own`);
  if (!stats.isFile()) return say(specifier !== undefined ? t`is ${kindOf(stats)}, not a source file: import a .ts or .js file` : t`is ${kindOf(stats)}, not a source file: save your code in a .ts or .js file`);
  if (!(path.extname(real) in loaders)) {
    return say(t`is a link to ${shownPath(root, real)}, which is not a .ts, .js, .mts or .mjs file: only source files can be bundled`);
  }
  if (stats.nlink > 1) {
    return say(t`has ${stats.nlink} hard links, so it may be another file's content: replace it with a file of your own (a plain copy)`);
  }
  const display = path.join(root.given, path.relative(root.real, real));
  return { source: { path: display, real, dev: stats.dev, ino: stats.ino } };
}

/** The paths tried for `base` (an absolute path as the import wrote it), NodeNext-style. */
export function candidatesOf(base: string): string[] {
  const ext = path.extname(base);
  const stem = base.slice(0, base.length - ext.length);
  if (ext === '.js') return [base, `${stem}.ts`];
  if (ext === '.mjs') return [base, `${stem}.mts`];
  if (ext === '.ts' || ext === '.mts') return [base];
  return sourceExtensions.map((e) => `${base}${e}`);
}

/** One of the modules a bundle is built from: the learner's file exactly as named. */
export async function resolveModuleFile(root: LearnerRoot, file: string): Promise<Resolved> {
  const given = path.resolve(file);
  const shown = shownPath(root, given);
  if (!(path.extname(given) in loaders)) return { refused: t`${shown} is not a .ts, .js, .mts or .mjs file` };
  if (isInside(given, root.given) || isInside(given, root.real)) return (await checkCandidate(root, given)) ?? { refused: t`${shown} does not exist` };
  // A file named outside the exercises folder (`check --file`) is the learner's choice: it must be a
  // source file itself, not a link, and what it imports must still lie in the exercises folder.
  const stats = await fs.lstat(given).catch(() => undefined);
  if (!stats) return { refused: t`${shown} does not exist` };
  if (stats.isSymbolicLink()) return { refused: t`${shown} is a link: name the file itself, or put it in your exercises folder` };
  if (!stats.isFile()) return { refused: `${shown} ${t`is ${kindOf(stats)}, not a source file: save your code in a .ts or .js file`}` };
  if (stats.nlink > 1) return { refused: t`${shown} has ${stats.nlink} hard links, so it may be another file's content: grade a plain copy` };
  return { source: { path: given, real: given, dev: stats.dev, ino: stats.ino } };
}

/**
 * What an import in a learner file names: a relative or absolute path, tried
 * as written, then `.js` as `.ts` and `.mjs` as `.mts`, and a path without an
 * ending as .ts, .js, .mts, .mjs in that order. No folder index, no package.
 * `importer` is the importing file's real path.
 */
export async function resolveImport(root: LearnerRoot, importer: string, specifier: string): Promise<Resolved> {
  const base = path.resolve(path.dirname(importer), specifier);
  if (/[/\\]$/.test(specifier) || specifier === '.' || specifier === '..') {
    return { refused: t`imports "${specifier}", which is a folder: import a file in it, such as "${specifier.replace(/[/\\]?$/, '/')}index.js"` };
  }
  if (!isInside(base, root.given) && !isInside(base, root.real)) {
    return { refused: t`imports "${specifier}", which is outside your exercises folder: a learner file may import only your own exercise files (under exercises/) and Node's built-in modules` };
  }
  for (const candidate of candidatesOf(base)) {
    const checked = await checkCandidate(root, candidate, specifier);
    if (checked) return checked;
  }
  // Nothing importable: say why, without reading what is there or following a link.
  const stats = await fs.lstat(base).catch(() => undefined);
  if (stats?.isDirectory()) return { refused: t`imports "${specifier}", which is a folder: import a file in it, such as "${specifier}/index.js" (folders and package.json are not looked into)` };
  if (stats) return { refused: t`imports "${specifier}", which is not a .ts, .js, .mts or .mjs file: a learner file may import only source files` };
  const tried = candidatesOf(base).map((c) => path.basename(c));
  return { refused: t`imports "${specifier}", which does not exist (looked for ${tried.join(', ')} in ${shownPath(root, path.dirname(base))}): check the path` };
}

/** How much a bundle has read so far. */
export interface ReadBudget {
  files: number;
  bytes: number;
}

/**
 * Reads a resolved learner file from one handle (no link followed, never
 * blocking on a pipe), within `sourceLimits` and the bundle's `budget`, and
 * checks its shape. Returns the bytes and esbuild's loader for them, or why it
 * is refused.
 */
export async function readLearnerSource(root: LearnerRoot, source: LearnerSource, budget: ReadBudget): Promise<{ contents: Uint8Array; loader: 'ts' | 'js' } | Refused> {
  const shown = shownPath(root, source.path);
  if (++budget.files > sourceLimits.files) {
    return { refused: t`imports more than ${sourceLimits.files} files in all (reached at ${shown}): a bundle may read at most ${sourceLimits.files} of your files` };
  }
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(source.real, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK);
  } catch (error) {
    return { refused: t`${shown} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}): check that the file exists and is a regular file` };
  }
  let contents: Uint8Array;
  try {
    const stats = await handle.stat();
    if (!stats.isFile() || stats.dev !== source.dev || stats.ino !== source.ino) {
      return { refused: t`${shown} changed while it was being bundled: save it and check again` };
    }
    const tooBig = (size: string) => ({ refused: t`${shown} is ${size}; a source file may be at most ${mib(sourceLimits.fileBytes)}: keep data out of your source files` });
    if (stats.size > sourceLimits.fileBytes) return tooBig(mib(stats.size));
    // One byte more than the limit, so a file that grew since fstat is noticed.
    const buffer = Buffer.alloc(Math.min(stats.size, sourceLimits.fileBytes) + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length === buffer.length) break;
    }
    if (length > sourceLimits.fileBytes) return tooBig(t`more than ${mib(sourceLimits.fileBytes)}`);
    contents = buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
  budget.bytes += contents.length;
  if (budget.bytes > sourceLimits.totalBytes) {
    return { refused: t`imports more than ${mib(sourceLimits.totalBytes)} of source in all (reached at ${shown}): your files together may be at most ${mib(sourceLimits.totalBytes)}` };
  }
  const shape = findPathologicalShape(contents);
  if (shape) return { refused: t`${shown}:${shape.line}: ${shape.message}: split it into smaller statements` };
  return { contents, loader: loaders[path.extname(source.real)] };
}
