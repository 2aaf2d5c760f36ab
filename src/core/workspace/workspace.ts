import { constants as fsConstants, existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { UserError } from '../../errors.js';
import { writeFailureReason } from '../common/errno.js';
import { readJsonFile, writeFileAtomic } from '../common/json-file.js';
import { exerciseFiles, exerciseRefs, inSyllabusOrder, listBuiltinPackIds, orderByRequires, readExerciseFile, resolvePack, type ExerciseRef, type Pack } from '../packs/packs.js';
import { entryExists } from '../common/safe-read.js';
import { workspaceConfigSchema, type State, type WorkspaceConfig } from '../common/schemas.js';
import { StateStore, stateFileOf } from './state-store.js';
import { t } from '../../i18n/i18n.js';
import { sentences } from '../common/words.js';

export const configFileName = 'llm-tutor.json';
export const defaultWorkspaceName = 'llm-tutor-workspace';
/** The seed used when neither --seed nor the workspace config gives one. */
export const defaultSeed = 42;
/** What to do about an llm-tutor.json that llm-tutor will not read (a link, a FIFO, a device, over 1 MiB). */
export const configFix = (): string => t('remove it, then run `llm-tutor init` in the workspace folder to write a new one (your exercise files are kept)');

/** An opened workspace: its config, enabled packs and exercises, and progress store. */
export interface Workspace {
  dir: string;
  config: WorkspaceConfig;
  /** The enabled packs, in the order of `config.packs`. */
  packs: Pack[];
  /** Every enabled pack's exercises, numbered from 1: pack by pack, each after the packs it requires. */
  exercises: ExerciseRef[];
  state: StateStore;
}

/** Walks up from `start` to the nearest folder holding llm-tutor.json. */
export function findWorkspaceDir(start: string): string | undefined {
  let dir = path.resolve(start);
  for (;;) {
    // Anything by that name counts, even a link or a FIFO: opening it then says what is wrong with it.
    if (entryExists(path.join(dir, configFileName))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Opens the workspace at `dir` (which must hold llm-tutor.json). */
export async function openWorkspace(dir: string): Promise<Workspace> {
  const configFile = path.join(dir, configFileName);
  const config = await readJsonFile(configFile, workspaceConfigSchema, { next: t`Fix ${configFileName}, or create a new workspace with \`llm-tutor init\`.`, fix: configFix() });
  const packs: Pack[] = [];
  for (const entry of config.packs) packs.push(await resolvePack(entry, dir));
  const ids = new Set<string>();
  for (const pack of packs) {
    if (ids.has(pack.manifest.id)) throw new UserError(t`${configFile}: the pack "${pack.manifest.id}" is enabled twice.`, { next: t('Remove one of the entries in "packs".') });
    ids.add(pack.manifest.id);
  }
  for (const pack of packs) {
    for (const needed of pack.manifest.requires.packs) {
      if (!ids.has(needed)) {
        throw new UserError(t`The pack "${pack.manifest.id}" requires the pack "${needed}", which is not enabled in ${configFile}.`, { next: t`Add "${needed}" to "packs" in ${configFileName}.` });
      }
    }
  }
  return { dir, config, packs, exercises: exerciseRefs(orderByRequires(packs)), state: new StateStore(stateFileOf(dir), dir) };
}

/**
 * Finds and opens the workspace: `--workspace DIR` when given, else the nearest
 * llm-tutor.json walking up from the current folder.
 */
export async function locateWorkspace(explicit: string | undefined, cwd = process.cwd()): Promise<Workspace> {
  if (explicit) {
    const dir = path.resolve(cwd, explicit);
    if (!entryExists(path.join(dir, configFileName))) {
      throw new UserError(t`No llm-tutor workspace at ${dir} (no ${configFileName} there).`, { next: t`Run \`llm-tutor init ${explicit}\` to create one.` });
    }
    return openWorkspace(dir);
  }
  // `npm start` in a clone makes ./llm-tutor-workspace and works from the clone's folder: so do the other commands.
  const found = findWorkspaceDir(cwd) ?? (entryExists(path.join(cwd, defaultWorkspaceName, configFileName)) ? path.join(cwd, defaultWorkspaceName) : undefined);
  if (!found) throw new UserError(t`No llm-tutor workspace here, in any parent folder or in ./${defaultWorkspaceName}.`, { next: t('Run `llm-tutor init` to create one, or pass --workspace DIR.') });
  return openWorkspace(found);
}

/** Where the learner's file for an exercise lives in the workspace. */
export function learnerFileOf(workspace: Pick<Workspace, 'dir'>, ref: ExerciseRef): string {
  return path.join(exercisesRootOf(workspace), ref.packId, ...ref.id.split('/')) + '.ts';
}

/** The folder of all learner files. */
export function exercisesRootOf(workspace: Pick<Workspace, 'dir'>): string {
  return path.join(workspace.dir, 'exercises');
}

/** The exercise a learner file belongs to, if any. */
export function exerciseOfFile(workspace: Workspace, file: string): ExerciseRef | undefined {
  const resolved = path.resolve(file);
  return workspace.exercises.find((ref) => learnerFileOf(workspace, ref) === resolved);
}

const typesFileName = 'llm-tutor-env.d.ts';

const typesFile = `// Types for llm-tutor exercises. Written by \`llm-tutor init\`; safe to keep as is.

/** A vector: a plain array of numbers. */
type Vector = number[];

/** A row-major matrix: m[row][col], shape written [rows, cols]. */
type Matrix = number[][];
`;

const workspaceTsconfig = {
  compilerOptions: {
    target: 'ES2022',
    module: 'ESNext',
    moduleResolution: 'Bundler',
    lib: ['ES2022', 'DOM'],
    types: [],
    strict: true,
    noEmit: true,
    allowImportingTsExtensions: false,
    skipLibCheck: true,
  },
  include: [typesFileName, 'exercises/**/*.ts'],
};

/** Writes the starter file of every exercise that has no learner file yet; returns the files written. */
export async function writeMissingStarters(workspace: Workspace): Promise<string[]> {
  const written: string[] = [];
  for (const ref of workspace.exercises) {
    const file = learnerFileOf(workspace, ref);
    if (entryExists(file)) continue;
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, await readExerciseFile(ref, 'starter'), { flag: 'wx' });
    written.push(file);
  }
  return written;
}

/**
 * Creates a workspace at `dir`: llm-tutor.json, the progress file, tsconfig.json
 * and the types file, and a starter file for every exercise of the packs
 * (by default every built-in pack, in syllabus order). Existing learner files
 * are kept. Returns the opened workspace and what was created.
 */
export async function initWorkspace(
  dir: string,
  chosenPacks?: string[],
  seed = Math.floor(Math.random() * 1_000_000),
  lang?: string,
): Promise<{ workspace: Workspace; created: boolean; startersWritten: number; /** Built-in packs enabled because a chosen pack requires them. */ requiredAdded: string[] }> {
  const configFile = path.join(dir, configFileName);
  const created = !entryExists(configFile);
  const builtins = await listBuiltinPackIds();
  let packs = chosenPacks ?? builtins;
  let requiredAdded: string[] = [];
  try {
    // Check the nearest existing folder first: mkdir on a read-only file system reports ENOENT, not EROFS.
    let existing = path.resolve(dir);
    while (!existsSync(existing)) existing = path.dirname(existing);
    await fs.access(existing, fsConstants.W_OK);
    await fs.mkdir(dir, { recursive: true });
    if (created) {
      // Validate the packs before writing anything; a built-in pack that one of them requires is enabled too.
      ({ entries: packs, added: requiredAdded } = await withRequiredPacks(packs, dir, builtins));
      // Each workspace gets its own seed, so answers copied from another learner's cases fail.
      // `init --lang` records the language, so that the workspace keeps speaking it without the option.
      const config: WorkspaceConfig = { formatVersion: 1, packs, ...(lang ? { lang } : {}), options: { seed } };
      await writeFileAtomic(configFile, `${JSON.stringify(config, null, 2)}\n`);
    }
    const workspace = await openWorkspace(dir);
    if (!entryExists(workspace.state.file)) {
      // Record the packs' versions, so that a later update of a pack is noticed and explained.
      const state = await workspace.state.read();
      for (const pack of workspace.packs) {
        state.packVersions[pack.manifest.id] = pack.manifest.version;
        state.packExercises[pack.manifest.id] = pack.manifest.exercises.map((e) => e.id);
      }
      // Left out at init (`--packs`), a built-in pack was the learner's choice: only packs that ship later are offered.
      state.builtinPacksKnown = builtins;
      await workspace.state.write(state);
    }
    // 'wx' and a look that does not follow links: never write through a link left at one of these names.
    const tsconfig = path.join(dir, 'tsconfig.json');
    if (!entryExists(tsconfig)) await fs.writeFile(tsconfig, `${JSON.stringify(workspaceTsconfig, null, 2)}\n`, { flag: 'wx' });
    const types = path.join(dir, typesFileName);
    if (!entryExists(types)) await fs.writeFile(types, typesFile, { flag: 'wx' });
    const gitignore = path.join(dir, '.gitignore');
    if (!entryExists(gitignore)) await fs.writeFile(gitignore, '.llm-tutor/*.tmp\n', { flag: 'wx' });
    const written = await writeMissingStarters(workspace);
    return { workspace, created, startersWritten: written.length, requiredAdded };
  } catch (error) {
    const reason = writeFailureReason(error);
    if (!reason) throw error;
    throw new UserError(t`Cannot create a workspace in ${dir}: ${reason}.`, { next: t('Choose a folder you can write to: `llm-tutor init <dir>`.'), exitCode: 1 });
  }
}

/**
 * `init --packs`'s entries with every built-in pack they require (and those
 * require) put before them, in syllabus order. A required pack that is not
 * built in must be among the entries: it is an error otherwise, before
 * anything is written.
 */
async function withRequiredPacks(entries: string[], dir: string, builtins: string[]): Promise<{ entries: string[]; added: string[] }> {
  const resolved: Pack[] = [];
  for (const entry of entries) resolved.push(await resolvePack(entry, dir));
  const ids = new Set(resolved.map((p) => p.manifest.id));
  const added: string[] = [];
  // `resolved` grows as required packs are added: their own requirements are met in turn.
  for (let i = 0; i < resolved.length; i++) {
    for (const needed of resolved[i].manifest.requires.packs) {
      if (ids.has(needed)) continue;
      if (!builtins.includes(needed)) {
        throw new UserError(t`The pack "${resolved[i].manifest.id}" requires the pack "${needed}", which is neither built in nor among --packs.`, { next: t`Add the folder of the pack "${needed}" to --packs.`, exitCode: 2 });
      }
      ids.add(needed);
      added.push(needed);
      resolved.push(await resolvePack(needed, dir));
    }
  }
  const first = inSyllabusOrder(added);
  return { entries: [...first, ...entries], added: first };
}

/**
 * The exercises of the pack `packId` (what `--pack` narrows a command to).
 * Throws a user error naming the enabled packs, and how to enable this one
 * when it is built in, when it is not enabled.
 */
export async function exercisesOfPack(workspace: Pick<Workspace, 'exercises' | 'packs'>, packId: string): Promise<ExerciseRef[]> {
  const exercises = workspace.exercises.filter((r) => r.packId === packId);
  if (exercises.length > 0) return exercises;
  const enabled = t`Enabled packs: ${workspace.packs.map((p) => p.manifest.id).join(', ')}.`;
  const builtin = (await listBuiltinPackIds()).includes(packId);
  throw new UserError(t`The pack "${packId}" is not enabled in this workspace.`, { next: builtin ? sentences([enabled, t`Enable it with \`llm-tutor pack add ${packId}\`.`]) : enabled, exitCode: 2 });
}

/** The first exercise, in order, that has not passed; undefined when all have. */
export function firstUnsolved(workspace: Workspace, state: State): ExerciseRef | undefined {
  return workspace.exercises.find((ref) => state.exercises[ref.key]?.status !== 'passed');
}

export { exerciseFiles };
