/**
 * `pack build`: a pack folder as a .tgz laid out as `npm pack` lays it out
 * (the files under `package/`), optionally without its model solutions (a
 * course build, whose pack.json says `"solutions": false`).
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../../errors.js';
import { posixRelative } from '../common/paths.js';
import { exerciseFiles, exerciseRefs, loadPack } from './packs.js';
import { t } from '../../i18n/i18n.js';

/** What a build wrote. */
export interface PackBuild {
  /** The tarball, absolute. */
  file: string;
  id: string;
  version: string;
  /** The files in the tarball, relative to its `package/` folder, sorted. */
  files: string[];
  /** The solution.ts files left out, relative to the pack folder. */
  withheld: string[];
}

/** The time every file of a build carries, as `npm pack` sets it: two builds of the same files are the same bytes. */
const fixedMtime = new Date('1985-10-26T08:15:00Z');

/** Left out of every build: installed packages and their lock file (as npm leaves it out), dot-files (.git, editor settings) and earlier builds at the top of the folder. */
const leftOut = (relative: string) => relative.split('/').some((part) => part === 'node_modules' || part.startsWith('.')) || /^[^/]+\.tgz$/.test(relative) || relative === 'package-lock.json';

/**
 * The regular files under `dir` that a build holds, relative and sorted.
 * Refuses a link or any other kind of file: a learner's copy of the pack
 * holds regular files only.
 */
async function filesToBuild(dir: string, prefix = ''): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await fs.readdir(path.join(dir, prefix), { withFileTypes: true })) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (leftOut(relative)) continue;
    if (entry.isDirectory()) found.push(...(await filesToBuild(dir, relative)));
    else if (entry.isFile()) found.push(relative);
    else throw new UserError(t`${path.join(dir, relative)}: not a regular file (a link?), so the build cannot hold it.`, { next: t('Replace it with the file itself, or move it out of the pack folder.'), exitCode: 1 });
  }
  return found.sort();
}

/** The tarball's name as `npm pack` names it: package.json's name (`@scope/name` as `scope-name`), else the pack id, then the version. */
async function tarballName(dir: string, id: string, version: string): Promise<string> {
  const text = await fs.readFile(path.join(dir, 'package.json'), 'utf8').catch(() => undefined);
  let name: unknown;
  try {
    name = text === undefined ? undefined : (JSON.parse(text) as { name?: unknown })?.name;
  } catch {
    name = undefined;
  }
  const base = typeof name === 'string' && /^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/.test(name) ? name.replace(/^@/, '').replace('/', '-') : id;
  return `${base}-${version}.tgz`;
}

/** pack.json as the author wrote it (fields in their order), with `"solutions": false`. */
async function manifestWithoutSolutions(dir: string): Promise<string> {
  const raw = JSON.parse(await fs.readFile(path.join(dir, 'pack.json'), 'utf8')) as Record<string, unknown>;
  return `${JSON.stringify({ ...raw, solutions: false }, null, 2)}\n`;
}

/** Copies `files` from `dir` into `into` (a new folder); a course build's pack.json says it has no solutions. */
async function stage(dir: string, files: string[], into: string, solutions: boolean): Promise<void> {
  for (const file of files) {
    const target = path.join(into, ...file.split('/'));
    await fs.mkdir(path.dirname(target), { recursive: true });
    if (file === 'pack.json' && !solutions) await fs.writeFile(target, await manifestWithoutSolutions(dir));
    else await fs.copyFile(path.join(dir, ...file.split('/')), target);
  }
}

/** Writes the tarball of `staged` (a folder holding `package/`) to `file`, whole or not at all. */
async function writeTarball(staged: string, files: string[], file: string): Promise<void> {
  const { create } = await import('tar');
  await fs.mkdir(path.dirname(file), { recursive: true });
  const partial = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    await create({ gzip: true, file: partial, cwd: staged, portable: true, mtime: fixedMtime }, files.map((f) => `package/${f}`));
    await fs.rename(partial, file);
  } finally {
    await fs.rm(partial, { force: true });
  }
}

/**
 * Builds the pack in `dir` into a .tgz that `pack add` and `grade --pack`
 * take: every regular file of the folder but node_modules, dot-files and
 * earlier .tgz builds at its top. With `solutions: false`, each exercise's
 * solution.ts is left out and pack.json gets `"solutions": false`. Writes
 * `out` (default: `<name>-<version>.tgz` in `cwd`, as `npm pack` names it).
 */
export async function buildPack(dir: string, options: { solutions: boolean; out?: string; cwd: string }): Promise<PackBuild> {
  const pack = await loadPack(dir);
  const { id, version } = pack.manifest;
  const solutionFiles = new Set(exerciseRefs([pack]).map((ref) => posixRelative(dir, path.join(ref.dir, exerciseFiles.solution))));
  const all = await filesToBuild(dir);
  const files = options.solutions ? all : all.filter((f) => !solutionFiles.has(f));
  const file = path.resolve(options.cwd, options.out ?? (await tarballName(dir, id, version)));
  const staged = await fs.mkdtemp(path.join(os.tmpdir(), 'llm-tutor-build-'));
  try {
    await stage(dir, files, path.join(staged, 'package'), options.solutions);
    await writeTarball(staged, files, file);
  } finally {
    await fs.rm(staged, { recursive: true, force: true });
  }
  return { file, id, version, files, withheld: all.filter((f) => !files.includes(f)) };
}
