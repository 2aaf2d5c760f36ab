import { existsSync, promises as fs, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../../errors.js';
import { requireCjs } from '../common/cjs.js';
import { writeFileAtomic } from '../common/json-file.js';
import { definitionDigests } from './definition-digest.js';
import { exerciseRefs, inSyllabusOrder, listBuiltinPackIds, loadPack, type Pack } from './packs.js';
import { builtinPacksDir, posixRelative } from '../common/paths.js';
import type { State, WorkspaceConfig } from '../common/schemas.js';
import { version } from '../common/version.js';
import { configFileName, learnerFileOf, openWorkspace, writeMissingStarters, type Workspace } from '../workspace/workspace.js';
import { t } from '../../i18n/i18n.js';

/** Where packs installed from a tarball or npm live inside a workspace. */
export function installedPacksDir(workspace: Pick<Workspace, 'dir'>): string {
  return path.join(workspace.dir, '.llm-tutor', 'packs');
}

// Only `satisfies` and `lt` of semver: every command opens this module (pack versions are reconciled on open), few compare versions.
const satisfies = (v: string, range: string) => (requireCjs('semver/functions/satisfies') as typeof import('semver').satisfies)(v, range, { includePrerelease: true });
const isLower = (v: string, than: string) => (requireCjs('semver/functions/lt') as typeof import('semver').lt)(v, than);

/** Checks a pack's `requires` against the enabled packs and this llm-tutor. */
export function checkRequires(pack: Pack, enabledIds: string[]): void {
  const { requires, id } = pack.manifest;
  if (requires.llmTutor && !satisfies(version, requires.llmTutor)) {
    throw new UserError(t`The pack "${id}" needs llm-tutor ${requires.llmTutor}; this is llm-tutor ${version}.`, { next: t('Update llm-tutor (npm install -g llm-tutor), or use an older version of the pack.') });
  }
  for (const needed of requires.packs) {
    if (!enabledIds.includes(needed)) {
      throw new UserError(t`The pack "${id}" requires the pack "${needed}", which is not enabled in this workspace.`, { next: t`Enable it first: \`llm-tutor pack add ${needed}\`.` });
    }
  }
}

async function extractTarball(file: string, into: string): Promise<string> {
  const { extract } = await import('tar');
  await fs.mkdir(into, { recursive: true });
  try {
    await extract({ file, cwd: into, strip: 1 });
  } catch (error) {
    throw new UserError(t`${file}: not a readable .tgz (${(error as Error).message}).`, { next: t('Make the tarball with `npm pack` in the pack folder.') });
  }
  if (!existsSync(path.join(into, 'pack.json'))) {
    throw new UserError(t`${file}: no pack.json at the root of the package.`, { next: t('An llm-tutor pack package has pack.json next to its package.json.') });
  }
  return into;
}

export interface AddResult {
  pack: Pack;
  /** The entry written to llm-tutor.json. */
  entry: string;
  startersWritten: number;
  /** Set when the pack was already enabled at another version. */
  previousVersion?: string;
  /** The ids of the exercises whose definition differs from the version enabled before, or from the one the learner's progress was graded on. */
  changedExercises: string[];
  /** Set when that version was higher than this one. */
  downgrade?: boolean;
}

/**
 * The ids of `pack`'s exercises whose definition digest now differs from
 * `before` (the digests of the version enabled until now, by key) or from the
 * digest a progress record in `state` was graded on.
 */
async function changedDefinitions(pack: Pack, before: ReadonlyMap<string, string | undefined>, state: State): Promise<string[]> {
  const refs = exerciseRefs([pack]);
  const now = await definitionDigests(refs);
  const differs = (recorded: string | undefined, key: string) => recorded !== undefined && recorded !== now.get(key);
  return refs.filter((ref) => differs(before.get(ref.key), ref.key) || differs(state.exercises[ref.key]?.definition, ref.key)).map((ref) => ref.id);
}

/** A pack's folder, and the temporary folder to remove when done with it (for a tarball or an npm package). */
export interface FetchedPack {
  dir: string;
  temp?: string;
}

const tarballName = /\.(tgz|tar\.gz)$/;

/**
 * Finds the pack given as `source`, as `pack add` and `grade --pack` take
 * it: a folder (used in place), a .tgz made by `npm pack`, or an npm package
 * name (fetched with npm). Tarballs and packages are unpacked into a
 * temporary folder, which the caller removes.
 */
export async function fetchPack(source: string, cwd: string): Promise<FetchedPack> {
  const asPath = path.resolve(cwd, source);
  const exists = existsSync(asPath);
  if (exists && statSync(asPath).isDirectory()) return { dir: asPath };
  const isTarball = exists && tarballName.test(asPath);
  if (!isTarball && (/[\\/]/.test(source) || tarballName.test(source) || exists)) {
    throw new UserError(t`No pack at ${asPath}: not a folder or a .tgz file.`, { next: t('Pass a pack folder, a .tgz made by `npm pack`, or an npm package name.') });
  }
  const temp = await fs.mkdtemp(path.join(os.tmpdir(), 'llm-tutor-pack-'));
  try {
    const tarball = isTarball ? asPath : await (await import('../../launch/npm.js')).npmPack(source, temp);
    return { dir: await extractTarball(tarball, path.join(temp, 'unpacked')), temp };
  } catch (error) {
    await fs.rm(temp, { recursive: true, force: true });
    throw error;
  }
}


/**
 * Refuses to replace an enabled pack by different content under the same
 * version (unless forced): learners' workspaces tell pack contents apart by version.
 */
async function refuseSameVersionChange(existing: Pack | undefined, incoming: Pack, force: boolean): Promise<void> {
  if (force || !existing || existing.dir === incoming.dir || existing.manifest.version !== incoming.manifest.version) return;
  const { packDigest } = await import('./pack-digest.js');
  if ((await packDigest(existing.dir)) === (await packDigest(incoming.dir))) return;
  const { id, version: same } = incoming.manifest;
  throw new UserError(t`The pack "${id}" ${same} is already enabled, with different content.`, {
    next: t('Give the new content a new version (in pack.json and package.json), or pass --force to replace it.'),
  });
}

/**
 * Enables a pack in the workspace: a folder (used in place), a .tgz made by
 * `npm pack`, or an npm package name (fetched with npm). Tarballs and packages
 * are unpacked into `.llm-tutor/packs/<id>`. Writes starters for its exercises.
 */
export async function addPack(workspace: Workspace, source: string, cwd: string, options: { force?: boolean } = {}): Promise<AddResult> {
  const builtinId = await builtinPackNamed(source, cwd);
  const { dir, temp } = builtinId ? { dir: path.join(builtinPacksDir, builtinId), temp: undefined } : await fetchPack(source, cwd);
  try {
    const pack = await loadPack(dir, builtinId !== undefined);
    const id = pack.manifest.id;
    const enabled = workspace.packs.map((p) => p.manifest.id);
    checkRequires(pack, enabled);
    const existing = workspace.packs.find((p) => p.manifest.id === id);
    if (existing?.builtin) throw new UserError(t`"${id}" is a built-in pack, already enabled.`, { exitCode: 2 });
    if (existing && builtinId) throw new UserError(t`A pack with the id "${id}" is already enabled, from ${existing.dir}.`, { next: t`Run \`llm-tutor pack remove ${id}\` first to use the built-in one.`, exitCode: 2 });
    // Read before a tarball's new version replaces the old one's folder.
    const before = existing ? await definitionDigests(exerciseRefs([existing])) : new Map<string, string | undefined>();
    await refuseSameVersionChange(existing, pack, options.force ?? false);
    let entry: string;
    if (builtinId) {
      entry = builtinId;
    } else if (temp) {
      const target = path.join(installedPacksDir(workspace), id);
      await fs.rm(target, { recursive: true, force: true });
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.cp(dir, target, { recursive: true });
      entry = `./${posixRelative(workspace.dir, target)}`;
    } else {
      const relative = path.relative(workspace.dir, dir);
      entry = relative.startsWith('..') || path.isAbsolute(relative) ? dir : `./${relative.split(path.sep).join('/')}`;
    }
    const config: WorkspaceConfig = structuredClone(workspace.config);
    // config.packs and workspace.packs are parallel: the entries in order, and the packs they resolve to.
    const index = workspace.packs.findIndex((p) => p.manifest.id === id);
    if (index >= 0) config.packs[index] = entry;
    else config.packs.splice(builtinId ? syllabusPlace(workspace.packs, builtinId) : config.packs.length, 0, entry);
    await writeFileAtomic(path.join(workspace.dir, configFileName), `${JSON.stringify(config, null, 2)}\n`);
    const reopened = await openWorkspace(workspace.dir);
    const written = await writeMissingStarters(reopened);
    const added = reopened.packs.find((p) => p.manifest.id === id)!;
    const previousVersion = existing && existing.manifest.version !== pack.manifest.version ? existing.manifest.version : undefined;
    return {
      pack: added,
      entry,
      startersWritten: written.length,
      previousVersion,
      downgrade: previousVersion !== undefined && isLower(pack.manifest.version, previousVersion),
      changedExercises: await changedDefinitions(added, before, await reopened.state.read()),
    };
  } finally {
    if (temp) await fs.rm(temp, { recursive: true, force: true });
  }
}

/**
 * The built-in pack `source` names, when it is a built-in id and not a folder
 * or file of that name in `cwd` (which `pack add` takes as it always has);
 * undefined otherwise (a folder, a .tgz or an npm package name).
 */
async function builtinPackNamed(source: string, cwd: string): Promise<string | undefined> {
  if (/[\\/]/.test(source) || source.startsWith('.') || existsSync(path.resolve(cwd, source))) return undefined;
  return (await listBuiltinPackIds()).includes(source) ? source : undefined;
}

/**
 * Where the built-in pack `id` goes among the enabled packs (an index into
 * them): before the first built-in pack that comes after it in the syllabus,
 * else last. So `next` meets the built-in packs in syllabus order whatever
 * order they were enabled in.
 */
function syllabusPlace(packs: readonly Pack[], id: string): number {
  const later = packs.findIndex((p) => p.builtin && inSyllabusOrder([id, p.manifest.id])[0] === id);
  return later >= 0 ? later : packs.length;
}

/** Disables a pack; the learner's files and progress are kept. */
export async function removePack(workspace: Workspace, id: string): Promise<void> {
  const index = workspace.packs.findIndex((p) => p.manifest.id === id);
  if (index < 0) throw new UserError(t`The pack "${id}" is not enabled in this workspace.`, { next: t('Run `llm-tutor pack list` to see the enabled packs.') });
  const dependents = workspace.packs.filter((p) => p.manifest.requires.packs.includes(id)).map((p) => p.manifest.id);
  if (dependents.length) throw new UserError(t`The pack "${id}" is required by ${dependents.join(', ')}.`, { next: t`Remove ${dependents.join(', ')} first.` });
  if (workspace.packs.length === 1) throw new UserError(t`"${id}" is the only enabled pack.`, { next: t('Add another pack first: a workspace needs at least one.') });
  const config: WorkspaceConfig = structuredClone(workspace.config);
  config.packs.splice(index, 1);
  await writeFileAtomic(path.join(workspace.dir, configFileName), `${JSON.stringify(config, null, 2)}\n`);
}

/** What changed in a pack since the workspace last saw it. */
export interface PackUpdate {
  packId: string;
  from: string;
  to: string;
  added: string[];
  removed: string[];
  /** Exercises whose definition differs from the one the learner's progress was graded on. */
  changed: string[];
  /** Starter files written for the added exercises (a learner may already have a file of that name). */
  startersWritten: number;
}

/**
 * Compares each enabled pack's version with the one recorded in the progress
 * file. On a change: records the new version, writes starters for new
 * exercises, and reports what was added, removed and changed (a pass of a
 * changed exercise shows as `changed` until graded again). Progress of exercises
 * that still exist is kept (it is keyed by exercise id); that of removed
 * exercises stays in the file, unused.
 */
export async function reconcilePackVersions(workspace: Workspace): Promise<PackUpdate[]> {
  const state = await workspace.state.read();
  const updates: PackUpdate[] = [];
  const unseen: string[] = [];
  for (const pack of workspace.packs) {
    const { id, version: now } = pack.manifest;
    const before = state.packVersions[id];
    if (before === now) continue;
    if (before === undefined) {
      unseen.push(id);
      continue;
    }
    const ids = new Set(exerciseRefs([pack]).map((r) => r.id));
    // Older progress files have no exercise list: fall back to the exercises that have progress.
    const known = new Set(state.packExercises[id] ?? Object.keys(state.exercises).filter((k) => k.startsWith(`${id}/`)).map((k) => k.slice(id.length + 1)));
    const changed = await changedDefinitions(pack, new Map(), state);
    updates.push({ packId: id, from: before, to: now, added: [...ids].filter((e) => !known.has(e)), removed: [...known].filter((e) => !ids.has(e)), changed, startersWritten: 0 });
  }
  if (updates.length === 0 && unseen.length === 0) return [];
  await workspace.state.update((s) => {
    for (const pack of workspace.packs) {
      s.packVersions[pack.manifest.id] = pack.manifest.version;
      s.packExercises[pack.manifest.id] = pack.manifest.exercises.map((e) => e.id);
    }
  });
  if (updates.length) {
    const written = new Set(await writeMissingStarters(workspace));
    for (const update of updates) {
      const refs = workspace.exercises.filter((r) => r.packId === update.packId && update.added.includes(r.id));
      update.startersWritten = refs.filter((r) => written.has(learnerFileOf(workspace, r))).length;
    }
  }
  return updates;
}
