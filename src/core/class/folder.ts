/**
 * A class folder as `llm-tutor grade` sees it: which entries are
 * submissions (and which are refused, unread), shards of them, and the packs
 * to grade against, which come from the grader, never from a submission.
 */
import { existsSync, promises as fs, readdirSync, statSync, type Dirent } from 'node:fs';
import path from 'node:path';
import { UserError } from '../../errors.js';
import { fetchPack } from '../packs/install.js';
import { listBuiltinPackIds, loadPack, resolvePack, type Pack } from '../packs/packs.js';
import { configFileName } from '../workspace/workspace.js';
import { posixRelative } from '../common/paths.js';
import { entryExists, flat, kindOf, notRegularMessage } from '../common/safe-read.js';
import { t } from '../../i18n/i18n.js';

/** A learner's workspace to grade. */
export interface Submission {
  /** A stable name: the folder name, or its path relative to where grade ran. */
  id: string;
  dir: string;
  /** The folder relative to where grade ran, with / separators. */
  path: string;
  /**
   * Set when the entry in the class folder is not a folder (a symbolic link,
   * even to a folder, a FIFO, a device): why it is not graded, in one line.
   * Nothing under it is read.
   */
  refused?: string;
}

export function isWorkspace(dir: string): boolean {
  // Anything by that name counts, even a link or a FIFO: reading it then says what is wrong with it.
  return entryExists(path.join(dir, configFileName));
}

/** Why an entry of a class folder is not graded, or undefined for a folder. */
function refusal(entry: Dirent, id: string): string | undefined {
  if (entry.isDirectory()) return undefined;
  const reason = kindOf(entry);
  const fix = reason === 'symlink' ? t('put the submission itself there, not a link to it') : t("put the submission's folder there");
  return notRegularMessage(flat(id), reason, fix, 'folder');
}

/**
 * The submissions under the given paths: each path is a workspace, or a
 * folder whose sub-folders are workspaces (a class). Every entry of a class
 * folder but its regular files and dot-entries is a submission: one that is
 * not a folder (a symbolic link, a FIFO) is kept, marked `refused`, so that it
 * is reported rather than skipped. Sorted by id, so that shards are
 * deterministic.
 */
export function discoverSubmissions(paths: string[], cwd: string): Submission[] {
  const found = new Map<string, Submission>();
  for (const given of paths.length ? paths : ['.']) {
    const dir = path.resolve(cwd, given);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(t`${given}: no such folder.`, { next: t('Pass a workspace, or a folder holding one workspace per submission.') });
    if (isWorkspace(dir)) {
      found.set(dir, { id: path.relative(cwd, dir) || path.basename(dir), dir, path: posixRelative(cwd, dir) });
      continue;
    }
    const children = readdirSync(dir, { withFileTypes: true }).filter((e) => !e.isFile() && !e.name.startsWith('.'));
    if (children.length === 0) throw new UserError(t`${given}: neither a workspace (no ${configFileName}) nor a folder of submissions.`, { next: t('Pass a workspace, or a folder holding one workspace per submission.') });
    // Every sub-folder is a submission; one without llm-tutor.json is graded as a broken submission, not skipped.
    for (const child of children) {
      const sub = path.join(dir, child.name);
      const id = paths.length > 1 ? path.join(path.relative(cwd, dir), child.name) : child.name;
      const refused = refusal(child, id);
      found.set(sub, { id, dir: sub, path: posixRelative(cwd, sub), ...(refused ? { refused } : {}) });
    }
  }
  return [...found.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Parses `i/n` (1-based). */
export function parseShard(value: string): { index: number; count: number } {
  const match = /^(\d+)\/(\d+)$/.exec(value);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count) throw new UserError(t`--shard must look like 2/5 (shard 2 of 5), got "${value}".`, { exitCode: 2 });
  return { index, count };
}

/** The submissions of shard `index` of `count`: every count-th one, in id order. */
export function shardOf<T>(items: T[], shard: { index: number; count: number }): T[] {
  return items.filter((_, i) => i % shard.count === shard.index - 1);
}

/** The packs to grade against, and what removes the ones unpacked for the run. */
export interface TrustedPacks {
  packs: Pack[];
  /** Removes the packs unpacked from a .tgz or an npm package. */
  dispose(): Promise<void>;
}

/**
 * The pack `grade` grades against without `--pack`. It stays the first pack
 * even though a new workspace enables every built-in pack: a CI job written
 * without `--pack` keeps grading what it graded, and a class's submissions
 * are graded only on a pack their course names.
 */
export const defaultGradedPack = 'transformer-core';

/**
 * The packs to grade against. They come from the grader (`--pack`: a built-in
 * id, or what `pack add` takes: a folder, a .tgz made by `npm pack`, an npm
 * package name), never from a submission: a submission could otherwise name
 * a pack of its own whose references agree with anything.
 */
export async function trustedPacks(entries: string[], cwd: string): Promise<TrustedPacks> {
  const builtins = await listBuiltinPackIds();
  const chosen = entries.length ? entries : builtins.filter((id) => id === defaultGradedPack);
  const temps: string[] = [];
  const dispose = async () => {
    await Promise.all(temps.map((dir) => fs.rm(dir, { recursive: true, force: true })));
  };
  const packs: Pack[] = [];
  try {
    for (const entry of chosen) packs.push(builtins.includes(entry) ? await resolvePack(entry, cwd) : await fetchedPack(entry, cwd, temps));
  } catch (error) {
    await dispose();
    throw error;
  }
  return { packs, dispose };
}

/** The pack at a folder, a .tgz or an npm package; the temporary folder it was unpacked into, if any, is added to `temps`. */
async function fetchedPack(source: string, cwd: string, temps: string[]): Promise<Pack> {
  const { dir, temp } = await fetchPack(source, cwd);
  if (temp) temps.push(temp);
  return loadPack(dir);
}
